import {pairKey} from './socket-evidence.js'
import {LsofLineParser, isLsofHeader} from './lsof.js'
import {NetstatLineParser, isNetstatHeader} from './netstat.js'
import {ParseError} from './parse-error.js'
import {parseProcNetTcp} from './procfs.js'
import {parseTimeLine, type TimeLine} from './reading-time.js'
import type {ServiceNames} from './services.js'
import {SsLineParser, isSsHeader} from './ss.js'
import {parseStateName} from './tcp-states.js'
import type {SnapshotSource, SocketRecord, TcpState} from './types.js'
import {UserError} from '../user-error.js'

/** One reading of a saved file: the rows of one moment (one command's output, or several pasted together). */
export interface Reading {
  /** From the file's time line before (or after) it; null when the file has none. */
  at: number | null
  source: SnapshotSource
  sockets: SocketRecord[]
  /** 1-based line where the reading starts. */
  line: number
}

/** What the file held besides readings, for the report's notes. */
export interface SplitStats {
  readings: number
  timeKinds: Set<TimeLine['kind']>
  /** A watch header's interval, when the file shows one. */
  watchIntervalMs?: number
  /** Lines outside any output (prompts, kubectl/docker messages, a tool's warnings). */
  noise: {count: number; first?: {line: number; text: string}}
  /** Rows of other socket types (udp, unix, ...). */
  otherRows: number
  /** Rows of a known format that could not be read: skipped, the first one kept. */
  bad: {count: number; first?: ParseError}
  /** Rows with no State column whose state no command line tells. */
  stateUnknown: number
  /** Rows without Recv-Q/Send-Q (ss -Q, lsof without -T q). */
  queuesHidden: number
  /** Connections a command listed twice in one output, counted once. */
  repeatedRows: number
  /** Rows with an address netstat cut to its 23 columns (no -W). */
  truncatedRows: number
  /** Service names not in /etc/services. */
  unresolved: Set<string>
  formats: Set<SnapshotSource>
  /** The file switches a terminal to its alternate screen: a transcript of watch or top under script(1). */
  fullScreen: boolean
}

interface LineParser {
  skipped: number
  line(text: string, lineNumber: number): void
  end(): SocketRecord[]
}

interface Block {
  format: SnapshotSource
  /** What tells two outputs of one command apart from two commands: format + command or header. */
  signature: string
  parser: LineParser
  rows: number
  /** Headerless outputs only: the address pairs read, to see a second reading begin. */
  keys?: Set<string>
  lastKey?: string
  repeat?: boolean
  /** A /proc block whose signature waits for its first row (IPv4 or IPv6). */
  deferred?: boolean
}

/** Pairs followed per headerless output; past this a repeat goes unseen (memory stays bounded). */
const maxTrackedKeys = 100_000

/** /proc/net/tcp rows one at a time (parseProcNetTcp on each line). */
class ProcLineParser implements LineParser {
  skipped = 0
  private readonly records: SocketRecord[] = []
  constructor(private readonly keep: (record: SocketRecord) => boolean) {}
  line(text: string, lineNumber: number): void {
    try {
      this.records.push(...parseProcNetTcp(text).filter(this.keep))
    } catch (error) {
      if (error instanceof ParseError) throw new ParseError(error.format, lineNumber, text, 'expected sl local_address rem_address st tx_queue:rx_queue ... uid timeout inode')
      throw error
    }
  }
  end(): SocketRecord[] {
    return this.records
  }
}

// ANSI/VT escapes: CSI (colours, cursor moves), OSC (titles), two-byte escapes; then other control characters.
const escapes = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)?|\u001B[@-Z\\-_]|\u009B[0-?]*[ -/]*[@-~]/g
const controls = /[\u0000-\u0008\u000B-\u001F\u007F]/g

/** A pasted line made plain: no BOM, CR, colour codes or other control characters. */
export function cleanLine(raw: string): string {
  // A byte-order mark, or a UTF-16 one read as UTF-8 (two replacement characters; the NULs between characters go below).
  let line = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw.startsWith('\uFFFD\uFFFD') ? raw.slice(2) : raw
  if (!unusual.test(line)) return line.trimEnd()
  // A CR inside a line (a progress meter, `watch` redrawing): what follows the last one is what showed.
  const cr = line.replace(/\r+$/, '').lastIndexOf('\r')
  if (cr >= 0) line = line.slice(cr + 1)
  return line.replace(escapes, '').replace(controls, '').trimEnd()
}

