import type {Finding, Verdict} from '../diagnose/types.js'

/** One root cause as the reports show it: its symptoms (the findings), what was seen, why, fix. */
export interface DiagnosisView {
  heading: string
  symptoms: Array<{title: string; evidence: string[]}>
  /** What was seen in the server: 'seen' facts, or 'not seen' with why and how to see it. */
  causeLabel: 'seen' | 'inferred' | 'not seen'
  cause: string
  why: string
  fix: string
}

/**
 * The verdict's diagnoses in the order found, each with its findings; a finding no diagnosis
 * explains (a verdict built without one) is shown on its own.
 */
export function viewDiagnoses(verdict: Verdict): DiagnosisView[] {
  const used = new Set<Finding>()
  const views = verdict.diagnoses.map((diagnosis): DiagnosisView => {
    const findings = verdict.findings.filter((f) => diagnosis.symptoms.includes(f.kind))
    for (const finding of findings) used.add(finding)
    const {cause} = diagnosis
    return {
      heading: capitalise(diagnosis.title),
      symptoms: findings.map((f) => ({title: f.title, evidence: f.evidence})),
      causeLabel: cause.kind === 'unknown' ? 'not seen' : cause.inferred ? 'inferred' : 'seen',
      cause: cause.summary,
      why: diagnosis.explanation,
      fix: diagnosis.advice,
    }
  })
  for (const finding of verdict.findings.filter((f) => !used.has(f))) {
    views.push({heading: finding.title, symptoms: [{title: finding.title, evidence: finding.evidence}], causeLabel: 'not seen', cause: 'no cause was looked for', why: finding.explanation, fix: finding.advice})
  }
  return views
}

function capitalise(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1)
}
