/** The Markdown summary of real runs (test/fixtures/reports/): expectations from the reports' fields. */
import {describe, expect, it} from 'vitest'
import {defaultFailOn} from '../../src/bench/fail-on.js'
import {describeRun} from '../../src/report/bench-text.js'
import {inline, renderSummaryMarkdown} from '../../src/report/summary-markdown.js'
import {loadMatrix, loadRepeat, loadReport, loadRun, lostClients} from '../helpers/captured-reports.js'

const lines = (text: string) => text.split('\n')

describe('renderSummaryMarkdown on the real ET accept-once run', () => {
  const run = loadRun('lossy-et-accept-once')
  const text = lines(renderSummaryMarkdown({kind: 'single', run}, {failing: defaultFailOn, exitCode: 1}))

  it('the verdict and the gate first, then what ran where', () => {
    const silent = lostClients(run).length
    expect(text[0]).toBe(`## ❌ reactor-doctor bench: LOST CONNECTIONS: ${silent} of ${run.load.connections.length} clients never got a byte (exit 1, gate failed)`)
    expect(text[2]).toMatch(new RegExp(`^${escapeRegExp(`${inline(run.target.description)} (\`127.0.0.1:${run.target.port}, pid ${run.target.pid}\`), run took `)}`))
  })

  it('each finding in order: its title, its kind and whether it fails the gate, every evidence line', () => {
    const {findings} = run.verdict
    findings.forEach((finding, index) => {
      const at = text.indexOf(`### ${index + 1}. ${inline(finding.title)}`)
      expect(at, finding.kind).toBeGreaterThan(0)
      const fails = defaultFailOn.includes(finding.kind)
      expect(text[at + 2]).toBe(`\`${finding.kind}\`${fails ? ' — fails the gate' : ' — reported, does not fail the gate (--fail-on)'}`)
      expect(text.slice(at + 4, at + 4 + finding.evidence.length)).toEqual(finding.evidence.map((line) => `- ${inline(line)}`))
    })
  })

  it("each symptom names the cause seen in the server, and the diagnosis's why and fix", () => {
    const [diagnosis] = run.verdict.diagnoses
    expect(text.filter((line) => line === `**Seen (\`${diagnosis!.cause.kind}\`):** ${inline(diagnosis!.cause.summary)}`)).toHaveLength(diagnosis!.symptoms.length)
    expect(text).toContain(`**Why:** ${inline(diagnosis!.explanation)}`)
    expect(text).toContain(`**Fix:** ${inline(diagnosis!.advice)}`)
  })

  it('then the load table, ending with the peak accept queue of the samples', () => {
    const {load} = run
    const table = text.slice(text.indexOf('### Load') + 2)
    const silent = lostClients(run).length
    expect(table.slice(0, 4)).toEqual([
      '| | |',
      '|---|---|',
      `| engine | ab, ${load.concurrency} connections, keep-alive, ${load.url} |`,
      `| requests | ${load.completed} completed / ${load.sent} sent / ${load.requested} requested |`,
    ])
    expect(table).toContain(`| clients | ${load.connections.length - silent} of ${load.connections.length} got a response, ${silent} never got a byte |`)
    expect(table.at(-2)).toBe(`| peak accept queue | ${Math.max(...run.timeline.map((p) => p.acceptQueue ?? 0))} |`)
  })

  it('a finding outside --fail-on says it does not fail the gate', () => {
    const passed = lines(renderSummaryMarkdown({kind: 'single', run}, {failing: ['lost-connections'], exitCode: 0}))
    expect(passed[0]).toMatch(/ \(exit 0, gate passed\)$/)
    expect(passed).toContain('`accept-queue-not-drained` — reported, does not fail the gate (--fail-on)')
    expect(passed).toContain('`lost-connections` — fails the gate')
  })
})

