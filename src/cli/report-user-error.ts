import {Errors, type Command} from '@oclif/core'
import {ExitCode} from '../exit-codes.js'
import {UserError} from '../user-error.js'

/**
 * The one way a command ends on an error: a single line, no stack trace. oclif's own exits pass
 * through; a user error exits 2; an interrupted run 130 (Ctrl-C) or 143 (SIGTERM); anything else
 * is a tool error (exit 2) too.
 */
export function reportUserError(command: Command, error: unknown, interrupted?: {message: string; exitCode: number}): never {
  if (error instanceof Errors.ExitError || (error instanceof Errors.CLIError && !(error instanceof UserError))) throw error
  if (interrupted) failWith(command, interrupted.message, interrupted.exitCode)
  if (error instanceof UserError) failWith(command, error.suggestion ? `${error.message}; ${error.suggestion}` : error.message, ExitCode.error)
  const message = error instanceof Error ? error.message : String(error)
  failWith(command, message.split('\n')[0]!, ExitCode.error)
}

/** What oclif's flag parsing threw: a usage error (exit 2), as one line with where to get help. */
export function reportParseError(command: Command, error: unknown): never {
  if (error instanceof Errors.ExitError) throw error
  const message = error instanceof Error ? error.message : String(error)
  failWith(command, `${oneLineParseError(message)}; see reactor-doctor ${command.id} --help`, ExitCode.error)
}

/**
 * oclif's parse messages span lines ("Parsing --requests", then the reason, then "See more help
 * with --help"): one line of them, the flag first.
 */
function oneLineParseError(message: string): string {
  const lines = message.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !/^See more help with --help$/.test(line))
  return lines.join(' ').replace(/^Parsing (--[\w-]+)\s+(\S)/, (_, flag: string, first: string) => `${flag}: ${first.toLowerCase()}`)
}

/** Writes "Error: message" as one line (oclif's own error output wraps at the terminal width). */
function failWith(command: Command, message: string, code: number): never {
  process.stderr.write(`Error: ${message}\n`)
  command.exit(code)
}
