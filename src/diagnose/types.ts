/** What the doctor concludes. Detectors return a Finding or null; one place folds them. */

export type FindingKind =
  | 'accept-queue-not-drained'
  | 'never-accepted-abandoned'
  | 'accepted-never-closed'
  | 'data-left-unread'
  | 'listen-overflow'
  | 'lost-connections'
  | 'load-stalled'
  | 'server-exited'

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
}

export type VerdictStatus = 'healthy' | 'findings' | 'inconclusive'

export interface Verdict {
  status: VerdictStatus
  findings: Finding[]
  /** Why the verdict is inconclusive, or caveats about the data (missing owners, ...). */
  notes: string[]
}
