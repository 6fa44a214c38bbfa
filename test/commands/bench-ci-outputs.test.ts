import {XMLParser, XMLValidator} from 'fast-xml-parser'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/run-cli.js'

const dir = mkdtempSync(join(tmpdir(), 'rd-ci-outputs-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))
const oneLine = (stderr: string) => stderr.replace(/\s*\n\s*›?\s*/g, ' ').replace(/\s+/g, ' ')

describe('bench --summary and --junit on real runs', () => {
  it('a healthy level-triggered run: a Markdown summary and a passing JUnit test case', async () => {
    const summary = join(dir, 'summary.md')
    const junit = join(dir, 'junit.xml')
    const result = await runCli(['bench', '--trigger', 'lt', '-n', '200', '-c', '10', '--summary', summary, '--junit', junit], {env: {GITHUB_STEP_SUMMARY: ''}})
    expect(result.exitCode, result.stderr).toBe(0)
    const markdown = readFileSync(summary, 'utf8')
    expect(markdown.split('\n')[0]).toBe('## ✅ reactor-doctor bench: HEALTHY: 200/200 requests, accept queue drained (exit 0, gate passed)')
    expect(markdown).toContain('| requests | 200 completed / 200 sent / 200 requested |')
    const xml = readFileSync(junit, 'utf8')
    expect(XMLValidator.validate(xml)).toBe(true)
    const doc = new XMLParser({ignoreAttributes: false}).parse(xml)
    expect(doc.testsuites['@_tests']).toBe('1')
    expect(doc.testsuites['@_failures']).toBe('0')
    expect(doc.testsuites.testsuite.testcase['@_name']).toMatch(/^reference server: level-triggered, /)
  }, 90_000)

  it('the seed bug with --fail-on all: a failure per finding, and the summary appended to $GITHUB_STEP_SUMMARY', async () => {
    const stepSummary = join(dir, 'step-summary.md')
    writeFileSync(stepSummary, '# earlier step\n')
    const junit = join(dir, 'seed.xml')
    const result = await runCli(['bench', '--trigger', 'et', '--threads', '4', '--accept', 'once', '--fail-on', 'all', '--junit', junit], {env: {GITHUB_STEP_SUMMARY: stepSummary}})
    const doc = new XMLParser({ignoreAttributes: false, isArray: (name) => name === 'failure'}).parse(readFileSync(junit, 'utf8'))
    const failures = (doc.testsuites.testsuite.testcase.failure ?? []) as Array<{'@_type': string}>
    const markdown = readFileSync(stepSummary, 'utf8')
    expect(markdown.startsWith('# earlier step\n## ')).toBe(true)
    // The race may not show in one run: either way the three outputs agree with each other.
    if (result.exitCode === 1) {
      expect(failures.length).toBeGreaterThan(0)
      expect(doc.testsuites['@_failures']).toBe(String(failures.length))
      expect(markdown).toContain('(exit 1, gate failed)')
      for (const failure of failures) expect(markdown).toContain(`\`${failure['@_type']}\` — fails the gate`)
    } else {
      expect(result.exitCode, result.stderr).toBe(0)
      expect(failures).toEqual([])
      expect(markdown).toContain('(exit 0, gate passed)')
    }
  }, 90_000)

  it('an unwritable path fails before the run, in one line', async () => {
    const result = await runCli(['bench', '--trigger', 'lt', '--junit', '/proc/junit.xml'])
    expect(result.exitCode).toBe(2)
    expect(oneLine(result.stderr)).toContain('--junit /proc/junit.xml is not a regular file')
    const env = await runCli(['bench', '--trigger', 'lt'], {env: {GITHUB_STEP_SUMMARY: join(dir, 'missing-dir', 'summary.md')}})
    expect(env.exitCode).toBe(2)
    expect(oneLine(env.stderr)).toContain('$GITHUB_STEP_SUMMARY')
  })
})
