import type {Verdict} from '../diagnose/types.js'
import {exitCodeFor} from '../exit-codes.js'
import {renderDiagnosisLines} from './render-diagnoses.js'
import {plainStyle} from './style.js'

/** One block per root cause (symptoms, what was seen, why, fix), then the verdict line and notes. */
export function renderVerdict(verdict: Verdict): string[] {
  const lines = renderDiagnosisLines(verdict, plainStyle)
  lines.push(...(lines.length > 0 ? [''] : []), `Verdict: ${verdict.status} (exit ${exitCodeFor(verdict.status)})`)
  for (const note of verdict.notes) lines.push(`Note: ${note}`)
  return lines
}
