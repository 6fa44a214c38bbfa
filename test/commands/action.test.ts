import {XMLValidator} from 'fast-xml-parser'
import {cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runActionSteps} from '../../scripts/run-action-steps.js'

/**
 * action.yml's steps, run in order by scripts/run-action-steps.ts (`act` is not installable
 * here), on a copy of the action's files as `uses:` would check them out: its install step
 * builds there (TypeScript and the C server; node_modules is linked to this checkout's, so
 * `npm ci` is skipped), leaving this checkout's dist/ alone while other tests run from it.
 * Each test takes 10-40 s on a busy 2-core machine.
 */
const checkout = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '')
let actionPath = ''
const dirs: string[] = []
beforeAll(() => {
  actionPath = mkdtempSync(join(tmpdir(), 'rd-action-checkout-'))
  dirs.push(actionPath)
  for (const entry of ['action.yml', 'package.json', 'package-lock.json', 'tsconfig.json', 'bin', 'src', 'reference-server']) {
    cpSync(join(checkout, entry), join(actionPath, entry), {recursive: true, filter: (source) => !source.startsWith(join(checkout, 'reference-server/build'))})
  }
  symlinkSync(realpathSync(join(checkout, 'node_modules')), join(actionPath, 'node_modules'))
})
afterAll(() => {
  for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
})
function scratch(): {workspace: string; artifactsDir: string} {
  const dir = mkdtempSync(join(tmpdir(), 'rd-action-test-'))
  dirs.push(dir)
  return {workspace: dir, artifactsDir: join(dir, 'artifacts')}
}
// vitest's NODE_ENV=test would make oclif run src/ through tsx instead of the built dist/.
const env = {NODE_ENV: undefined, PATH: process.env.PATH}

describe('action.yml, its steps run in order', () => {
  it('a healthy reference-server run: every step succeeds, the report, JUnit and summary are written', async () => {
    const {workspace, artifactsDir} = scratch()
    const run = await runActionSteps({
      actionPath, workspace, artifactsDir, env,
      inputs: {args: '--trigger lt', requests: '200', concurrency: '10', junit: 'junit.xml'},
    })
    expect(run.steps.map((step) => [step.name, step.outcome])).toEqual([
      ['Set up Node 20', 'success'],
      ['Install and build reactor-doctor', 'success'],
      ['Run reactor-doctor bench', 'success'],
      ['Upload the HTML report', 'success'],
    ])
    expect([run.exitCode, run.outputs['exit-code']]).toEqual([0, '0'])
    expect(run.artifacts).toEqual(['reactor-doctor-report/reactor-doctor-report.html', 'reactor-doctor-report/junit.xml'])
    expect(readFileSync(join(artifactsDir, 'reactor-doctor-report/reactor-doctor-report.html'), 'utf8')).toMatch(/^<!doctype html>/i)
    expect(XMLValidator.validate(readFileSync(join(workspace, 'junit.xml'), 'utf8'))).toBe(true)
    expect(run.stepSummary).toMatch(/^## ✅ reactor-doctor bench: HEALTHY: 200\/200 requests/)
  }, 180_000)

  it("the user's command that never closes: the bench step fails with exit 1, the report is still uploaded", async () => {
    const {workspace, artifactsDir} = scratch()
    const server = join(checkout, 'test/servers/never-close.mjs')
    const run = await runActionSteps({
      actionPath, workspace, artifactsDir, env,
      inputs: {command: `node ${server} --port {port}`, requests: '200', concurrency: '10'},
    })
    expect(run.steps.map((step) => [step.name, step.outcome, step.exitCode])).toEqual([
      ['Set up Node 20', 'success', 0],
      ['Install and build reactor-doctor', 'success', 0],
      ['Run reactor-doctor bench', 'failure', 1],
      ['Upload the HTML report', 'success', 0],
    ])
    expect([run.exitCode, run.outputs['exit-code']]).toEqual([1, '1'])
    expect(existsSync(join(artifactsDir, 'reactor-doctor-report/reactor-doctor-report.html'))).toBe(true)
    expect(run.stepSummary).toContain('`accepted-never-closed` — fails the gate')
  }, 180_000)
})