// smcup: a full-screen program (watch, top) takes the terminal; what follows are cursor moves and changed characters.
const alternateScreen = /\u001B\[\?(?:1049|1047|47)h/

const unusual = /[\u0000-\u0008\u000B-\u001F\u007F\u009B]/

const tool = /(?:^|\s|[$#%>]|\/)(ss|netstat|lsof|cat)(?=\s|$)(.*)$/

/**
 * A command line pasted with its output (`$ ss -tn state close-wait`, `root@web:~# netstat -an |
 * grep 1022`, `kubectl exec pod -- ss -tan`): the command from the tool on, or null. A tool name
 * followed by a number is a row (lsof lists `ss 812 root ...`), not a command.
 */
export function parseCommandLine(line: string): string | null {
  if (line.length > 2000) return null
  const match = tool.exec(line)
  if (!match) return null
  const args = match[2]!.trim()
  if (args !== '' && !/^(-|\||state\b|\(|'|"|\/|[a-z]+\s*=|sport|dport|src|dst|exclude|>)/.test(args)) return null
  if (match[1] === 'cat' && !/\/proc\/net\/tcp6?\b/.test(args)) return null
  return `${match[1]} ${args}`.trim()
}

const singleStates: Record<string, TcpState> = {
  established: 'ESTAB',
  'syn-sent': 'SYN-SENT',
  'syn-recv': 'SYN-RECV',
  'fin-wait-1': 'FIN-WAIT-1',
  'fin-wait-2': 'FIN-WAIT-2',
  'time-wait': 'TIME-WAIT',
  closed: 'CLOSE',
  'close-wait': 'CLOSE-WAIT',
  'last-ack': 'LAST-ACK',
  listening: 'LISTEN',
  listen: 'LISTEN',
  closing: 'CLOSING',
}

/** The single state an ss command's filter selects (`state close-wait`), whose output then has no State column. */
export function stateFilterOf(command: string): TcpState | undefined {
  if (!/^ss\b/.test(command)) return undefined
  const states = [...command.matchAll(/(?:^|\s)state\s+([\w-]+)/g)].map((match) => match[1]!.toLowerCase())
  if (states.length !== 1 || /\sexclude\s/.test(command)) return undefined
  return parseFilterState(states[0]!)
}

/** A state as ss's filter names it (`close-wait`, `established`, `listening`); undefined when not one state. */
export function parseFilterState(name: string): TcpState | undefined {
  return Object.hasOwn(singleStates, name.toLowerCase()) ? singleStates[name.toLowerCase()] : (parseStateName(name.toUpperCase()) ?? undefined)
}

/** Whether an ss command line asks for owners (-p, --processes): rows without users:(...) then have none. */
export function ssShowsOwners(command: string): boolean {
  if (!/^ss\b/.test(command)) return false
  return command.split(/\s+/).some((arg) => arg === '--processes' || /^-[a-zA-Z]*p[a-zA-Z]*$/.test(arg))
}

/** Which format a row belongs to, by shape, when no header said so. */
export function detectRowFormat(line: string): SnapshotSource | null {
  const text = line.trim()
  if (/^\d+:\s+[0-9A-Fa-f]{8,32}:[0-9A-Fa-f]{4}\s/.test(text)) return 'proc'
  if (/^(tcp6?|udp6?|udpl6?|raw6?)\s+\d+\s+\d+(\s|$)/.test(text) || /^unix\s+\d+\s+\[/.test(text)) return 'netstat'
  if (/^\S+\s+\d+\s+(?:\d+\s+\S+\s+)?\S+\s+\S+\s+IPv[46]\s+\S+\s+\S+\s+(TCP|UDP)\s/.test(text)) return 'lsof'
  const [first = '', second = ''] = text.split(/\s+/)
  const glued = /^(?:tcp|udp|u_str|u_dgr|u_seq|raw|mptcp|p_raw|p_dgr|nl)(.*)$/.exec(first)
  if (parseStateName(first) || (glued && (parseStateName(glued[1] || second) || /^\d+$/.test(second)))) return 'ss'
  if (/^\d+\s+\d+\s+\S+:\S+\s+\S+:\S+/.test(text) || /^\S+:\S+\s+\S+:\S+(\s|$)/.test(text)) return 'ss'
  return null
}

function headerFormat(line: string): SnapshotSource | null {
  if (isSsHeader(line)) return 'ss'
  if (isNetstatHeader(line) || /^\(?(Not all processes could be identified|No info could be read for)/.test(line)) return 'netstat'
  if (isLsofHeader(line)) return 'lsof'
  if (/^\s*sl\s+local_address/.test(line)) return 'proc'
  return null
}

/**
 * Takes a saved file apart, one line at a time, into readings. A reading starts at a time line
 * (`date` before or after each output), or when an output of a kind the current reading already
 * holds starts again (the same command's header twice: a recording without times). Outputs of
 * different commands with no time line between them (`ss -tln` then `ss -tn state close-wait`)
 * are one moment and are merged, a connection shown by both kept once with what each shows.
 */
export class ReadingSplitter {
  readonly stats: SplitStats = {
    readings: 0,
    timeKinds: new Set(),
    noise: {count: 0},
    otherRows: 0,
    bad: {count: 0},
    stateUnknown: 0,
    queuesHidden: 0,
    repeatedRows: 0,
    truncatedRows: 0,
    unresolved: new Set(),
    formats: new Set(),
    fullScreen: false,
  }

  private block: Block | undefined
  /** Blocks of the reading being read, finished ones merged into `sockets`. */
  private signatures = new Set<string>()
  private sockets = new Map<string, SocketRecord>()
  private extra: SocketRecord[] = []
  private source: SnapshotSource | undefined
  private listenSource: SnapshotSource | undefined
  private at: number | null = null
  private startLine = 0
  private command: string | undefined
  /** Whether times come after their output (`ss ...; date`): decided by the first time line. */
  private trailing: boolean | undefined
  private readonly out: Reading[] = []

  /**
   * Once the port is known (--port, or taken from the first reading), rows of other local ports
   * are dropped as they are read: a file of any size is held one port's rows at a time.
   */
  port: number | undefined

  /** `select`: instead of the port, decides which rows to keep (findPortInFile counts them and keeps none). */
  constructor(
    private readonly services?: ServiceNames,
    port?: number,
    private readonly select?: (record: SocketRecord) => boolean,
    /** --state: the state of rows that show none when no command line tells it. */
    private readonly defaultState?: TcpState,
  ) {
    this.port = port
  }

  /** Counts what the notes say about a row, then keeps it when it is of the port (or the port is not known yet). */
  private readonly keep = (record: SocketRecord): boolean => {
    if (this.block?.keys && this.block.format !== 'lsof') {
      // A connection listed twice in one output without a header: the next reading of a
      // headerless recording (`while sleep 1; do ss -tanp | grep :8080; done`) has begun.
      // SO_REUSEPORT listeners share an address pair, listed one after the other: not a repeat.
      const key = pairKey(record)
      const {keys} = this.block
      if (keys.has(key) && key !== this.block.lastKey) {
        this.block.repeat = true
        return false
      }
      if (keys.size < maxTrackedKeys) keys.add(key)
      this.block.lastKey = key
    }
    if (record.state === 'UNKNOWN') this.stats.stateUnknown++
    if (record.queuesShown === false) this.stats.queuesHidden++
    if (record.local.truncated || record.peer.truncated) this.stats.truncatedRows++
    for (const end of [record.local, record.peer]) if (end.port === null && end.portName !== undefined) this.stats.unresolved.add(end.portName)
    if (this.select) return this.select(record)
    return this.port === undefined || record.local.port === this.port
  }

  /** Feeds one raw line; returns the readings it completed. */
  push(raw: string, lineNumber: number): Reading[] {
    if (!this.stats.fullScreen && raw.includes('\u001B[?') && alternateScreen.test(raw)) this.stats.fullScreen = true
    const line = cleanLine(raw)
    if (line.trim() === '') return this.drain()
    const time = parseTimeLine(line)
    if (time) {
      this.onTime(time, lineNumber)
      return this.drain()
    }
    const format = headerFormat(line)
    if (format) {
      // netstat's warning, title and column header come one after another: one output.
      if (!(this.block?.format === format && this.block.rows === 0)) this.startBlock(format, `${format}|${this.command ?? line.replace(/\s+/g, ' ')}`, lineNumber)
      this.block!.parser.line(line, lineNumber)
      return this.drain()
    }
    // A row of the output being read, the common case, first.
    if (this.block && this.tryRow(line, lineNumber) !== 'other') return this.drain()
    const command = parseCommandLine(line)
    if (command !== null) {
      this.endBlock()
      this.command = command
      return this.drain()
    }
    const rowFormat = detectRowFormat(line)
    if (rowFormat && rowFormat !== this.block?.format) {
      this.startBlock(rowFormat, `${rowFormat}|${this.command ?? 'no header'}`, lineNumber)
      if (this.tryRow(line, lineNumber) === 'other') this.noise(line, lineNumber)
    } else this.noise(line, lineNumber)
    return this.drain()
  }

  /** Ends the file: the last reading, if any. */
  end(): Reading[] {
    this.endReading()
    return this.drain()
  }

  private drain(): Reading[] {
    return this.out.splice(0)
  }

  private noise(line: string, lineNumber: number): void {
    this.stats.noise.count++
    this.stats.noise.first ??= {line: lineNumber, text: line.slice(0, 100)}
  }

  /**
   * Reads a row with the current block's parser. A row of the block's shape that fails is a bad
   * row (counted, skipped); anything else ('other') is for the caller: a row of another format
   * (a second tool's output pasted after with no header) or text that is no row at all.
   */
  private tryRow(line: string, lineNumber: number): 'row' | 'bad' | 'other' {
    const block = this.block!
    try {
      block.parser.line(line, lineNumber)
      if (block.repeat) {
        // Read again as the first row of the next reading (startBlock ends this one: same signature).
        this.startBlock(block.format, block.signature, lineNumber)
        this.block!.parser.line(line, lineNumber)
      } else if (block.deferred) {
        const family = /^\s*\d+:\s+[0-9A-Fa-f]{32}:/.test(line) ? '6' : '4'
        const signature = `${block.signature}|${family}`
        delete block.deferred
        if (this.signatures.has(signature)) {
          // tcp (or tcp6) again: the next reading. This block holds only this row: read it there.
          this.block = undefined
          const command = this.command
          this.endReading()
          this.command = command
          this.startBlock('proc', signature, lineNumber)
          this.block!.parser.line(line, lineNumber)
        } else {
          block.signature = signature
          this.signatures.add(signature)
        }
      }
      this.block!.rows++
      return 'row'
    } catch (error) {
      if (!(error instanceof ParseError)) throw error
      if (detectRowFormat(line) !== block.format) return 'other'
      this.stats.bad.count++
      this.stats.bad.first ??= error
      return 'bad'
    }
  }

  private onTime(time: TimeLine, lineNumber: number): void {
    this.stats.timeKinds.add(time.kind)
    if (time.intervalMs !== undefined) this.stats.watchIntervalMs ??= time.intervalMs
    const hasRows = this.block !== undefined || this.signatures.size > 0
    this.trailing ??= hasRows && this.at === null
    if (this.trailing) {
      if (this.at === null) this.at = time.at
      this.endReading()
    } else {
      if (hasRows) this.endReading()
      this.at = time.at
      this.startLine = lineNumber
    }
    if (time.command !== undefined) this.command = parseCommandLine(time.command) ?? time.command
  }

  private startBlock(format: SnapshotSource, signature: string, lineNumber: number): void {
    this.endBlock()
    // /proc/net/tcp and tcp6 print the same header: which one it is shows in the first row.
    const deferred = format === 'proc' && !signature.endsWith('|4') && !signature.endsWith('|6')
    if (!deferred && this.signatures.has(signature)) {
      // The same output again with no time line between: the next reading of a recording.
      const command = this.command
      this.endReading()
      this.command = command
    }
    if (this.signatures.size === 0 && this.at === null) this.startLine = lineNumber
    const stateFilter = (this.command === undefined ? undefined : stateFilterOf(this.command)) ?? this.defaultState
    const parser: LineParser =
      format === 'ss'
        ? new SsLineParser({state: stateFilter, services: this.services, ownersShown: this.command !== undefined && ssShowsOwners(this.command) ? true : undefined, keep: this.keep})
        : format === 'netstat'
          ? new NetstatLineParser(this.services, this.keep)
          : format === 'lsof'
            ? new LsofLineParser(this.services, this.keep)
            : new ProcLineParser(this.keep)
    this.block = {format, signature, parser, rows: 0}
    if (deferred) this.block.deferred = true
    else this.signatures.add(signature)
    if (signature.endsWith('|no header') || this.command !== undefined) this.block.keys = new Set()
    this.stats.formats.add(format)
  }

  /** Merges the finished block's rows into the reading. */
  private endBlock(): void {
    const block = this.block
    if (!block) return
    this.block = undefined
    const records = block.parser.end()
    this.stats.otherRows += block.parser.skipped
    this.source ??= block.format
    const first = this.sockets.size === 0 && this.extra.length === 0
    for (const record of records) {
      if (record.state === 'LISTEN') this.listenSource ??= block.format
      const key = pairKey(record)
      const kept = this.sockets.get(key)
      if (kept && first && isRepeatedRow(kept, record)) {
        // One connection printed twice by one command: netstat reads /proc/net/tcp in pieces, and
        // a row at a piece's edge can come again (seen with net-tools 1.60+git). A 4-tuple is one socket.
        this.stats.repeatedRows++
        mergeInto(kept, record)
      } else if (kept && !first) mergeInto(kept, record)
      else if (kept) this.extra.push(record)
      else this.sockets.set(key, record)
    }
    // Later blocks of this reading are about the same moment; the command of this one is done.
    this.command = undefined
  }

  private endReading(): void {
    this.endBlock()
    if (this.signatures.size > 0) {
      const sockets = [...this.sockets.values(), ...this.extra]
      this.out.push({at: this.at, source: this.listenSource ?? this.source ?? 'ss', sockets, line: this.startLine})
      this.stats.readings++
    }
    this.signatures = new Set()
    this.sockets = new Map()
    this.extra = []
    this.source = undefined
    this.listenSource = undefined
    this.at = null
    this.command = undefined
  }
}

/** The same connection again (not listeners sharing an address by SO_REUSEPORT, whose peer is `*`). */
function isRepeatedRow(kept: SocketRecord, record: SocketRecord): boolean {
  return record.peer.port !== null && record.state === kept.state && record.state !== 'LISTEN'
}

/** One connection seen by two commands of one moment: keep what each one shows. */
function mergeInto(kept: SocketRecord, other: SocketRecord): void {
  if (kept.state === 'UNKNOWN') kept.state = other.state
  if (kept.owners === null || (kept.owners.length === 0 && other.owners !== null && other.owners.length > 0)) kept.owners = other.owners
  if (kept.inode === null) kept.inode = other.inode
  if (kept.queuesShown === false && other.queuesShown !== false) {
    kept.recvQ = other.recvQ
    kept.sendQ = other.sendQ
    delete kept.queuesShown
  }
  kept.drops ??= other.drops
  kept.uid ??= other.uid
}

/**
 * A script(1) transcript of `watch ss ...`: watch draws the first screen, then only the characters
 * that changed, at cursor positions: no reading can be read back from it.
 */
export function fullScreenTranscript(name: string): UserError {
  return new UserError(
    `${name} is a terminal transcript of a full-screen program (watch under script): it holds the first screen, then only the characters that changed`,
    'record with `while sleep 1; do date +%s.%N; ss -tanpe; done > ss.log`, or copy watch\'s screens as text (tmux capture-pane -p)',
  )
}

/** The one error for text that holds no output of a known tool. */
export function notSocketOutput(name: string): UserError {
  return new UserError(`${name}: not ss, netstat, lsof or /proc/net/tcp output`, 'save the output of `ss -tanpe`, `netstat -tanpe`, `lsof -nP -iTCP` or `cat /proc/net/tcp`')
}

const formatNames: Record<SnapshotSource, string> = {ss: 'ss', netstat: 'netstat', lsof: 'lsof', proc: '/proc/net/tcp'}

/** What the file held besides the port's rows, one note line each (skipped lines, names, columns missing). */
export function describeSplitStats(stats: SplitStats): string[] {
  const notes: string[] = []
  const {noise, bad} = stats
  if (noise.count > 0) {
    notes.push(`${noise.count} line(s) that are no socket rows were skipped (prompt, command, kubectl/docker or tool messages), first line ${noise.first!.line}: ${JSON.stringify(noise.first!.text)}`)
  }
  if (stats.truncatedRows > 0) {
    notes.push(`${stats.truncatedRows} row(s) show IPv6 addresses netstat cut to fit 23 columns: shown as printed, ports intact (save \`netstat -tanW\` for whole addresses)`)
  }
  if (stats.repeatedRows > 0) notes.push(`${stats.repeatedRows} connection row(s) listed twice in one output were counted once (netstat reads /proc/net/tcp in pieces and can repeat a row)`)
  if (stats.otherRows > 0) notes.push(`${stats.otherRows} row(s) of other socket types (udp, unix, ...) skipped: only TCP rows are read`)
  if (bad.count > 0) notes.push(`${bad.count} row(s) could not be read and were skipped; the first: ${bad.first!.message}`)
  if (stats.unresolved.size > 0) {
    const names = [...stats.unresolved].slice(0, 8).join(', ')
    notes.push(`service name(s) not in this host's /etc/services: ${names}${stats.unresolved.size > 8 ? ', ...' : ''}; their rows match no port number (save the output with -n for numeric ports)`)
  }
  if (stats.stateUnknown > 0) {
    notes.push(
      `${stats.stateUnknown} row(s) have no State column (an ss state filter) and the file does not show the command: their state is unknown; ` +
        'give it with --state (e.g. --state close-wait), or put the command line (e.g. `ss -tn state close-wait`) above the output',
    )
  }
  if (stats.formats.size > 1) notes.push(`outputs of ${[...stats.formats].map((format) => formatNames[format]).join(' and ')} in one file: taken apart by their headers`)
  return notes
}
