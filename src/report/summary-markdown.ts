/**
 * `bench --summary`: the report as GitHub-flavoured Markdown, for $GITHUB_STEP_SUMMARY (a job's
 * summary page) or any CI that shows Markdown. The verdict first, then each finding with its
 * evidence, then the table of numbers (the load of one run, or the mode matrix).
 */
import type {BenchReport, BenchRun, MatrixReport, RepeatReport} from '../bench/types.js'
import type {FindingKind, Verdict} from '../diagnose/types.js'
import {formatEndpoint} from '../probes/address.js'
import {formatMs} from './ascii-chart.js'
import {countIdleClients, countSilentClients, describeClients, describeCompleted, describeLoadEnd, describeMatrix, describeNeverAccepted, describeRepeat, describeRun, repeatShownRun, type Headline} from './bench-text.js'

/** What the CI gate decided: the finding kinds that fail it for this report, and the exit code. */
export interface CiGate {
  failing: readonly FindingKind[]
  exitCode: number
}

export function renderSummaryMarkdown(report: BenchReport, gate: CiGate): string {
  const lines =
    report.kind === 'single' ? runLines(report.run, gate) : report.kind === 'repeat' ? repeatLines(report.repeat, gate) : matrixLines(report.matrix, gate)
  return `${lines.join('\n')}\n`
}

/** --repeat: the k-of-N line, then the run it shows in full (the first that lost connections). */
function repeatLines(repeat: RepeatReport, gate: CiGate): string[] {
  const shown = repeat.runs[repeatShownRun(repeat)]!
  return [headlineLine(describeRepeat(repeat), gate), '', `### Run ${repeatShownRun(repeat) + 1} of ${repeat.runs.length}`, '', ...runLines(shown, gate).slice(1)]
}

const marks: Record<Headline['status'], string> = {healthy: '✅', findings: '❌', inconclusive: '⚠️'}

function headlineLine(headline: Headline, gate: CiGate): string {
  const gateText = gate.exitCode === 0 ? 'gate passed' : gate.exitCode === 1 ? 'gate failed' : gate.exitCode === 3 ? 'inconclusive' : 'error'
  return `## ${marks[headline.status]} reactor-doctor bench: ${inline(headline.text)} (exit ${gate.exitCode}, ${gateText})`
}

function runLines(run: BenchRun, gate: CiGate): string[] {
  const {target, load} = run
  const where = `${formatEndpoint({address: target.host, port: target.port})}${target.pid === null ? '' : `, pid ${target.pid}`}`
  const silent = countSilentClients(load)
  const idle = countIdleClients(load)
  const requested = load.requested === null ? 'duration run' : `${load.requested} requested`
  const latency = load.latencyMs === null ? 'no responses' : `p50 ${load.latencyMs.p50} ms, p99 ${load.latencyMs.p99} ms, max ${load.latencyMs.max} ms`
  return [
    headlineLine(describeRun(run), gate),
    '',
    `${inline(target.description)} (\`${where}\`), run took ${formatMs(run.durationMs)}`,
    ...findingLines(run.verdict, gate),
    ...noteLines(run.verdict.notes),
    '',
    '### Load',
    '',
    '| | |',
    '|---|---|',
    tableRow(['engine', `${load.engine}, ${load.concurrency} connections, ${load.keepAlive ? 'keep-alive' : 'no keep-alive'}, ${load.url}`]),
    tableRow(['requests', `${load.completed} completed / ${load.sent} sent / ${requested}`]),
    tableRow(['clients', describeClients(load.connections.length, load.connections.length - silent - idle, silent, idle)]),
    tableRow(['rate', `${Math.round(load.requestsPerSecond)} req/s over ${formatMs(load.durationMs)}`]),
    tableRow(['latency', latency]),
    tableRow(['errors', `${load.errors} connection errors, ${load.non2xx} non-2xx, ${load.reconnects} reconnects`]),
    tableRow(['ended', describeLoadEnd(load)]),
    tableRow(['peak accept queue', String(Math.max(0, ...run.timeline.map((point) => point.acceptQueue ?? 0)))]),
  ]
}

function matrixLines(matrix: MatrixReport, gate: CiGate): string[] {
  const lines = [
    headlineLine(describeMatrix(matrix), gate),
    '',
    '| mode | lost runs | completed | peak queue | never accepted | time per run |',
    '|---|---:|---:|---:|---:|---:|',
    ...matrix.rows.map((row) =>
      tableRow([
        row.label,
        `${row.lossyRuns}/${row.runs}`,
        describeCompleted(row),
        String(row.peakAcceptQueue),
        describeNeverAccepted(row),
        formatMs(row.durationsMs.reduce((sum, ms) => sum + ms, 0) / Math.max(1, row.durationsMs.length)),
      ]),
    ),
  ]
  if (matrix.conclusion.length > 0) lines.push('', '### Conclusion', '', ...matrix.conclusion.map((sentence) => inline(sentence)))
  // The findings of each mode, from its first run that had any (the other runs' are alike).
  for (const row of matrix.rows) {
    const runs = matrix.runs.filter((run) => sameMode(run, row.mode))
    const first = runs.find((run) => run.verdict.findings.length > 0)
    if (!first) continue
    const withFindings = runs.filter((run) => run.verdict.findings.length > 0).length
    lines.push('', `### ${inline(row.label)}: findings in ${withFindings} of ${runs.length} runs (the first shown)`)
    lines.push(...findingLines(first.verdict, gate, 4))
  }
  return lines
}

export function sameMode(run: BenchRun, mode: object): boolean {
  const runMode = run.target.kind === 'reference' ? run.target.mode : null
  return runMode !== null && runMode !== undefined && JSON.stringify(runMode) === JSON.stringify(mode)
}

/** Each finding with its evidence, then its diagnosis: what was seen in the server, why, the fix. */
function findingLines(verdict: Verdict, gate: CiGate, level = 3): string[] {
  return verdict.findings.flatMap((finding, index) => {
    const diagnosis = verdict.diagnoses.find((d) => d.symptoms.includes(finding.kind))
    const cause = diagnosis?.cause
    const seen = cause === undefined ? [] : ['', `**${cause.kind === 'unknown' ? 'Not seen' : cause.inferred ? 'Inferred' : 'Seen'} (\`${cause.kind}\`):** ${inline(cause.summary)}`]
    const known = diagnosis !== undefined && cause?.kind !== 'unknown'
    return [
      '',
      `${'#'.repeat(level)} ${index + 1}. ${inline(finding.title)}`,
      '',
      `\`${finding.kind}\`${gate.failing.includes(finding.kind) ? ' — fails the gate' : ' — reported, does not fail the gate (--fail-on)'}`,
      '',
      ...finding.evidence.map((line) => `- ${inline(line)}`),
      ...seen,
      '',
      `**Why:** ${inline(known ? diagnosis.explanation : finding.explanation)}`,
      '',
      `**Fix:** ${inline(known ? diagnosis.advice : finding.advice)}`,
    ]
  })
}

function noteLines(notes: string[]): string[] {
  return notes.length === 0 ? [] : ['', '### Notes', '', ...notes.map((note) => `- ${inline(note)}`)]
}

function tableRow(cells: string[]): string {
  return `| ${cells.map((cell) => inline(cell).replace(/\|/g, '\\|')).join(' | ')} |`
}

/**
 * Text as Markdown shows it: GitHub renders raw HTML and Markdown syntax in a summary, so the
 * characters that would start a tag, an entity or emphasis are escaped; newlines become spaces.
 */
export function inline(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]#])/g, '\\$1')
}
