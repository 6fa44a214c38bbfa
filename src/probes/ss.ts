import {parseEndpoint} from './address.js'
import {ParseError} from './parse-error.js'
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
}

// Netids ss prints when more than one socket type is listed; only tcp rows are ours.
const netids = /^(tcp|udp|raw|u_str|u_dgr|u_seq|p_raw|p_dgr|nl|mptcp|sctp|dccp|tipc|vsock|xdp)(.*)$/
const ownedBy = /",(?:pid=)?(\d+),(?:fd=)?(\d+)\)/g

/**
 * Parses `ss -t` output of iproute2 4.9 to today: with or without the header (-H), Netid column
 * (also glued to the state, `tcpLISTEN`, as 4.15-4.19 print it), State column (absent under a
 * single-state filter), Process column, -e/-o/-m/-i extras on the row or on continuation lines.
 */
export function parseSs(text: string, options: SsParseOptions = {}): SocketRecord[] {
  const lines = text.split('\n')
  const ownersShown = options.ownersShown ?? lines.some((line) => line.includes('users:(('))
  const records: SocketRecord[] = []
  let last: SocketRecord | undefined
  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, '')
    if (line.trim() === '') return
    if (/^\s/.test(line)) {
      // -i / -m continuation of the row above (rows themselves never start with a blank).
      if (last) readExtras(line, last)
      return
    }
    if (/^(State|Netid|Recv-Q)\s/.test(line) && line.includes('Local Address')) return
    const record = parseRow(line, index + 1, options.state, ownersShown)
    if (record === 'skip') {
      last = undefined
      return
    }
    records.push(record)
    last = record
  })
  return records
}

function parseRow(line: string, lineNumber: number, filterState: TcpState | undefined, ownersShown: boolean): SocketRecord | 'skip' {
  const fail = (reason: string): never => {
    throw new ParseError('ss', lineNumber, line, reason)
  }
  const tokens: string[] = []
  let rest = line
  // Up to 6 leading fields; everything after the peer address is the Process/extras text.
  while (tokens.length < 6) {
    const match = /^\s*(\S+)/.exec(rest)
    if (!match) break
    tokens.push(match[1]!)
    rest = rest.slice(match[0].length)
  }
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
    state = parseStateName(tokens[cursor] ?? '') ?? fail('expected a TCP state or Recv-Q')
    cursor++
  }
  const [recvText, sendText, localText, peerText] = tokens.slice(cursor, cursor + 4)
  if (!/^\d+$/.test(recvText ?? '') || !/^\d+$/.test(sendText ?? '')) fail('expected Recv-Q and Send-Q numbers')
  const local = parseEndpoint(localText ?? '') ?? fail('expected the local address:port (numeric, as ss -n prints it)')
  const peer = parseEndpoint(peerText ?? '') ?? fail('expected the peer address:port (numeric, as ss -n prints it)')
  // Tokens read past the peer belong to the extras.
  const extras = tokens.slice(cursor + 4).join(' ') + rest
  const record: SocketRecord = {
    state: state ?? filterState ?? (peer.port === null ? 'LISTEN' : 'UNKNOWN'),
    recvQ: Number(recvText),
    sendQ: Number(sendText),
    local,
    peer,
    owners: null,
    inode: null,
  }
  const users = readOwners(extras, lineNumber, line)
  record.owners = users?.owners ?? (ownersShown ? [] : null)
  // Odd process names could look like extras: read those only outside users:(...).
  readExtras(users ? extras.slice(0, users.start) + extras.slice(users.end) : extras, record)
  if (record.inode === 0) record.owners = []
  return record
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
