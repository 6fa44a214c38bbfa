import {formatEndpoint} from '../probes/address.js'
import type {Snapshot} from '../probes/types.js'
import {acceptQueueOf, backlogOf, countConnections, ownershipOf, pairKey, portSockets, type Ownership} from '../probes/socket-evidence.js'
import {trackSockets} from '../diagnose/track-sockets.js'

export interface WatchView {
  intervalMs: number
  stuckAfterMs: number
  samples: WatchSample[]
  summary: WatchSummary
}

/** One --watch line. */
export interface WatchSample {
  /** ms since the first sample. */
  atMs: number
  /** Accept queue (sum over listeners); null: no LISTEN row. */
  queue: number | null
  backlog: number | null
  estab: number
  closeWait: number
  /** Server-side sockets (by address pair and state) not in the previous sample / gone since. */
  new: number
  gone: number
}

export interface WatchSummary {
  samples: number
  durationMs: number
  /** Largest accept queue seen; null: never a LISTEN row. */
  peakQueue: number | null
  /** The queue ended higher than it started. */
  queueGrew: boolean
  /** Above zero in every sample that had a LISTEN row. */
  queueAlwaysAboveZero: boolean
  closeWait: TrackedCloseWait[]
}

export interface TrackedCloseWait {
  local: string
  peer: string
  firstSeenMs: number
  lastSeenMs: number
  /** lastSeen - firstSeen: a lower bound of its life in CLOSE-WAIT. */
  stayedMs: number
  presentAtEnd: boolean
  /** Stayed at least --stuck-after and still there at the end. */
  stuck: boolean
  ownership: Ownership
  recvQ: number
}

export function sampleOf(snapshot: Snapshot, previous: Snapshot | undefined, port: number, startedAt: number): WatchSample {
  const sockets = portSockets(snapshot, port)
  const keys = new Set(sockets.map(identity))
  const before = new Set(previous ? portSockets(previous, port).map(identity) : [])
  return {
    atMs: snapshot.at - startedAt,
    queue: acceptQueueOf(snapshot, port),
    backlog: backlogOf(snapshot, port),
    ...countConnections(snapshot, port),
    new: previous ? [...keys].filter((key) => !before.has(key)).length : 0,
    gone: [...before].filter((key) => !keys.has(key)).length,
  }
}

function identity(socket: Parameters<typeof pairKey>[0]): string {
  return `${pairKey(socket)}|${socket.state}`
}

/** The summary of a watch: its sample lines, the queue over time, each CLOSE-WAIT socket followed. */
export function summarizeWatch(history: {port: number; snapshots: Snapshot[]; samples: WatchSample[]}, intervalMs: number, stuckAfterMs: number): WatchView {
  const {port, snapshots, samples} = history
  const startedAt = snapshots[0]?.at ?? 0
  const queues = samples.map((sample) => sample.queue).filter((queue): queue is number => queue !== null)
  const closeWait = trackSockets(snapshots, port, (socket) => socket.state === 'CLOSE-WAIT').map((tracked) => {
    const stayedMs = tracked.lastAt - tracked.firstAt
    return {
      local: formatEndpoint(tracked.socket.local),
      peer: formatEndpoint(tracked.socket.peer),
      firstSeenMs: tracked.firstAt - startedAt,
      lastSeenMs: tracked.lastAt - startedAt,
      stayedMs,
      presentAtEnd: tracked.presentAtEnd,
      stuck: tracked.presentAtEnd && stayedMs >= stuckAfterMs,
      ownership: ownershipOf(tracked.socket),
      recvQ: tracked.socket.recvQ,
    }
  })
  return {
    intervalMs,
    stuckAfterMs,
    samples,
    summary: {
      samples: samples.length,
      durationMs: (snapshots.at(-1)?.at ?? startedAt) - startedAt,
      peakQueue: queues.length === 0 ? null : Math.max(...queues),
      queueGrew: queues.length > 1 && queues.at(-1)! > queues[0]!,
      queueAlwaysAboveZero: queues.length > 0 && queues.every((queue) => queue > 0),
      closeWait,
    },
  }
}
