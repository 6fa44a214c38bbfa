import {XMLParser, XMLValidator} from 'fast-xml-parser'
import {describe, expect, it} from 'vitest'
import {defaultFailOn} from '../../src/bench/fail-on.js'
import {renderJunit} from '../../src/report/junit.js'
import {buildHealthyRun, buildMatrixReport, buildSingleReport} from './sample-reports.js'

const at = new Date(Date.UTC(2026, 10, 27, 18, 30, 0))

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

describe('renderJunit', () => {
  it('one run: one test case, a failure per finding that fails the gate, with its evidence', () => {
    const {suite, cases, properties} = parse(renderJunit(buildSingleReport(), {failing: defaultFailOn, exitCode: 1}, at))
    expect(suite['@_timestamp']).toBe('2026-11-27T18:30:00')
    expect(properties).toEqual({verdict: 'LOST CONNECTIONS: 4 of 94 clients never got a byte', 'exit-code': '1', 'fail-on': defaultFailOn.join(',')})
    expect(cases.map((c) => [c['@_classname'], c['@_name'], c['@_time']])).toEqual([['reactor-doctor.bench', 'reference server: et, 4 I/O threads, accept once, read drain', '1.498']])
    const failures = cases[0]!.failure!
    expect(failures.map((f) => [f['@_type'], f['@_message']])).toEqual([
      ['accept-queue-not-drained', 'Accept queue not drained: 4 connections still wait in the LISTEN queue'],
      ['never-accepted-abandoned', 'Never-accepted connections abandoned: 4 clients gave up after sending their request'],
    ])
    expect(failures[0]!['#text'].split('\n').slice(0, 2)).toEqual([
      'evidence: LISTEN 127.0.0.1:40713 Recv-Q 4 (backlog 128), not falling for 1.20 s after the load stopped',
      'evidence: 127.0.0.1:41022: never accepted, CLOSE-WAIT with 114 unread bytes',
    ])
    expect(failures[0]!['#text']).toContain('fix: Accept in a loop until accept() fails with EAGAIN')
  })

  it('findings outside --fail-on are no failure: they go to system-out', () => {
    const {cases} = parse(renderJunit(buildSingleReport(), {failing: ['lost-connections'], exitCode: 0}, at))
    expect(cases[0]!.failure).toBeUndefined()
    expect(cases[0]!['system-out']![0]).toContain('not failing the gate: accept-queue-not-drained: Accept queue not drained')
  })

  it('a healthy run passes; an inconclusive one is an error, as exit 3 is', () => {
    expect(parse(renderJunit({kind: 'single', run: buildHealthyRun()}, {failing: defaultFailOn, exitCode: 0}, at)).cases[0]!.failure).toBeUndefined()
    const run = buildHealthyRun()
    run.verdict = {status: 'inconclusive', findings: [], diagnoses: [], notes: ['no LISTEN socket on port 40713 in the data']}
    const {cases} = parse(renderJunit({kind: 'single', run}, {failing: defaultFailOn, exitCode: 3}, at))
    expect(cases[0]!.error).toEqual([{'@_type': 'inconclusive', '@_message': 'no LISTEN socket on port 40713 in the data'}])
  })

  it('the matrix: one test case per mode, each failing kind once with the runs it showed in', () => {
    const {cases} = parse(renderJunit(buildMatrixReport(), {failing: ['accept-queue-not-drained'], exitCode: 1}, at))
    expect(cases.map((c) => [c['@_name'], (c.failure ?? []).map((f) => f['@_message'])])).toEqual([
      ['et, single thread, accept once', ['Accept queue not drained: 4 connections still wait in the LISTEN queue (in 1 of 3 runs)']],
      ['et, 4 I/O threads, accept once', ['Accept queue not drained: 4 connections still wait in the LISTEN queue (in 3 of 3 runs)']],
      ['lt, single thread, accept once', []],
      ['lt, 4 I/O threads, accept once', []],
      ['et, 4 I/O threads, accept drain', []],
    ])
    expect(cases[1]!['system-out']![0]).toContain('not failing the gate: never-accepted-abandoned in 3 of 3 runs')
    // Without --fail-on the matrix gate passes, and so do its test cases.
    expect(parse(renderJunit(buildMatrixReport(), {failing: [], exitCode: 0}, at)).cases.every((c) => c.failure === undefined)).toBe(true)
  })

  it('escapes markup and drops characters XML cannot hold', () => {
    const report = buildSingleReport()
    if (report.kind !== 'single') throw new Error('single')
    report.run.target.description = 'node -e "a<b && c>d" \'x\' \u0007bell'
    report.run.verdict.findings[0]!.evidence = ['<LISTEN> & "quoted"\u0000']
    const {cases} = parse(renderJunit(report, {failing: defaultFailOn, exitCode: 1}, at))
    expect(cases[0]!['@_name']).toBe('node -e "a<b && c>d" \'x\' \uFFFDbell')
    expect(cases[0]!.failure![0]!['#text'].split('\n')[0]).toBe('evidence: <LISTEN> & "quoted"\uFFFD')
  })
})
