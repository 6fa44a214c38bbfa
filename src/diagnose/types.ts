/** What the doctor concludes. Detectors return a Finding or null; one place folds them. */
import type {CauseKind} from './cause-kinds.js'

/**
 * Every finding kind, in the order `--fail-on` lists them, and whether it fails the CI gate by
 * default (connections the server loses). The one source: the FindingKind type, `--fail-on`'s
 * list and default, the JSON schema's enum and the README's table are derived from or checked
 * against it (test/diagnose/finding-kinds.test.ts).
 */
export const findingKindTable = [
  {kind: 'lost-connections', failsByDefault: true},
  {kind: 'accept-queue-not-drained', failsByDefault: true},
  {kind: 'never-accepted-abandoned', failsByDefault: true},
  {kind: 'accepted-never-closed', failsByDefault: true},
  {kind: 'data-left-unread', failsByDefault: false},
  {kind: 'listen-overflow', failsByDefault: false},
  {kind: 'load-stalled', failsByDefault: true},
  {kind: 'server-exited', failsByDefault: true},
] as const

export type FindingKind = (typeof findingKindTable)[number]['kind']

/** Why a finding happened, from what was observed in the server (see cause-kinds.ts). */
export interface Cause {
  kind: CauseKind
  /** One sentence of the facts seen ("listener fd 5 is registered ... in epoll fd 7, which thread 10538 waits on"). */
  summary: string
  /** Lines of what was seen, each checkable. */
  evidence: string[]
  /** True when the cause is inferred from what was seen; the summary then says what would confirm it. */
  inferred: boolean
}

/** One root cause with the symptoms it explains: one why, one fix. */
export interface Diagnosis {
  cause: Cause
  /** The finding kinds this cause explains, as `--fail-on` knows them. */
  symptoms: FindingKind[]
  title: string
  explanation: string
  advice: string
}

export interface Finding {
  kind: FindingKind
  /** One line, plain words: what is wrong. */
  title: string
  /** Why it happens, in two or three sentences. */
  explanation: string
  /** What to change. */
  advice: string
  /** Lines of evidence, each one checkable by the user (ports, queue lengths, counts). */
  evidence: string[]
  /** Set where the server could be looked at (bench, sockets --port); see Diagnosis. */
  cause?: Cause
}

export type VerdictStatus = 'healthy' | 'findings' | 'inconclusive'

export interface Verdict {
  status: VerdictStatus
  findings: Finding[]
  /** The findings grouped by root cause; empty where nothing was found. */
  diagnoses: Diagnosis[]
  /** Why the verdict is inconclusive, or caveats about the data (missing owners, ...). */
  notes: string[]
}
