/**
 * Runs the steps of action.yml (the composite GitHub Action) here, the way the runner would, for
 * its test (`act` is not installable on this machine): inputs are the action's defaults with
 * --input NAME=VALUE on top; `${{ inputs.* }}`, `${{ github.action_path }}`,
 * `${{ github.workspace }}` and `${{ steps.ID.outputs.* }}` are substituted; `run:` steps go to
 * `bash --noprofile --norc -eo pipefail` (GitHub's `shell: bash`) with GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY, GITHUB_ACTION_PATH set; a step after a failure runs only with
 * `if: always()`. The two `uses:` steps are stood in for: actions/setup-node checks that the Node
 * on PATH has the major asked for; actions/upload-artifact copies the files into --artifacts DIR.
 *
 *   npx tsx scripts/run-action-steps.ts [--workspace DIR] [--artifacts DIR] [--input NAME=VALUE]...
 *
 * Prints each step's outcome and exits with the job's result (the failing step's exit code).
 */
import {execa} from 'execa'
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parse} from 'yaml'

interface Step {
  name?: string
  id?: string
  if?: string
  uses?: string
  with?: Record<string, string | number>
  shell?: string
  run?: string
  env?: Record<string, string>
  'working-directory'?: string
}

interface Action {
  inputs: Record<string, {default?: string}>
  outputs?: Record<string, {value: string}>
  runs: {using: string; steps: Step[]}
}

export interface StepResult {
  name: string
  outcome: 'success' | 'failure' | 'skipped'
  exitCode: number | null
  /** What a stood-in `uses:` step did. */
  note?: string
}

export interface ActionRun {
  steps: StepResult[]
  /** The action's outputs (its `outputs:` with the steps' values). */
  outputs: Record<string, string>
  /** The job's exit code: 0, or the first failing step's. */
  exitCode: number
  stepSummary: string
  /** Files "uploaded" by upload-artifact, as artifact-name/file. */
  artifacts: string[]
}

export interface RunActionOptions {
  actionPath: string
  workspace: string
  artifactsDir: string
  inputs: Record<string, string>
  /** Added to the steps' environment. */
  env?: NodeJS.ProcessEnv
  log?: (line: string) => void
}

export async function runActionSteps(options: RunActionOptions): Promise<ActionRun> {
  const action = parse(readFileSync(join(options.actionPath, 'action.yml'), 'utf8')) as Action
  if (action.runs.using !== 'composite') throw new Error(`action.yml: runs.using is ${action.runs.using}, not composite`)
  const inputs: Record<string, string> = {}
  for (const [name, spec] of Object.entries(action.inputs)) inputs[name] = String(spec.default ?? '')
  for (const [name, value] of Object.entries(options.inputs)) {
    if (!(name in inputs)) throw new Error(`action.yml has no input ${name}`)
    inputs[name] = value
  }
  const stepOutputs: Record<string, Record<string, string>> = {}
  const scratch = mkdtempSync(join(tmpdir(), 'rd-action-'))
  const stepSummary = join(scratch, 'step-summary.md')
  writeFileSync(stepSummary, '')
  const log = options.log ?? (() => {})
  const expand = (text: string): string =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
      let match: RegExpExecArray | null
      if ((match = /^inputs\.([\w-]+)$/.exec(expression))) return inputs[match[1]!] ?? fail(`unknown input ${match[1]}`)
      if (expression === 'github.action_path') return options.actionPath
      if (expression === 'github.workspace') return options.workspace
      if ((match = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression))) return stepOutputs[match[1]!]?.[match[2]!] ?? ''
      return fail(`unsupported expression \${{ ${expression} }}`)
    })
  const results: StepResult[] = []
  const artifacts: string[] = []
  let failedWith = 0
  try {
    for (const [index, step] of action.runs.steps.entries()) {
      const name = step.name ?? step.uses ?? `step ${index + 1}`
      if (step.if !== undefined && step.if.trim() !== 'always()') fail(`step "${name}": unsupported if: ${step.if}`)
      if (failedWith !== 0 && step.if?.trim() !== 'always()') {
        results.push({name, outcome: 'skipped', exitCode: null})
        continue
      }
      log(`▶ ${name}`)
      if (step.uses !== undefined) {
        const note = standIn(step, expand, options.artifactsDir, options.workspace, artifacts)
        log(`  ${note}`)
        results.push({name, outcome: 'success', exitCode: 0, note})
        continue
      }
      if (step.run === undefined) fail(`step "${name}" has neither run nor uses`)
      if (step.shell !== 'bash') fail(`step "${name}": composite run steps need shell: bash here, got ${step.shell}`)
      const script = join(scratch, `step-${index}.sh`)
      const output = join(scratch, `output-${index}`)
      writeFileSync(script, expand(step.run!))
      writeFileSync(output, '')
      const env: NodeJS.ProcessEnv = {
        ...options.env,
        GITHUB_ACTIONS: 'true',
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: stepSummary,
        GITHUB_ACTION_PATH: options.actionPath,
        GITHUB_WORKSPACE: options.workspace,
      }
      for (const [key, value] of Object.entries(step.env ?? {})) env[key] = expand(String(value))
      const cwd = step['working-directory'] === undefined ? options.workspace : resolve(options.workspace, expand(step['working-directory']))
      const child = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {cwd, env, reject: false, all: true, timeout: 10 * 60_000})
      for (const line of String(child.all ?? '').split('\n')) if (line !== '') log(`  ${line}`)
      const exitCode = child.exitCode ?? 1
      if (step.id !== undefined) stepOutputs[step.id] = readOutputs(readFileSync(output, 'utf8'))
      results.push({name, outcome: exitCode === 0 ? 'success' : 'failure', exitCode})
      log(`  ${exitCode === 0 ? 'success' : `failure (exit ${exitCode})`}`)
      if (exitCode !== 0 && failedWith === 0) failedWith = exitCode
    }
    const outputs: Record<string, string> = {}
    for (const [name, spec] of Object.entries(action.outputs ?? {})) outputs[name] = expand(spec.value)
    return {steps: results, outputs, exitCode: failedWith, stepSummary: readFileSync(stepSummary, 'utf8'), artifacts}
  } finally {
    rmSync(scratch, {recursive: true, force: true})
  }
}

