import type {Hook} from '@oclif/core'
import {ExitCode} from '../exit-codes.js'

/** An unknown command gets one line, as bad flags do (oclif's own message is prefixed and wrapped). */
const hook: Hook<'command_not_found'> = async function ({config, id}) {
  const typed = id.replaceAll(':', ' ')
  process.stderr.write(`Error: no command "${typed}"; the commands are ${config.commandIDs.sort().join(', ')} (see ${config.bin} --help)\n`)
  this.exit(ExitCode.error)
}

export default hook
