import {findingKindTable, type FindingKind, type Verdict} from '../diagnose/types.js'
import {UserError} from '../user-error.js'

export const findingKinds: readonly FindingKind[] = findingKindTable.map((row) => row.kind)

/** What fails the CI gate unless --fail-on says otherwise: connections the server loses. */
export const defaultFailOn: readonly FindingKind[] = findingKindTable.filter((row) => row.failsByDefault).map((row) => row.kind)

/** "--fail-on a,b" or "all" -> the finding kinds that fail the gate. */
export function parseFailOn(text: string): FindingKind[] {
  if (text.trim() === 'all') return [...findingKinds]
  const kinds = text.split(',').map((kind) => kind.trim()).filter(Boolean)
  const unknown = kinds.filter((kind) => !findingKinds.includes(kind as FindingKind))
  if (unknown.length > 0 || kinds.length === 0) {
    throw new UserError(`--fail-on: unknown finding ${unknown.join(', ') || '(empty)'}`, `use "all" or a comma list of: ${findingKinds.join(', ')}`)
  }
  return kinds as FindingKind[]
}

/** A verdict fails the gate when it has a finding of a failing kind. */
export function failsGate(verdict: Verdict, failOn: readonly FindingKind[]): boolean {
  return verdict.findings.some((finding) => failOn.includes(finding.kind))
}

/**
 * A line for a run whose findings all fall outside --fail-on: the report says FINDINGS, so say
 * why the exit code is 0 and how to fail on them. Null when the gate fails or nothing was found.
 */
export function passedGateNote(verdict: Verdict, failOn: readonly FindingKind[]): string | null {
  if (verdict.findings.length === 0 || failsGate(verdict, failOn)) return null
  const kinds = [...new Set(verdict.findings.map((finding) => finding.kind))]
  return `Gate passed (exit 0): --fail-on does not name ${kinds.join(', ')}; --fail-on all fails on every finding`
}
