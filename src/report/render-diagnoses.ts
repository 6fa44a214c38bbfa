import type {Verdict} from '../diagnose/types.js'
import {plural} from '../diagnose/describe.js'
import {viewDiagnoses} from './diagnosis-view.js'
import type {Style} from './style.js'
import {labelled, labelledWrapped} from './text-layout.js'

/** Symptoms repeat each other's sockets: the text shows the first lines of each (JSON has all). */
const SYMPTOM_LINES = 4

/**
 * One block per root cause: its symptoms with their evidence, what was seen in the server (or
 * why it could not be), why, and the fix.
 */
export function renderDiagnosisLines(verdict: Verdict, style: Style): string[] {
  return viewDiagnoses(verdict).flatMap((view, index) => [
    '',
    style.bold(`${index + 1}. ${view.heading}`),
    ...view.symptoms.flatMap((symptom, at) => [
      labelled(at === 0 ? 'symptoms' : '', `* ${symptom.title}`, style),
      ...symptom.evidence.slice(0, SYMPTOM_LINES).map((line) => labelled('', `  - ${line}`, style)),
      ...(symptom.evidence.length > SYMPTOM_LINES ? [labelled('', style.dim(`  (${plural(symptom.evidence.length - SYMPTOM_LINES, 'more line')} in --json)`), style)] : []),
    ]),
    ...labelledWrapped(view.causeLabel, view.cause, style),
    ...labelledWrapped('why', view.why, style),
    ...labelledWrapped('fix', view.fix, style),
  ])
}
