import {execa} from 'execa'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const bin = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
// vitest sets NODE_ENV=test, with which oclif would run src/ through tsx instead of the built dist/.
const userEnv = {NO_COLOR: '1', NODE_ENV: undefined}

export interface CliResult {
  exitCode: number
  stdout: string
  stderr: string
}

export interface CliOptions {
  timeoutMs?: number
  /** Added to the test's environment (PATH here replaces it). */
  env?: NodeJS.ProcessEnv
  /** Written to the CLI's stdin, e.g. for `--file -`; stdin is closed otherwise. */
  input?: string
  /** A pipe on stdin left open for the test to write to (startCli). */
  openStdin?: boolean
}

/**
 * Starts the built CLI (bin/run.js, dist/ from npm run build: npm test builds first), as a user
 * runs it. The node that runs the tests runs the CLI, whatever PATH the test sets.
 */
export function startCli(args: string[], options: CliOptions = {}) {
  return execa(process.execPath, [bin, ...args], {
    cwd: root,
    reject: false,
    timeout: options.timeoutMs ?? 60_000,
    env: {...userEnv, ...options.env},
    stdin: options.input === undefined && !options.openStdin ? 'ignore' : 'pipe',
    input: options.input,
  })
}

export type CliProcess = ReturnType<typeof startCli>

export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return toResult(await startCli(args, options))
}

/**
 * Runs the CLI with its stdout into an OS pipe read half a second late, as `reactor-doctor ... | jq`
 * does in a shell. Such a pipe holds 64 KiB; execa's own stdout (a socket pair) holds more, and
 * would hide output lost when the CLI exits before it drains.
 */
export async function runCliPiped(args: string[], options: {timeoutMs?: number} = {}): Promise<CliResult> {
  const script = '"$0" "$@" | { sleep 0.5; cat; }; exit "${PIPESTATUS[0]}"'
  // Its own process group: killing bash on a timeout would leave the pipeline running.
  const child = execa('bash', ['-c', script, process.execPath, bin, ...args], {
    cwd: root,
    reject: false,
    timeout: options.timeoutMs ?? 60_000,
    env: userEnv,
    stdin: 'ignore',
    detached: true,
  })
  try {
    return toResult(await child)
  } finally {
    killGroup(child.pid)
  }
}

function killGroup(pid: number | undefined): void {
  try {
    if (pid !== undefined) process.kill(-pid, 'SIGKILL')
  } catch {
    // ESRCH: the whole pipeline has already exited.
  }
}

function toResult(result: {exitCode?: number; stdout: unknown; stderr: unknown}): CliResult {
  return {exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr)}
}
