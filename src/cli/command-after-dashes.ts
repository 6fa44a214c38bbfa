import {UserError} from '../user-error.js'

/**
 * The user's server command: everything after the first `--` in the raw argv. Read here rather
 * than from oclif's parsed argv, which reorders words when a flag name (say --port) appears on
 * both sides of `--`.
 */
export function commandAfterDashes(rawArgv: readonly string[], parsedArgs: readonly unknown[]): string[] {
  const dashes = rawArgv.indexOf('--')
  if (dashes >= 0) {
    const command = rawArgv.slice(dashes + 1)
    if (command.length === 0 || command[0] === '') throw new UserError('no server command after --', 'e.g. bench -- ./server --port {port}, or drop -- to run the mode matrix')
    return command
  }
  if (parsedArgs.length > 0) {
    throw new UserError(`unexpected argument ${String(parsedArgs[0])}`, 'put your server command after --, e.g. bench -- ./server --port {port}')
  }
  return []
}
