/** What the doctor concludes. Detectors return a Finding or null; one place folds them. */

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
  {kind: 'load-stalled', failsByDefault: false},
  {kind: 'server-exited', failsByDefault: true},
] as const

export type FindingKind = (typeof findingKindTable)[number]['kind']

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
