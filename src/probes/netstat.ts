import {parseEndpoint} from './address.js'
import {ParseError} from './parse-error.js'
import type {ServiceNames} from './services.js'
import {parseStateName} from './tcp-states.js'
import type {Endpoint, SocketOwner, SocketRecord} from './types.js'

// Without -W, netstat cuts "address:port" to 23 characters (netstat.c, tcp_do_one).
const narrowWidth = 23
const timer = /\s+\S+ \(\d+\.\d+\/-?\d+\/-?\d+\)\s*$/
const otherProtocols = /^(udp|udp6|udpl|udpl6|raw|raw6|unix|sctp|sctp6|ipx|ax25|netrom|rose|x25|bluetooth)$/

/** A header line of netstat: the title (`Active Internet connections ...`) or `Proto Recv-Q ...`. */
export function isNetstatHeader(line: string): boolean {
  return /^Active (Internet|UNIX|Bluetooth)/.test(line) || (/^Proto\s/.test(line) && line.includes('Recv-Q'))
}

/**
 * Reads netstat output one line at a time. Rows of other protocols (`netstat -an | grep PORT`
 * keeps udp and unix rows) are counted in `skipped`.
 */
export class NetstatLineParser {
  readonly records: SocketRecord[] = []
  skipped = 0
  private extended: boolean | undefined
  // netstat prints '-' for sockets of other users' processes when not root: owner unknown.
  private ownersPartial = false
  private readonly dashOwners: SocketRecord[] = []
  /** The row just read had `-` as its owner (unknown, not none, if netstat's warning comes after). */
  private lastDash = false

  constructor(
    private readonly services?: ServiceNames,
    /** Rows to keep (see SsParseOptions.keep). */
    private readonly keep?: (record: SocketRecord) => boolean,
  ) {}

  line(line: string, lineNumber: number): void {
    if (line.trim() === '') return
    if (/^Active (Internet|UNIX|Bluetooth)/.test(line)) return
    if (/^\(?(Not all processes|No info could be read|\s*will not be shown)/.test(line.trimStart())) {
      this.ownersPartial = true
      return
    }
    if (/^Proto\s/.test(line)) {
      if (line.includes('Recv-Q')) this.extended = /\sUser\s+Inode\b/.test(line)
      return
    }
    this.lastDash = false
    const record = this.parseRow(line, lineNumber)
    if (!record) this.skipped++
    else if (!this.keep || this.keep(record)) {
      this.records.push(record)
      if (this.lastDash) this.dashOwners.push(record)
    }
  }

  /** The records; a `-` owner is unknown, not none, when netstat said it could not see them all. */
  end(): SocketRecord[] {
    if (this.ownersPartial) for (const record of this.dashOwners) record.owners = null
    this.dashOwners.length = 0
    return this.records
  }

  private parseRow(line: string, lineNumber: number): SocketRecord | null {
    const fail = (reason: string): never => {
      throw new ParseError('netstat', lineNumber, line, reason)
    }
    const match = /^(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+([A-Z0-9_]+)(.*)$/.exec(line)
    const proto = /^\S*/.exec(line.trimStart())![0]
    if (otherProtocols.test(proto)) return null
    if (proto !== 'tcp' && proto !== 'tcp6') fail('expected a tcp or tcp6 row')
    if (!match) return fail('expected Proto Recv-Q Send-Q Local Foreign State')
    const [, , recvText, sendText, localText, peerText, stateText] = match
    let rest = match[7]!.replace(timer, '').trim()
    const state = parseStateName(stateText!) ?? fail(`unknown state ${JSON.stringify(stateText)}`)
    const local = readEndpoint(localText!, this.services) ?? fail('expected the local address:port')
    const peer = readEndpoint(peerText!, this.services) ?? fail('expected the foreign address:port')

    const record: SocketRecord = {state, recvQ: Number(recvText), sendQ: Number(sendText), local, peer, owners: null, inode: null}
    // -e adds "User Inode"; without a header, tell them from "PID/Program" by shape.
    const userInode = /^(\S+)\s+(\d+)(?:\s+(.*))?$/.exec(rest)
    if (userInode && (this.extended ?? (!userInode[1]!.includes('/') && userInode[1] !== '-'))) {
      if (/^\d+$/.test(userInode[1]!)) record.uid = Number(userInode[1])
      record.inode = Number(userInode[2])
      rest = userInode[3] ?? ''
    } else if (this.extended) {
      fail('expected User and Inode columns')
    }
    if (rest !== '') {
      const owners = readOwner(rest, record.inode, this.ownersPartial)
      record.owners = owners === undefined ? fail('expected PID/Program name or -') : owners
      this.lastDash = rest === '-' && owners !== null && record.inode === null
    } else if (record.inode === 0) record.owners = []
    return record
  }
}

/**
 * Parses `netstat -tan` output with any of p, e, o, W: the title and header lines, tcp/tcp6 rows,
 * `PID/Program name` (names may hold spaces), `-` owners, the non-root warning, host and service
 * names (without -n), and rows of other protocols (`netstat -an | grep PORT` keeps them), which
 * are skipped.
 */
export function parseNetstat(text: string, services?: ServiceNames): SocketRecord[] {
  const parser = new NetstatLineParser(services)
  text.split('\n').forEach((raw, index) => parser.line(raw.replace(/\r$/, ''), index + 1))
  return parser.end()
}

function readEndpoint(text: string, services: ServiceNames | undefined): Endpoint | null {
  const endpoint = parseEndpoint(text, services)
  // A cut address fills the 23 columns exactly; a longer one was printed whole (-W).
  if (endpoint && text.length === narrowWidth && endpoint.address.includes(':')) endpoint.truncated = true
  return endpoint
}

/** undefined: not an owner column at all. */
function readOwner(text: string, inode: number | null, ownersPartial: boolean): SocketOwner[] | null | undefined {
  if (text === '-') {
    // As root without -e, '-' means no process holds it. With a non-zero inode some process
    // does (in another PID namespace, or hidden from a non-root netstat).
    if (inode === 0) return []
    return ownersPartial || (inode !== null && inode > 0) ? null : []
  }
  const owner = /^(\d+)\/(.*)$/.exec(text)
  return owner ? [{name: owner[2]!.trim(), pid: Number(owner[1]), fd: null}] : undefined
}
