/** The one evidence object every detector reads, and the one signature they share. */
import type {LoadResult} from '../load/types.js'
import type {SocketEvidence} from '../probes/socket-evidence.js'
import type {ServerStats} from '../targets/reference-server.js'
import type {TargetInfo} from '../targets/types.js'
import type {Finding, FindingKind} from './types.js'

/** What bench adds to the socket readings: the client's side of the run. */
export interface BenchContext {
  target: TargetInfo
  load: LoadResult
  serverStats: ServerStats | null
  /** How the server ended if it exited before we stopped it. */
  exitedEarly: string | null
}

export interface Evidence extends SocketEvidence {
  /** Set for a bench run; detectors of the client's view answer null without it. */
  bench?: BenchContext
}

/** A detector's answer when the data can support neither a finding nor its absence. */
export interface CannotJudge {
  kind: FindingKind
  cannotJudge: string
}

export type DetectorResult = Finding | CannotJudge | null

/** Every detector: one evidence object in, a finding, "cannot judge", or nothing out. */
export type Detector = (evidence: Evidence) => DetectorResult

export function isCannotJudge(result: DetectorResult): result is CannotJudge {
  return result !== null && 'cannotJudge' in result
}