/** The `uses:` steps this script stands in for; any other is an error, not a silent pass. */
function standIn(step: Step, expand: (text: string) => string, artifactsDir: string, workspace: string, artifacts: string[]): string {
  const uses = step.uses!
  if (/^actions\/setup-node@v\d+$/.test(uses)) {
    const wanted = String(step.with?.['node-version'] ?? '')
    const have = process.versions.node
    if (wanted === '' || have.split('.')[0] !== wanted.split('.')[0]) fail(`${uses}: node-version ${wanted} asked for, Node ${have} here`)
    return `stood in: Node ${have} on PATH has the major asked for (${wanted})`
  }
  if (/^actions\/upload-artifact@v\d+$/.test(uses)) {
    const name = expand(String(step.with?.name ?? 'artifact'))
    const paths = expand(String(step.with?.path ?? '')).split('\n').map((line) => line.trim()).filter((line) => line !== '')
    const found = paths.map((path) => resolve(workspace, path)).filter((path) => existsSync(path))
    if (found.length === 0 && step.with?.['if-no-files-found'] === 'error') fail(`${uses}: no file at ${paths.join(', ')}`)
    mkdirSync(join(artifactsDir, name), {recursive: true})
    for (const path of found) {
      copyFileSync(path, join(artifactsDir, name, basename(path)))
      artifacts.push(`${name}/${basename(path)}`)
    }
    return `stood in: artifact ${name} with ${found.length === 0 ? 'no file (warning)' : found.map((path) => basename(path)).join(', ')}`
  }
  return fail(`unsupported uses: ${uses}`)
}

function readOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=')
    if (equals > 0) outputs[line.slice(0, equals)] = line.slice(equals + 1)
  }
  return outputs
}

function fail(message: string): never {
  throw new Error(message)
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const inputs: Record<string, string> = {}
  let workspace = process.cwd()
  let artifactsDir = join(process.cwd(), 'action-artifacts')
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1]
    if (argv[i] === '--input' && value?.includes('=')) inputs[value.slice(0, value.indexOf('='))] = value.slice(value.indexOf('=') + 1)
    else if (argv[i] === '--workspace' && value) workspace = resolve(value)
    else if (argv[i] === '--artifacts' && value) artifactsDir = resolve(value)
    else fail(`usage: run-action-steps.ts [--workspace DIR] [--artifacts DIR] [--input NAME=VALUE]... (at ${argv[i]})`)
    i++
  }
  const actionPath = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '')
  const run = await runActionSteps({actionPath, workspace, artifactsDir, inputs, env: process.env, log: (line) => console.error(line)})
  console.log(JSON.stringify(run, null, 2))
  process.exitCode = run.exitCode
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main()
