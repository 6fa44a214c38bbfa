import {Errors, type Command} from '@oclif/core'
import {ExitCode} from '../exit-codes.js'
import {UserError} from '../user-error.js'

/**
 * The one way a command ends on an error: a single line, no stack trace. oclif's own exits pass
 * through; a user error exits 2; Ctrl-C exits 130; anything else is a tool error (exit 2) too.
 */
export function reportUserError(command: Command, error: unknown, interrupted?: string): never {
  if (error instanceof Errors.ExitError || (error instanceof Errors.CLIError && !(error instanceof UserError))) throw error
  if (interrupted) failWith(command, interrupted, 130)
  if (error instanceof UserError) failWith(command, error.suggestion ? `${error.message}; ${error.suggestion}` : error.message, ExitCode.error)
  const message = error instanceof Error ? error.message : String(error)
  failWith(command, message.split('\n')[0]!, ExitCode.error)
}

/** Writes "Error: message" as one line (oclif's own error output wraps at the terminal width). */
function failWith(command: Command, message: string, code: number): never {
  process.stderr.write(`Error: ${message}\n`)
  command.exit(code)
}
