import {findingKindTable, type FindingKind, type Verdict} from '../diagnose/types.js'
import {ExitCode} from '../exit-codes.js'
import {UserError} from '../user-error.js'
import type {BenchReport} from './types.js'

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

export interface GateDecision {
  exitCode: number
  /** The finding kinds that fail the gate for this report (none for a matrix without --fail-on). */
  failing: readonly FindingKind[]
  /** A line for the text report when findings exit 0; null otherwise. */
  note: string | null
}

/**
 * The CI gate, in one place. One run: a finding of a failing kind exits 1, else inconclusive
 * exits 3, else 0. The mode matrix shows the bug on purpose, so it exits 0 once it has run unless
 * --fail-on is given (`failOnGiven`), then 1 if any run fails it.
 */
export function decideGate(report: BenchReport, failOn: readonly FindingKind[], failOnGiven: boolean): GateDecision {
  if (report.kind === 'matrix') {
    const failing = failOnGiven ? failOn : []
    const fails = report.matrix.runs.some((run) => failsGate(run.verdict, failing))
    return {exitCode: fails ? ExitCode.findings : ExitCode.healthy, failing, note: null}
  }
  if (report.kind === 'repeat') return decideRepeat(report.repeat.runs.map((run) => run.verdict), failOn)
  const {verdict} = report.run
  if (failsGate(verdict, failOn)) return {exitCode: ExitCode.findings, failing: failOn, note: null}
  return {exitCode: verdict.status === 'inconclusive' ? ExitCode.inconclusive : ExitCode.healthy, failing: failOn, note: passedGateNote(verdict, failOn)}
}

/** --repeat on one target: any run that fails the gate fails it; else any inconclusive run is 3. */
function decideRepeat(verdicts: Verdict[], failOn: readonly FindingKind[]): GateDecision {
  if (verdicts.some((verdict) => failsGate(verdict, failOn))) return {exitCode: ExitCode.findings, failing: failOn, note: null}
  if (verdicts.some((verdict) => verdict.status === 'inconclusive')) return {exitCode: ExitCode.inconclusive, failing: failOn, note: null}
  const notes = verdicts.map((verdict) => passedGateNote(verdict, failOn)).filter((note) => note !== null)
  return {exitCode: ExitCode.healthy, failing: failOn, note: notes[0] ?? null}
}
