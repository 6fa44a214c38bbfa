import {createWriteStream, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pipeline} from 'node:stream/promises'
import {UserError} from '../user-error.js'

const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/**
 * Copies stdin to a temporary file (mode 0600 in its own directory under $TMPDIR) and runs `use`
 * on it: a file can be read twice, stdin cannot, and reading twice is what lets a capture of any
 * size be chosen from in bounded memory. The file is removed on every path: when `use` returns
 * or throws, on exit, and on SIGINT/SIGTERM/SIGHUP (then the signal is raised again).
 */
export async function withSpooledStdin<T>(use: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'reactor-doctor-stdin-'))
  const remove = () => rmSync(dir, {recursive: true, force: true})
  const onSignal = (signal: NodeJS.Signals) => {
    remove()
    for (const name of signals) process.removeListener(name, onSignal)
    process.kill(process.pid, signal)
  }
  process.once('exit', remove)
  for (const name of signals) process.once(name, onSignal)
  try {
    const file = join(dir, 'stdin')
    try {
      await pipeline(process.stdin, createWriteStream(file, {mode: 0o600}))
    } catch (error) {
      throw new UserError(`cannot read stdin into ${dir}: ${(error as Error).message}`, 'free space there, set TMPDIR to another directory, or give --port so stdin is read once')
    }
    return await use(file)
  } finally {
    remove()
    process.removeListener('exit', remove)
    for (const name of signals) process.removeListener(name, onSignal)
  }
}
