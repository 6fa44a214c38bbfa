/**
 * `bench --junit`: the report as JUnit XML, the format most CI systems (GitLab, Jenkins, Azure,
 * CircleCI) show as test results. One <testcase> per run (or per mode of the matrix), one
 * <failure> per finding that fails the gate, so the test results agree with the exit code.
 * Findings outside --fail-on, notes and an inconclusive verdict go to <system-out>; a single
 * inconclusive run (exit 3) is an <error>, as the gate does not pass it either.
 */
import type {BenchReport, BenchRun} from '../bench/types.js'
import type {Finding} from '../diagnose/types.js'
import {describeMatrix, describeRepeat, describeRun} from './bench-text.js'
import {sameMode, type CiGate} from './summary-markdown.js'

interface TestCase {
  name: string
  seconds: number
  failures: Array<{type: string; message: string; body: string}>
  error: {type: string; message: string} | null
  output: string[]
}

const SUITE = 'reactor-doctor bench'

export function renderJunit(report: BenchReport, gate: CiGate, timestamp: Date = new Date()): string {
  // One test case per run (one run, or each of --repeat's), or per mode of the matrix.
  const cases =
    report.kind === 'single'
      ? [runCase(report.run, gate)]
      : report.kind === 'repeat'
        ? report.repeat.runs.map((run, i) => ({...runCase(run, gate), name: `run ${i + 1} of ${report.repeat.runs.length}: ${run.target.description}`}))
        : report.matrix.rows.map((row) => modeCase(row.label, report.matrix.runs.filter((run) => sameMode(run, row.mode)), gate))
  const headline = report.kind === 'single' ? describeRun(report.run) : report.kind === 'repeat' ? describeRepeat(report.repeat) : describeMatrix(report.matrix)
  const failures = cases.reduce((sum, c) => sum + c.failures.length, 0)
  const errors = cases.filter((c) => c.error !== null).length
  const seconds = cases.reduce((sum, c) => sum + c.seconds, 0)
  const counts = `tests="${cases.length}" failures="${failures}" errors="${errors}" time="${seconds.toFixed(3)}"`
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${SUITE}" ${counts}>`,
    `  <testsuite name="${SUITE}" ${counts} skipped="0" timestamp="${timestamp.toISOString().replace(/\.\d+Z$/, '')}">`,
    '    <properties>',
    `      <property name="verdict" value="${attr(headline.text)}"/>`,
    `      <property name="exit-code" value="${gate.exitCode}"/>`,
    `      <property name="fail-on" value="${attr(gate.failing.join(','))}"/>`,
    '    </properties>',
    ...cases.flatMap(caseLines),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}

function runCase(run: BenchRun, gate: CiGate): TestCase {
  const failing = run.verdict.findings.filter((finding) => gate.failing.includes(finding.kind))
  const others = run.verdict.findings.filter((finding) => !gate.failing.includes(finding.kind))
  const inconclusive = run.verdict.status === 'inconclusive'
  return {
    name: run.target.description,
    seconds: run.durationMs / 1000,
    failures: failing.map((finding) => ({type: finding.kind, message: finding.title, body: findingText(finding)})),
    error: inconclusive && failing.length === 0 ? {type: 'inconclusive', message: run.verdict.notes[0] ?? 'not enough data to decide'} : null,
    output: [describeRun(run).text, ...others.map((finding) => `not failing the gate: ${finding.kind}: ${finding.title}`), ...run.verdict.notes.map((note) => `note: ${note}`)],
  }
}

/** A mode of the matrix: each failing kind once, with the runs it showed in and the first run's evidence. */
function modeCase(label: string, runs: BenchRun[], gate: CiGate): TestCase {
  const byKind = new Map<string, {finding: Finding; runs: number}>()
  for (const run of runs) {
    for (const kind of new Set(run.verdict.findings.map((finding) => finding.kind))) {
      const seen = byKind.get(kind)
      if (seen) seen.runs++
      else byKind.set(kind, {finding: run.verdict.findings.find((finding) => finding.kind === kind)!, runs: 1})
    }
  }
  const entries = [...byKind.entries()]
  return {
    name: label,
    seconds: runs.reduce((sum, run) => sum + run.durationMs, 0) / 1000,
    failures: entries
      .filter(([kind]) => gate.failing.includes(kind as Finding['kind']))
      .map(([kind, {finding, runs: count}]) => ({type: kind, message: `${finding.title} (in ${count} of ${runs.length} runs)`, body: findingText(finding)})),
    error: null,
    output: [
      `${runs.length} runs: ${runs.map((run) => describeRun(run).text).join('; ')}`,
      ...entries.filter(([kind]) => !gate.failing.includes(kind as Finding['kind'])).map(([kind, {runs: count}]) => `not failing the gate: ${kind} in ${count} of ${runs.length} runs`),
    ],
  }
}

function findingText(finding: Finding): string {
  return [...finding.evidence.map((line) => `evidence: ${line}`), `why: ${finding.explanation}`, `fix: ${finding.advice}`].join('\n')
}

function caseLines(testCase: TestCase): string[] {
  const open = `    <testcase classname="reactor-doctor.bench" name="${attr(testCase.name)}" time="${testCase.seconds.toFixed(3)}"`
  const inner = [
    ...testCase.failures.map((failure) => `      <failure type="${attr(failure.type)}" message="${attr(failure.message)}">${text(failure.body)}</failure>`),
    ...(testCase.error === null ? [] : [`      <error type="${attr(testCase.error.type)}" message="${attr(testCase.error.message)}"/>`]),
    ...(testCase.output.length === 0 ? [] : [`      <system-out>${text(testCase.output.join('\n'))}</system-out>`]),
  ]
  return inner.length === 0 ? [`${open}/>`] : [`${open}>`, ...inner, '    </testcase>']
}

/** XML 1.0 allows no control characters but tab, newline and carriage return. */
function text(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function attr(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/\n/g, '&#10;')
}
