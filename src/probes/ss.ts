import {parseEndpoint} from './address.js'
import {ParseError} from './parse-error.js'
import type {ServiceNames} from './services.js'
import {parseStateName} from './tcp-states.js'
import type {SocketOwner, SocketRecord, TcpState} from './types.js'

export interface SsParseOptions {
  /** The state of a single-state filter (`ss state listening`), whose output has no State column. */
  state?: TcpState
  /**
   * Whether a row without `users:(...)` is known to have no owner: true when ss ran with -p as
   * root. Default: true when any row shows owners (so -p was given), otherwise unknown.
   */
  ownersShown?: boolean
  /** Resolves service names (ss without -n prints `127.0.0.1:http-alt`). */
  services?: ServiceNames
  /** Rows to keep (a file reader keeps only its port's, to read any size in bounded memory); all when absent. */
  keep?: (record: SocketRecord) => boolean
}

// Netids ss prints when more than one socket type is listed; only tcp rows are ours.
const netids = /^(tcp|udp|raw|u_str|u_dgr|u_seq|p_raw|p_dgr|nl|mptcp|sctp|dccp|tipc|vsock|xdp|v_str|v_dgr|icmp6?)(.*)$/
const ownedBy = /",(?:pid=)?(\d+),(?:fd=)?(\d+)\)/g

/**
 * A header line of ss: `State Recv-Q ...`, `Netid State ...`, `Recv-Q Send-Q ...` (state filter),
 * `State Local Address:Port ...` (-Q), `Local Address:Port ...` (-Q under a state filter).
 */
export function isSsHeader(line: string): boolean {
  return /^(?:(?:State|Netid|Recv-Q)\s|Local Address:)/.test(line) && line.includes('Local Address')
}

/**
 * Reads ss output one line at a time (a saved file may be any size), for `parseSs` and the file
 * reader. Rows of other netids (udp, u_str, ...) are counted in `skipped`, not returned.
 */
export class SsLineParser {
  readonly records: SocketRecord[] = []
  /** Rows of other socket types (udp, unix, ...). */
  skipped = 0
  private last: SocketRecord | undefined
  private queues: boolean | undefined
  private anyOwners = false
  private readonly pendingOwners: SocketRecord[] = []

  constructor(private readonly options: SsParseOptions = {}) {}

  /** One line (no line ending); throws ParseError for a row it cannot read. */
  line(line: string, lineNumber: number): void {
    if (line.trim() === '') return
    if (/^\s/.test(line) && !this.isIndentedRow(line)) {
      // -i / -m continuation of the row above.
      if (this.last) readExtras(line, this.last)
      return
    }
    if (isSsHeader(line)) {
      this.queues = line.includes('Recv-Q')
      return
    }
    this.last = undefined
    const record = this.parseRow(line, lineNumber)
    if (record === 'skip') {
      this.skipped++
      return
    }
    this.last = record
    if (this.options.keep && !this.options.keep(record)) return
    if (record.owners === null) this.pendingOwners.push(record)
    this.records.push(record)
  }

  /** The records, with rows lacking users:(...) marked ownerless when -p showed owners. */
  end(): SocketRecord[] {
    const shown = this.options.ownersShown ?? this.anyOwners
    if (shown) for (const record of this.pendingOwners) if (record.owners === null) record.owners = []
    this.pendingOwners.length = 0
    return this.records
  }

  /**
   * Rows start at the line's first column, but for one layout: -Q under a state filter has neither
   * State nor queue columns, so its rows begin with the right-aligned local address
   * (`    127.0.0.1:8080    127.0.0.1:41298`, iproute2 6.15 and 7.3; with -H there is no header to
   * say so). Continuation lines never start with two address:port fields.
   */
  private isIndentedRow(line: string): boolean {
    if (this.queues === true) return false
    const [local = '', peer = ''] = line.trim().split(/\s+/)
    return parseEndpoint(local, this.options.services) !== null && parseEndpoint(peer, this.options.services) !== null
  }

