import type {ServerView} from '../diagnose/explain-findings.js'
import type {LoadResult} from '../load/types.js'
import {probeIfQueued, type AcceptProbe} from '../probes/accept-experiment.js'
import type {ResolvedSource} from '../probes/index.js'
import {noOwnerSeen, readPortReactor} from '../probes/reactor/read-port-reactor.js'
import type {ReactorReading} from '../probes/reactor/types.js'
import type {StalledReading} from '../probes/socket-evidence.js'
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

/** The reactor behind the port: the target's own process tree (bench started it) and the owners shown. */
export function readServerView(target: TargetInfo, snapshot: Snapshot): Promise<ReactorReading | null> {
  return readPortReactor(snapshot, target.port, target.pid === null ? [] : [target.pid])
}

/** The accept experiment, when the final reading still shows connections in the queue. */
export async function runProbe(
  readings: ServerReadings,
  final: Snapshot,
  target: TargetInfo,
  options: {probe: boolean; source: ResolvedSource},
): Promise<void> {
  const offNote = 'the accept experiment was turned off (--no-probe)'
  const {probe, note} = await probeIfQueued(final, target.port, {enabled: options.probe, offNote, source: options.source, host: target.host})
  readings.probe = probe
  readings.probeNote = note
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
    missing: seen ? null : noOwnerSeen,
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
