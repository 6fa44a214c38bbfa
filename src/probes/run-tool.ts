import {execa} from 'execa'
import {UserError} from '../user-error.js'

/** Runs a probe tool without a shell and returns its stdout; a failure is one clear line. */
export async function runTool(file: string, args: string[]): Promise<string> {
  const result = await execa(file, args, {reject: false, stripFinalNewline: false, timeout: 10_000})
  if (result.exitCode !== 0 || result.failed) {
    const why = String(result.stderr ?? '').trim().split('\n')[0] || result.shortMessage
    throw new UserError(`${file} ${args.join(' ')} failed: ${why}`)
  }
  return String(result.stdout)
}
