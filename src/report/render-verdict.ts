import type {Verdict} from '../diagnose/types.js'
import {exitCodeFor} from '../exit-codes.js'

/** Findings with their evidence, cause and fix, then the verdict line and notes. */
export function renderVerdict(verdict: Verdict): string[] {
  const lines: string[] = []
  verdict.findings.forEach((finding, index) => {
    lines.push(`${index + 1}. ${finding.title}`)
    for (const evidence of finding.evidence) lines.push(`   - ${evidence}`)
    lines.push(`   Likely cause: ${finding.explanation}`, `   Fix: ${finding.advice}`)
  })
  lines.push(`Verdict: ${verdict.status} (exit ${exitCodeFor(verdict.status)})`)
  for (const note of verdict.notes) lines.push(`Note: ${note}`)
  return lines
}
