import {createReadStream} from 'node:fs'
import {lstat, open, stat} from 'node:fs/promises'
import {StringDecoder} from 'node:string_decoder'
import type {Readable} from 'node:stream'
import {loadServices, type ServiceNames} from './services.js'
import {ReadingSplitter, type Reading, type SplitStats} from './split-readings.js'
import type {SocketRecord, TcpState} from './types.js'
import {UserError} from '../user-error.js'

/**
 * A saved file (or stdin, "-") of ss, netstat, lsof or /proc/net/tcp output, read line by line
 * in bounded memory: `readings()` yields each reading as it ends; `stats` holds what else the
 * file held (noise, other socket types, bad rows, names) once the readings are done.
 */
export class SocketsFile {
  readonly name: string
  private readonly splitter: ReadingSplitter

  /**
   * `port`: --port, when given; rows of other ports are then dropped as they are read. `state`:
   * --state, for rows with no State column when the file does not show the command.
   */
  constructor(
    readonly file: string,
    port?: number,
    state?: TcpState,
    services: ServiceNames = loadServices(),
    /** For messages: stdin spooled to a temporary file is still "stdin". */
    name = file === '-' ? 'stdin' : file,
  ) {
    this.name = name
    this.splitter = new ReadingSplitter(services, port, undefined, state)
  }

  get stats(): SplitStats {
    return this.splitter.stats
  }

  /** The port, once taken from a reading: later readings keep only its rows. */
  focus(port: number): void {
    this.splitter.port = port
  }

  readings(): AsyncGenerator<Reading> {
    return readLines(this.file, this.splitter)
  }
}

/**
 * Opens the file, refusing what would hang or is no saved output: a directory, a named pipe
 * (waits for a writer), a device or socket, stdin that is a terminal. An anonymous pipe
 * (`--file <(ssh host ss -tanpe)`) is read: its writer is already there.
 */
