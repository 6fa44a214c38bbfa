import {describe, expect, it} from 'vitest'
import {decideGate, defaultFailOn, failsGate, parseFailOn, passedGateNote} from '../../src/bench/fail-on.js'
import type {BenchReport} from '../../src/bench/types.js'
import type {Finding, FindingKind, Verdict} from '../../src/diagnose/types.js'

const finding = (kind: FindingKind): Finding => ({kind, title: kind, explanation: '', advice: '', evidence: []})
const verdict = (...kinds: FindingKind[]): Verdict => ({status: kinds.length > 0 ? 'findings' : 'healthy', findings: kinds.map(finding), diagnoses: [], notes: []})

describe('the CI gate', () => {
  it('fails on the default kinds, not on a listen overflow alone', () => {
    expect(failsGate(verdict('lost-connections'), defaultFailOn)).toBe(true)
    expect(failsGate(verdict('server-exited'), defaultFailOn)).toBe(true)
    expect(failsGate(verdict('listen-overflow'), defaultFailOn)).toBe(false)
    expect(failsGate(verdict('listen-overflow'), parseFailOn('all'))).toBe(true)
  })

  it('reads --fail-on lists and names unknown kinds', () => {
    expect(parseFailOn('listen-overflow, data-left-unread')).toEqual(['listen-overflow', 'data-left-unread'])
    expect(() => parseFailOn('lost,listen-overflow')).toThrow('--fail-on: unknown finding lost')
    expect(() => parseFailOn(' , ')).toThrow('--fail-on: unknown finding (empty)')
  })

  it('says why findings still exit 0, and only then', () => {
    expect(passedGateNote(verdict('listen-overflow', 'data-left-unread', 'listen-overflow'), defaultFailOn)).toBe(
      'Gate passed (exit 0): --fail-on does not name listen-overflow, data-left-unread; --fail-on all fails on every finding',
    )
    expect(passedGateNote(verdict('listen-overflow', 'lost-connections'), defaultFailOn)).toBeNull()
    expect(passedGateNote(verdict(), defaultFailOn)).toBeNull()
  })
})

describe('decideGate', () => {
  const single = (v: Verdict) => ({kind: 'single', run: {verdict: v}}) as unknown as BenchReport
  const matrix = (...verdicts: Verdict[]) => ({kind: 'matrix', matrix: {runs: verdicts.map((v) => ({verdict: v}))}}) as unknown as BenchReport

  it('one run: 1 on a failing finding, 3 when inconclusive, else 0 with a note for findings it lets pass', () => {
    expect(decideGate(single(verdict('lost-connections')), defaultFailOn, false)).toEqual({exitCode: 1, failing: defaultFailOn, note: null})
    expect(decideGate(single({status: 'inconclusive', findings: [], diagnoses: [], notes: ['x']}), defaultFailOn, false)).toEqual({exitCode: 3, failing: defaultFailOn, note: null})
    expect(decideGate(single(verdict()), defaultFailOn, false)).toEqual({exitCode: 0, failing: defaultFailOn, note: null})
    expect(decideGate(single(verdict('listen-overflow')), defaultFailOn, false).exitCode).toBe(0)
    expect(decideGate(single(verdict('listen-overflow')), defaultFailOn, false).note).toContain('Gate passed (exit 0)')
  })

  it('the matrix exits 0 once it has run, unless --fail-on is given', () => {
    expect(decideGate(matrix(verdict('lost-connections')), defaultFailOn, false).exitCode).toBe(0)
    expect(decideGate(matrix(verdict(), verdict('lost-connections')), defaultFailOn, true).exitCode).toBe(1)
    expect(decideGate(matrix(verdict(), verdict()), defaultFailOn, true).exitCode).toBe(0)
    // What --summary and --junit mark as failing agrees: nothing for a matrix without --fail-on.
    expect(decideGate(matrix(verdict('lost-connections')), defaultFailOn, false).failing).toEqual([])
    expect(decideGate(matrix(verdict('lost-connections')), ['lost-connections'], true).failing).toEqual(['lost-connections'])
  })
})
