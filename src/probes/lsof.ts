import {parseEndpoint} from './address.js'
import {ParseError} from './parse-error.js'
import type {ServiceNames} from './services.js'
import {parseStateName} from './tcp-states.js'
import type {SocketRecord} from './types.js'

/** lsof's header: `COMMAND PID [TID TASKCMD] USER FD TYPE DEVICE SIZE/OFF NODE NAME`. */
export function isLsofHeader(line: string): boolean {
  return /^COMMAND\s+PID\s/.test(line) && /\sNAME\s*$/.test(line)
}

/** `TCP 127.0.0.1:8080->127.0.0.1:5000 (CLOSE_WAIT QR=114 QS=0)`: the NODE column and NAME. */
const tcpName = /\sTCP\s+(\S+?)(?:->(\S+))?(?:\s+\(([^)]*)\))?\s*$/

/**
 * Reads `lsof -nP -iTCP` output one line at a time. lsof lists open files, so every socket it
 * shows has an owner (COMMAND, PID, FD); connections still in an accept queue have no file and
 * never appear. Queue sizes are shown only with `-T q` (QR= QS=). Rows of one socket held by
 * several processes (a forked server) become one record with several owners. The DEVICE column
 * of a socket is its inode. UDP and other rows are counted in `skipped`.
 */
export class LsofLineParser {
  skipped = 0
  private readonly byKey = new Map<string, SocketRecord>()

  constructor(
    private readonly services?: ServiceNames,
    /** Rows to keep (see SsParseOptions.keep). */
    private readonly keep?: (record: SocketRecord) => boolean,
  ) {}

  line(line: string, lineNumber: number): void {
    if (line.trim() === '' || isLsofHeader(line)) return
    // lsof's own warnings ("lsof: WARNING: can't stat() ...") go to stderr, often pasted with the rest.
    if (/^lsof:\s/.test(line) || /^\s*Output information may be incomplete/.test(line)) return
    const fail = (reason: string): never => {
      throw new ParseError('lsof', lineNumber, line, reason)
    }
    const tokens = line.trim().split(/\s+/)
    const node = tokens.findIndex((token, index) => index >= 5 && /^(TCP|UDP|UDPLITE|SCTP|raw|unix)$/.test(token))
    if (node < 0) {
      if (tokens.length >= 8 && /^\d+$/.test(tokens[1] ?? '')) {
        this.skipped++
        return
      }
      fail('expected COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME')
    }
    if (tokens[node] !== 'TCP') {
      this.skipped++
      return
    }
    const match = tcpName.exec(line) ?? fail('expected TCP local->peer (STATE)')
    const pid = Number(tokens[1])
    const fd = /^(\d+)/.exec(tokens[node - 4] ?? '')
    const device = /^\d+$/.test(tokens[node - 2] ?? '') ? Number(tokens[node - 2]) : null
    if (!/^\d+$/.test(tokens[1] ?? '')) fail('expected a PID')
    const local = parseEndpoint(match[1]!, this.services) ?? fail('expected the local address:port')
    const peer = match[2] === undefined ? {address: '*', port: null} : (parseEndpoint(match[2], this.services) ?? fail('expected the peer address:port'))
    const info = (match[3] ?? '').split(/\s+/)
    const state = info[0] ? (parseStateName(info[0]) ?? fail(`unknown state ${JSON.stringify(info[0])}`)) : 'UNKNOWN'
    const qr = info.find((part) => part.startsWith('QR='))
    const qs = info.find((part) => part.startsWith('QS='))
    const owner = {name: tokens[0]!.replaceAll('\\x20', ' '), pid, fd: fd ? Number(fd[1]) : null}
    const key = `${device ?? ''}|${match[1]}|${match[2] ?? '*'}|${state}`
    const seen = this.byKey.get(key)
    if (seen) {
      if (!seen.owners!.some((known) => known.pid === owner.pid && known.fd === owner.fd)) seen.owners!.push(owner)
      return
    }
    const record: SocketRecord = {
      state,
      recvQ: qr ? Number(qr.slice(3)) || 0 : 0,
      sendQ: qs ? Number(qs.slice(3)) || 0 : 0,
      local,
      peer,
      owners: [owner],
      inode: device,
    }
    if (!qr) record.queuesShown = false
    if (this.keep && !this.keep(record)) return
    this.byKey.set(key, record)
  }

  end(): SocketRecord[] {
    const records = [...this.byKey.values()]
    this.byKey.clear()
    return records
  }
}

/** Parses saved `lsof -nP -iTCP` output (see LsofLineParser). */
export function parseLsof(text: string, services?: ServiceNames): SocketRecord[] {
  const parser = new LsofLineParser(services)
  text.split('\n').forEach((raw, index) => parser.line(raw.replace(/\r$/, ''), index + 1))
  return parser.end()
}
