import {execa, type ResultPromise} from 'execa'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const bin = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

export interface CliResult {
  exitCode: number
  stdout: string
  stderr: string
}

/** Starts the built CLI (bin/run.js, dist/ from npm run build: npm test builds first), as a user runs it. */
export function startCli(args: string[], options: {timeoutMs?: number; env?: NodeJS.ProcessEnv} = {}): ResultPromise {
  return execa('node', [bin, ...args], {
    cwd: root,
    reject: false,
    timeout: options.timeoutMs ?? 60_000,
    env: {NO_COLOR: '1', ...options.env},
    stdin: 'ignore',
  })
}

export async function runCli(args: string[], options: {timeoutMs?: number; env?: NodeJS.ProcessEnv} = {}): Promise<CliResult> {
  const result = await startCli(args, options)
  return {exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr)}
}
