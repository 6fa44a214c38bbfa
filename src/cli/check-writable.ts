import {access, constants, stat} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'
import {UserError} from '../user-error.js'

/**
 * Fails at the start, not after a run or a watch that may last until Ctrl-C, when the report
 * file cannot be written: an empty path, a directory, something that is not a regular file
 * (/proc, a device), a read-only file, or a directory we cannot write in.
 */
export async function checkWritable(file: string, flag: string): Promise<void> {
  if (file.trim() === '') throw new UserError(`${flag} is empty`, 'give a file name, e.g. report.html')
  const existing = await stat(file).catch(() => null)
  if (existing?.isDirectory()) throw new UserError(`${flag} ${file} is a directory`, `give a file name, e.g. ${file.replace(/\/$/, '')}/report.html`)
  // /proc and /sys files look regular and writable to root, then fail the write with EIO.
  const kernelFile = /^\/(proc|sys)\//.test(resolve(file))
  if (kernelFile || (existing && !existing.isFile())) throw new UserError(`${flag} ${file} is not a regular file`, 'choose a path for a new file')
  const [path, what] = existing ? [file, file] : [dirname(resolve(file)), `in ${dirname(resolve(file))}`]
  try {
    await access(path, constants.W_OK)
  } catch {
    throw new UserError(`${flag} ${file}: cannot write ${what}`, existing ? 'make it writable or choose another path' : 'create the directory or choose another path')
  }
}