describe('renderSummaryMarkdown on other real reports', () => {
  it('a healthy run: a check mark and no findings section', () => {
    const run = loadRun('healthy-lt')
    const text = renderSummaryMarkdown({kind: 'single', run}, {failing: defaultFailOn, exitCode: 0})
    expect(lines(text)[0]).toBe(`## ✅ reactor-doctor bench: ${inline(describeRun(run).text)} (exit 0, gate passed)`)
    expect(text).not.toContain('**Why:**')
  })

  it('an inconclusive run: a warning sign, and the notes listed', () => {
    const run = loadRun('inconclusive-wrong-protocol')
    const text = lines(renderSummaryMarkdown({kind: 'single', run}, {failing: defaultFailOn, exitCode: 3}))
    expect(text[0]).toBe(`## ⚠️ reactor-doctor bench: ${inline(`INCONCLUSIVE: ${run.verdict.notes[0]}`)} (exit 3, inconclusive)`)
    const notes = text.slice(text.indexOf('### Notes') + 2)
    expect(notes.slice(0, run.verdict.notes.length)).toEqual(run.verdict.notes.map((note) => `- ${inline(note)}`))
  })

  it('--repeat: the k-of-N line, then the first lossy run in full', () => {
    const repeat = loadRepeat('repeat-et-accept-once')
    const text = lines(renderSummaryMarkdown({kind: 'repeat', repeat}, {failing: defaultFailOn, exitCode: 1}))
    expect(text[0]).toBe(`## ❌ reactor-doctor bench: LOST CONNECTIONS in ${repeat.lossyRuns} of ${repeat.runs.length} runs (exit 1, gate failed)`)
    const shown = repeat.runs.findIndex((run) => lostClients(run).length > 0)
    expect(text[2]).toBe(`### Run ${shown + 1} of ${repeat.runs.length}`)
    expect(text).toContain(`### 1. ${inline(repeat.runs[shown]!.verdict.findings[0]!.title)}`)
  })

  it('the matrix: one table row per mode, the conclusion, then the findings of each mode that had some', () => {
    const matrix = loadMatrix('matrix-small')
    const text = lines(renderSummaryMarkdown({kind: 'matrix', matrix}, {failing: [], exitCode: 0}))
    const runs = matrix.rows.reduce((n, r) => n + r.runs, 0)
    const lossy = matrix.rows.reduce((n, r) => n + r.lossyRuns, 0)
    const modes = matrix.rows.filter((r) => r.lossyRuns > 0)
    expect(text[0]).toBe(`## ❌ reactor-doctor bench: LOST CONNECTIONS: ${lossy} of ${runs} runs, in ${modes.length} of ${matrix.rows.length} modes (exit 0, gate passed)`)
    expect(text.slice(2, 4)).toEqual(['| mode | lost runs | completed | peak queue | never accepted | time per run |', '|---|---:|---:|---:|---:|---:|'])
    const rows = text.slice(4, 4 + matrix.rows.length)
    expect(rows.map((line) => line.split(' | ')[0])).toEqual(matrix.rows.map((r) => `| ${r.label}`))
    expect(rows.map((line) => line.split(' | ')[1])).toEqual(matrix.rows.map((r) => `${r.lossyRuns}/${r.runs}`))
    for (const sentence of matrix.conclusion) expect(text).toContain(inline(sentence))
    // Each mode with findings, counted from its own runs (every run of the matrix has its mode).
    const withFindings = matrix.rows
      .map((r) => ({label: r.label, runs: matrix.runs.filter((run) => JSON.stringify(run.target.mode) === JSON.stringify(r.mode))}))
      .filter(({runs: of}) => of.some((run) => run.verdict.findings.length > 0))
      .map(({label, runs: of}) => `### ${inline(label)}: findings in ${of.filter((run) => run.verdict.findings.length > 0).length} of ${of.length} runs (the first shown)`)
    expect(withFindings.length).toBeGreaterThanOrEqual(modes.length)
    expect(text.filter((line) => line.startsWith('### ') && line.includes('findings in'))).toEqual(withFindings)
  })

  it('escapes what GitHub would render as HTML or Markdown, and pipes in table cells', () => {
    expect(inline('node -e "<script>" *x* a_b [l](u) `c` &amp;\nnext')).toBe('node -e "&lt;script&gt;" \\*x\\* a\\_b \\[l\\](u) \\`c\\` &amp;amp; next')
    const report = loadReport('healthy-lt')
    if (report.kind !== 'single') throw new Error('single')
    report.run.load.url = `${report.run.load.url}a|b`
    expect(renderSummaryMarkdown(report, {failing: defaultFailOn, exitCode: 0})).toContain(`| engine | ab, ${report.run.load.concurrency} connections, keep-alive, ${report.run.load.url.replace('|', '\\|')} |`)
  })
})

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
