/**
 * The bench's results: plain JSON-safe objects, so `--json` is JSON.stringify of a BenchReport.
 * This is the documented, stable schema (see README "JSON output"); add fields, never rename.
 */
import type {Verdict} from '../diagnose/types.js'
import type {LoadResult} from '../load/types.js'
import type {ListenCounters, Snapshot, SourceName} from '../probes/types.js'
import type {AcceptProbe} from '../probes/accept-experiment.js'
import type {ReactorReading} from '../probes/reactor/types.js'
import type {ReferenceServerMode, ServerStats} from '../targets/reference-server.js'
import type {TargetInfo} from '../targets/types.js'

export type {TargetInfo} from '../targets/types.js'

/** One sample of the target port during and after the load. */
export interface TimelinePoint {
  /** ms since the load started (negative: before). */
  atMs: number
  /** Accept-queue length of the LISTEN socket (sum over listeners); null if no LISTEN row. */
  acceptQueue: number | null
  /** Backlog limit (ss only); null when the source cannot tell. */
  backlog: number | null
  /** ESTAB and CLOSE-WAIT sockets on the port; null on samples that read only the LISTEN row. */
  estab: number | null
  closeWait: number | null
  /** Cumulative responses the load engine had received at this moment. */
  completed: number
  /** True once the load engine has finished (samples of the settle phase). */
  afterLoad: boolean
}

export interface BenchRun {
  target: TargetInfo
  load: LoadResult
  /** Where the final readings (with owners) came from; the timeline's samples always read /proc. */
  source: SourceName
  timeline: TimelinePoint[]
  /** The first reading with owners, right after the load; what the final one still holds is stuck. */
  afterLoadSnapshot: Snapshot
  /** Snapshot with owners, taken after the load and a short settle, before the target stops. */
  finalSnapshot: Snapshot
  counters: {before: ListenCounters | null; after: ListenCounters | null}
  /** A whole reading with owners while the load was stalled, before its clients closed; null: no stall. */
  stalledSnapshot: Snapshot | null
  /** The server's reactor read from /proc at the stall and at the final reading. */
  reactor: {atStall: ReactorReading | null; atEnd: ReactorReading | null}
  /** The accept experiment, when the queue stayed non-empty and it was not turned off. */
  probe: AcceptProbe | null
  /** Final stats from the reference server; null for other targets. */
  serverStats: ServerStats | null
  verdict: Verdict
  /** Wall time of the whole run, target start to verdict. */
  durationMs: number
}

/** One row of the mode matrix: the same mode run `runs` times. */
export interface MatrixRow {
  label: string
  mode: ReferenceServerMode
  runs: number
  /** Runs in which at least one connection was lost (never served). */
  lossyRuns: number
  requested: number
  /** Completed requests per run. */
  completed: number[]
  /** Highest accept-queue length seen in any run. */
  peakAcceptQueue: number
  /** Never-accepted sockets per run (ownerless ESTAB/CLOSE-WAIT in the final snapshot). */
  neverAccepted: number[]
  /** Wall time per run, ms. */
  durationsMs: number[]
  /** The server's own counters per run: connections accepted, and times epoll reported the listener. */
  accepted: number[]
  listenWakeups: number[]
}

export interface MatrixReport {
  rows: MatrixRow[]
  /** The conclusion in words, a sentence per line. */
  conclusion: string[]
  /** Every run, for the HTML report's timelines. */
  runs: BenchRun[]
}

/** `bench --repeat N` on one target: N runs, a fresh server each time. */
export interface RepeatReport {
  /** Runs that lost connections (see lostConnections). */
  lossyRuns: number
  runs: BenchRun[]
}

export type BenchReport =
  | {kind: 'single'; run: BenchRun}
  | {kind: 'matrix'; matrix: MatrixReport}
  | {kind: 'repeat'; repeat: RepeatReport}
