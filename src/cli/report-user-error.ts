import {Errors, type Command} from '@oclif/core'
import {ExitCode} from '../exit-codes.js'
import {UserError} from '../user-error.js'

/**
 * The one way a command ends on an error: a single line, no stack trace. oclif's own exits pass
 * through; a user error exits 2; Ctrl-C exits 130; anything else is a tool error (exit 2) too.
 */
export function reportUserError(command: Command, error: unknown, interrupted?: string): never {
  if (error instanceof Errors.ExitError || (error instanceof Errors.CLIError && !(error instanceof UserError))) throw error
  if (interrupted) command.error(interrupted, {exit: 130})
  if (error instanceof UserError) {
    command.error(error.suggestion ? `${error.message}; ${error.suggestion}` : error.message, {exit: ExitCode.error})
  }
  const message = error instanceof Error ? error.message : String(error)
  command.error(message.split('\n')[0]!, {exit: ExitCode.error})
}
