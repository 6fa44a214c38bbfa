import {XMLParser, XMLValidator} from 'fast-xml-parser'
import {describe, expect, it} from 'vitest'
import {defaultFailOn} from '../../src/bench/fail-on.js'
import {renderJunit} from '../../src/report/junit.js'
import {describeRun} from '../../src/report/bench-text.js'
import {loadMatrix, loadRepeat, loadReport, loadRun} from '../helpers/captured-reports.js'

const at = new Date(Date.UTC(2026, 10, 27, 18, 30, 0))
const seconds = (ms: number) => (ms / 1000).toFixed(3)

interface Case {
  '@_name': string
  '@_classname': string
  '@_time': string
  failure?: Array<{'@_type': string; '@_message': string; '#text': string}>
  error?: Array<{'@_type': string; '@_message': string}>
  'system-out'?: string[]
}

/** Parses the JUnit file as a CI system would, after checking it is well-formed XML. */
function parse(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true)
  const parser = new XMLParser({ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase', 'failure', 'error', 'system-out', 'property'].includes(name)})
  const doc = parser.parse(xml) as {testsuites: {'@_tests': string; '@_failures': string; '@_errors': string; testsuite: Array<{'@_tests': string; '@_failures': string; '@_timestamp': string; properties: {property: Array<{'@_name': string; '@_value': string}>}; testcase: Case[]}>}}
  const suites = doc.testsuites
  expect(suites.testsuite).toHaveLength(1)
  const suite = suites.testsuite[0]!
  // The counts agree with the elements, as JUnit readers expect.
  const failures = suite.testcase.reduce((sum, c) => sum + (c.failure?.length ?? 0), 0)
  const errors = suite.testcase.reduce((sum, c) => sum + (c.error?.length ?? 0), 0)
  expect([suites['@_tests'], suites['@_failures'], suites['@_errors']]).toEqual([String(suite.testcase.length), String(failures), String(errors)])
  expect([suite['@_tests'], suite['@_failures']]).toEqual([String(suite.testcase.length), String(failures)])
  const properties = Object.fromEntries(suite.properties.property.map((p) => [p['@_name'], p['@_value']]))
  return {suite, cases: suite.testcase, properties}
}

describe('renderJunit on real reports (test/fixtures/reports/)', () => {
  it('one run: one test case, a failure per finding that fails the gate, with its evidence', () => {
    const run = loadRun('lossy-et-accept-once')
    const {suite, cases, properties} = parse(renderJunit({kind: 'single', run}, {failing: defaultFailOn, exitCode: 1}, at))
    expect(suite['@_timestamp']).toBe('2026-11-27T18:30:00')
    expect(properties).toEqual({verdict: describeRun(run).text, 'exit-code': '1', 'fail-on': defaultFailOn.join(',')})
    expect(cases.map((c) => [c['@_classname'], c['@_name'], c['@_time']])).toEqual([['reactor-doctor.bench', run.target.description, seconds(run.durationMs)]])
    const failing = run.verdict.findings.filter((f) => defaultFailOn.includes(f.kind))
    expect(failing.length).toBeGreaterThan(0)
    const failures = cases[0]!.failure!
    expect(failures.map((f) => [f['@_type'], f['@_message']])).toEqual(failing.map((f) => [f.kind, f.title]))
    failures.forEach((failure, i) => {
      const body = failure['#text'].split('\n')
      expect(body.slice(0, failing[i]!.evidence.length)).toEqual(failing[i]!.evidence.map((line) => `evidence: ${line}`))
      expect(body.at(-1)).toBe(`fix: ${failing[i]!.advice}`)
    })
  })

  it('findings outside --fail-on are no failure: they go to system-out', () => {
    const run = loadRun('lossy-et-accept-once')
    const {cases} = parse(renderJunit({kind: 'single', run}, {failing: ['lost-connections'], exitCode: 1}, at))
    expect(cases[0]!.failure!.map((f) => f['@_type'])).toEqual(['lost-connections'])
    const others = run.verdict.findings.filter((f) => f.kind !== 'lost-connections')
    expect(cases[0]!['system-out']![0]!.split('\n')).toEqual([describeRun(run).text, ...others.map((f) => `not failing the gate: ${f.kind}: ${f.title}`)])
  })

  it('a healthy run passes; the real inconclusive one is an error, as exit 3 is', () => {
    expect(parse(renderJunit(loadReport('healthy-lt'), {failing: defaultFailOn, exitCode: 0}, at)).cases[0]!.failure).toBeUndefined()
    const run = loadRun('inconclusive-wrong-protocol')
    const {cases} = parse(renderJunit({kind: 'single', run}, {failing: defaultFailOn, exitCode: 3}, at))
    expect(cases[0]!.error).toEqual([{'@_type': 'inconclusive', '@_message': run.verdict.notes[0]}])
  })

  it('--repeat: one test case per run, named by its number', () => {
    const repeat = loadRepeat('repeat-et-accept-once')
    const {cases} = parse(renderJunit({kind: 'repeat', repeat}, {failing: defaultFailOn, exitCode: 1}, at))
    expect(cases.map((c) => c['@_name'])).toEqual(repeat.runs.map((run, i) => `run ${i + 1} of ${repeat.runs.length}: ${run.target.description}`))
    expect(cases.map((c) => c.failure?.length ?? 0)).toEqual(repeat.runs.map((run) => run.verdict.findings.filter((f) => defaultFailOn.includes(f.kind)).length))
  })

  it('the matrix: one test case per mode, each failing kind once with the runs it showed in', () => {
    const matrix = loadMatrix('matrix-small')
    const {cases} = parse(renderJunit({kind: 'matrix', matrix}, {failing: ['accept-queue-not-drained'], exitCode: 1}, at))
    const runsOf = (mode: object) => matrix.runs.filter((run) => JSON.stringify(run.target.mode) === JSON.stringify(mode))
    expect(cases.map((c) => c['@_name'])).toEqual(matrix.rows.map((r) => r.label))
    matrix.rows.forEach((row, i) => {
      const runs = runsOf(row.mode)
      expect(runs).toHaveLength(row.runs)
      const showing = runs.filter((run) => run.verdict.findings.some((f) => f.kind === 'accept-queue-not-drained'))
      const first = showing[0]?.verdict.findings.find((f) => f.kind === 'accept-queue-not-drained')
      expect((cases[i]!.failure ?? []).map((f) => f['@_message'])).toEqual(first ? [`${first.title} (in ${showing.length} of ${runs.length} runs)`] : [])
      expect(cases[i]!['@_time']).toBe(seconds(runs.reduce((n, run) => n + run.durationMs, 0)))
    })
    // The ET accept-once modes lost connections, so they fail; the others pass.
    expect(cases.filter((c) => c.failure !== undefined).map((c) => c['@_name'])).toEqual(matrix.rows.filter((r) => r.lossyRuns > 0).map((r) => r.label))
    // Without --fail-on the matrix gate passes, and so do its test cases.
    expect(parse(renderJunit({kind: 'matrix', matrix}, {failing: [], exitCode: 0}, at)).cases.every((c) => c.failure === undefined)).toBe(true)
  })

  it('escapes markup and drops characters XML cannot hold', () => {
    const run = loadRun('lossy-et-accept-once')
    run.target.description = 'node -e "a<b && c>d" \'x\' \u0007bell'
    run.verdict.findings[0]!.evidence = ['<LISTEN> & "quoted"\u0000']
    const {cases} = parse(renderJunit({kind: 'single', run}, {failing: defaultFailOn, exitCode: 1}, at))
    expect(cases[0]!['@_name']).toBe('node -e "a<b && c>d" \'x\' \uFFFDbell')
    expect(cases[0]!.failure![0]!['#text'].split('\n')[0]).toBe('evidence: <LISTEN> & "quoted"\uFFFD')
  })
})