  private parseRow(raw: string, lineNumber: number): SocketRecord | 'skip' {
    const fail = (reason: string): never => {
      throw new ParseError('ss', lineNumber, raw, reason)
    }
    // A peer address that fills its column leaves no blank before the Process column (as the
    // header's "Peer Address:PortProcess" shows): put one back.
    const glued = raw.indexOf('users:((')
    const line = glued > 0 && raw[glued - 1] !== ' ' && raw[glued - 1] !== '\t' ? `${raw.slice(0, glued)} ${raw.slice(glued)}` : raw
    const tokens: string[] = []
    // Up to 6 leading fields; everything after the peer address is the Process/extras text.
    const field = /\S+/g
    let end = 0
    for (let match = field.exec(line); match && tokens.length < 6; match = tokens.length < 6 ? field.exec(line) : null) {
      tokens.push(match[0])
      end = field.lastIndex
    }
    const rest = line.slice(end)
    let cursor = 0
    let state: TcpState | undefined
    const netid = netids.exec(tokens[0] ?? '')
    if (netid) {
      if (netid[1] !== 'tcp') return 'skip'
      cursor = 1
      if (netid[2] !== '') {
        state = parseStateName(netid[2]!) ?? fail(`unknown state ${JSON.stringify(netid[2])}`)
      }
    }
    if (state === undefined && !/^\d+$/.test(tokens[cursor] ?? '')) {
      state = parseStateName(tokens[cursor] ?? '')
      // Without a State column and without queues (-Q under a state filter), the row starts with an address.
      if (state === undefined && !(this.queues !== true && parseEndpoint(tokens[cursor] ?? '', this.options.services))) fail('expected a TCP state or Recv-Q')
      if (state !== undefined) cursor++
    }
    // ss -Q (--no-queues) prints no Recv-Q/Send-Q: the header says so, or the row shows an address there.
    const queues = this.queues ?? /^\d+$/.test(tokens[cursor] ?? '')
    let recvText = '0'
    let sendText = '0'
    if (queues) {
      ;[recvText = '', sendText = ''] = tokens.slice(cursor, cursor + 2)
      if (!/^\d+$/.test(recvText) || !/^\d+$/.test(sendText)) fail('expected Recv-Q and Send-Q numbers')
      cursor += 2
    }
    const [localText, peerText] = tokens.slice(cursor, cursor + 2)
    const local = parseEndpoint(localText ?? '', this.options.services) ?? fail('expected the local address:port')
    const peer = parseEndpoint(peerText ?? '', this.options.services) ?? fail('expected the peer address:port')
    // Tokens read past the peer belong to the extras.
    const extras = tokens.slice(cursor + 2).join(' ') + rest
    const wildcardPeer = peer.port === null && peer.portName === undefined
    const record: SocketRecord = {
      state: state ?? this.options.state ?? (wildcardPeer ? 'LISTEN' : 'UNKNOWN'),
      recvQ: Number(recvText),
      sendQ: Number(sendText),
      local,
      peer,
      owners: null,
      inode: null,
    }
    if (!queues) record.queuesShown = false
    const users = readOwners(extras, lineNumber, line)
    if (users) {
      record.owners = users.owners
      this.anyOwners = true
    }
    // Odd process names could look like extras: read those only outside users:(...).
    const plain = users ? extras.slice(0, users.start) + extras.slice(users.end) : extras
    readExtras(plain, record)
    if (record.inode === 0) record.owners = []
    // -e ends a connection's row with its shutdown state: `-->` is a receive side shut by the
    // peer's FIN and a send side still open: CLOSE-WAIT (or, rarely, ESTAB after shutdown(SHUT_RD)).
    if (record.state === 'UNKNOWN' && /\s-->\s*$/.test(plain)) record.state = 'CLOSE-WAIT'
    return record
  }
}

/**
 * Parses `ss -t` output of iproute2 4.9 to today: with or without the header (-H), Netid column
 * (also glued to the state, `tcpLISTEN`, as 4.15-4.19 print it), State column (absent under a
 * single-state filter), queue columns (absent with -Q), Process column, -e/-o/-m/-i extras on
 * the row or on continuation lines, service and host names (without -n, with -r).
 */
export function parseSs(text: string, options: SsParseOptions = {}): SocketRecord[] {
  const parser = new SsLineParser(options)
  text.split('\n').forEach((raw, index) => parser.line(raw.replace(/\r$/, ''), index + 1))
  return parser.end()
}

/** Reads `users:(("name",pid=N,fd=N),...)`; names are printed unescaped, so they may hold anything. */
function readOwners(extras: string, lineNumber: number, line: string): {owners: SocketOwner[]; start: number; end: number} | null {
  const start = extras.indexOf('users:((')
  if (start < 0) return null
  const owners: SocketOwner[] = []
  let at = start + 'users:('.length
  for (;;) {
    if (!extras.startsWith('("', at)) throw new ParseError('ss', lineNumber, line, 'malformed users:(...)')
    ownedBy.lastIndex = at + 2
    const end = ownedBy.exec(extras)
    if (!end) throw new ParseError('ss', lineNumber, line, 'malformed users:(...)')
    owners.push({name: extras.slice(at + 2, end.index), pid: Number(end[1]), fd: Number(end[2])})
    at = end.index + end[0].length
    if (extras[at] === ',') {
      at++
      continue
    }
    if (extras[at] === ')') return {owners, start, end: at + 1}
    throw new ParseError('ss', lineNumber, line, 'malformed users:(...)')
  }
}

/** -e (ino, uid) and -m (skmem drops) extras, on the row itself or on a continuation line. */
function readExtras(text: string, record: SocketRecord): void {
  const inode = /(?:^|\s)ino:(\d+)/.exec(text)
  if (inode) record.inode = Number(inode[1])
  const uid = /(?:^|\s)uid:(\d+)/.exec(text)
  if (uid) record.uid = Number(uid[1])
  const skmem = /skmem:\(([^)]*)\)/.exec(text)
  const drops = skmem ? /(?:^|,)d(\d+)/.exec(skmem[1]!) : null
  if (drops) record.drops = Number(drops[1])
}