async function openInput(file: string): Promise<Readable> {
  if (file === '-') {
    if (process.stdin.isTTY) throw new UserError('--file - reads stdin, which is a terminal', 'pipe the output in, e.g. ss -tanpe | reactor-doctor sockets --file -')
    return process.stdin
  }
  let info
  try {
    info = await stat(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new UserError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`)
  }
  if (info.isDirectory()) throw new UserError(`--file ${file} is a directory`, 'give the file the output was saved in')
  if (info.isFIFO() && (await lstat(file)).isFIFO()) {
    throw new UserError(`--file ${file} is a named pipe (FIFO): reading it would wait for a writer`, `give a saved file, or pipe into --file - (cat ${file} | reactor-doctor sockets --file -)`)
  }
  if (info.isCharacterDevice() || info.isBlockDevice() || info.isSocket()) throw new UserError(`--file ${file} is a device or socket, not a saved file`, 'give the file the output was saved in')
  // PowerShell's `>` saves UTF-16 with a byte-order mark (a paste made on Windows): read it as such.
  const utf16 = info.isFile() && (await startsWithUtf16Bom(file))
  const stream = createReadStream(file, {encoding: utf16 ? 'utf16le' : 'utf8'})
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve())
    stream.once('error', (error) => reject(new UserError(`cannot read ${file}: ${error.message}`)))
  })
  return stream
}

/** What choosing a port needs of a reading: its LISTEN ports and how many rows each local port has. */
export interface PortCensus {
  listening: Set<number>
  rows: Map<number, number>
}

export function takeCensus(sockets: Iterable<SocketRecord>, census: PortCensus = {listening: new Set(), rows: new Map()}): PortCensus {
  for (const socket of sockets) countInCensus(socket, census)
  return census
}

function countInCensus(socket: SocketRecord, census: PortCensus): void {
  const port = socket.local.port
  if (port === null) return
  if (socket.state === 'LISTEN') census.listening.add(port)
  census.rows.set(port, (census.rows.get(port) ?? 0) + 1)
}

async function startsWithUtf16Bom(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => null)
  if (!handle) return false
  try {
    const {buffer, bytesRead} = await handle.read(Buffer.alloc(2), 0, 2, 0)
    return bytesRead === 2 && buffer[0] === 0xff && buffer[1] === 0xfe
  } finally {
    await handle.close()
  }
}

/**
 * The port to look at when --port is not given: the reading's LISTEN port, or (an excerpt
 * without LISTEN) the local port most rows share. undefined: the reading holds no TCP socket.
 */
export function choosePort(census: PortCensus, name: string): number | undefined {
  const listening = [...census.listening]
  if (listening.length === 1) return listening[0]!
  if (listening.length > 1) throw new UserError(`${name} has listeners on ports ${listening.sort((a, b) => a - b).join(', ')}`, 'choose one with --port')
  const ranked = [...census.rows].sort((a, b) => b[1] - a[1])
  if (ranked.length === 0) return undefined
  if (ranked.length > 1 && ranked[0]![1] === ranked[1]![1]) {
    const tied = ranked.filter(([, count]) => count === ranked[0]![1]).map(([port]) => port)
    throw new UserError(`${name}: cannot tell which port to look at (no LISTEN row; ports ${tied.slice(0, 5).join(', ')} have as many rows)`, 'choose one with --port')
  }
  return ranked[0]![0]
}

export function inferPort(sockets: SocketRecord[], name: string): number | undefined {
  return choosePort(takeCensus(sockets), name)
}

/**
 * For a regular file, read twice: the port its first reading that shows one points at, counted row by row
 * without keeping them, so a single capture of any size is chosen from in bounded memory.
 * undefined: no reading shows a port (the full read then says why).
 */
export async function findPortInFile(file: string, state?: TcpState, services: ServiceNames = loadServices(), name = file): Promise<number | undefined> {
  // Only a regular file can be read twice: a pipe (`--file <(ssh host ss -tanpe)`) is read once, its first reading held
  // (stdin is spooled to a file first: withSpooledStdin).
  const info = await stat(file).catch(() => null)
  if (!info?.isFile()) return undefined
  let census: PortCensus = {listening: new Set(), rows: new Map()}
  const select = (record: SocketRecord) => {
    countInCensus(record, census)
    return false
  }
  const splitter = new ReadingSplitter(services, undefined, select, state)
  for await (const reading of readLines(file, splitter)) {
    void reading
    const port = choosePort(census, name)
    if (port !== undefined) return port
    census = {listening: new Set(), rows: new Map()}
  }
  return undefined
}

/** A line longer than this is no socket row: its first part is read as one (noise), the rest skipped, memory bounded. */
const maxLine = 1 << 20

/**
 * The file's lines, fed to the splitter as chunks arrive (no per-line await: a 200 MB file is
 * millions of lines); yields the readings they complete.
 */
async function* readLines(file: string, splitter: ReadingSplitter): AsyncGenerator<Reading> {
  const input = await openInput(file)
  const decoder = new StringDecoder('utf8')
  let lineNumber = 0
  let partial = ''
  let skipping = false
  const done: Reading[] = []
  const feed = (text: string) => {
    let start = 0
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      if (skipping) skipping = false
      else done.push(...splitter.push(text.slice(start, end), ++lineNumber))
      start = end + 1
    }
    partial = text.slice(start)
    if (partial.length > maxLine) {
      if (!skipping) done.push(...splitter.push(partial.slice(0, 200), ++lineNumber))
      skipping = true
      partial = ''
    }
  }
  try {
    for await (const chunk of input) {
      feed(partial + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer)))
      yield* done.splice(0)
    }
    const last = partial + decoder.end()
    if (last !== '' && !skipping) done.push(...splitter.push(last, ++lineNumber))
  } catch (error) {
    if (error instanceof UserError) throw error
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`)
  } finally {
    if (input !== process.stdin) input.destroy()
  }
  done.push(...splitter.end())
  yield* done.splice(0)
}
