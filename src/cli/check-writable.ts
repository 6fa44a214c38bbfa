import {access, constants} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'
import {UserError} from '../user-error.js'

/** Fails at the start, not after a watch that may run until Ctrl-C, when the file cannot be written. */
export async function checkWritable(file: string, flag: string): Promise<void> {
  const directory = dirname(resolve(file))
  try {
    await access(directory, constants.W_OK)
  } catch {
    throw new UserError(`${flag} ${file}: cannot write in ${directory}`, 'create the directory or choose another path')
  }
}
