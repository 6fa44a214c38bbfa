import type {ServerView} from '../diagnose/explain-findings.js'
import type {LoadResult} from '../load/types.js'
import {probeHost, runAcceptProbe, type AcceptProbe} from '../probes/accept-experiment.js'
import type {ResolvedSource} from '../probes/index.js'
import {readReactor} from '../probes/reactor/collect-reactor.js'
import type {ReactorReading} from '../probes/reactor/types.js'
import {acceptQueueOf, listenersOf, portSockets, type StalledReading} from '../probes/socket-evidence.js'
import type {Snapshot} from '../probes/types.js'
import type {TargetInfo} from '../targets/types.js'

/** What a bench run reads of the server besides its sockets, filled in as the run goes. */
export interface ServerReadings {
  stalled: Snapshot | null
  reactorAtStall: ReactorReading | null
  reactorAtEnd: ReactorReading | null
  probe: AcceptProbe | null
  probeNote: string | null
}

/**
 * The reactor of the processes behind the port: the target's own process tree (bench started
 * it) and the owners the snapshot shows (a running server), kept to those holding its sockets.
 */
export async function readServerView(target: TargetInfo, snapshot: Snapshot): Promise<ReactorReading | null> {
  const sockets = portSockets(snapshot, target.port)
  const owners = sockets.flatMap((socket) => socket.owners ?? []).map((owner) => owner.pid)
  const pids = [...new Set([...(target.pid === null ? [] : [target.pid]), ...owners])]
  if (pids.length === 0) return null
  const inodes = new Set(sockets.map((socket) => socket.inode).filter((inode): inode is number => inode !== null && inode > 0))
  return readReactor({pids, inodes})
}

/** The accept experiment, when the final reading still shows connections in the queue. */
export async function runProbe(
  readings: ServerReadings,
  final: Snapshot,
  target: TargetInfo,
  options: {probe: boolean; source: ResolvedSource},
): Promise<void> {
  const queue = acceptQueueOf(final, target.port)
  if (!queue) return
  if (!options.probe) {
    readings.probeNote = 'the accept experiment was turned off (--no-probe)'
    return
  }
  const host = probeHost(listenersOf(final, target.port)[0]?.local.address ?? target.host) ?? target.host
  try {
    readings.probe = await runAcceptProbe({host, port: target.port, source: options.source})
  } catch (error) {
    readings.probeNote = `the accept experiment failed: ${(error as Error).message}`
  }
}

/** The stalled reading with the clients that were still waiting then. */
export function stalledReading(snapshot: Snapshot | null, load: LoadResult): StalledReading | undefined {
  if (!snapshot) return undefined
  const waitingPorts = load.connections.filter((c) => c.requestsSent > c.responses && c.localPort !== null).map((c) => c.localPort!)
  return {snapshot, waitingPorts, stalledForMs: load.stallMs ?? silentForMs(load)}
}

export function toServerView(readings: ServerReadings): ServerView {
  const seen = readings.reactorAtEnd !== null || readings.reactorAtStall !== null
  return {
    reactorAtStall: readings.reactorAtStall,
    reactorAtEnd: readings.reactorAtEnd,
    missing: seen ? null : 'no process could be seen behind the port (no owner shown): run reactor-doctor as root or as the server\'s user',
    probe: readings.probe,
    probeNote: readings.probeNote,
  }
}

/** For a run that hit its time limit: how long since the last response. */
function silentForMs(load: LoadResult): number {
  const {progress} = load
  let lastChangeMs = 0
  for (let i = 1; i < progress.length; i++) if (progress[i]!.completed !== progress[i - 1]!.completed) lastChangeMs = progress[i]!.atMs
  return Math.max(0, Math.round(load.durationMs - lastChangeMs))
}
