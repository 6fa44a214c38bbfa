import {parseNetstat} from './netstat.js'
import {parseProcNetTcp} from './procfs.js'
import {parseSs} from './ss.js'
import {parseStateName} from './tcp-states.js'
import type {SocketRecord, SourceName} from './types.js'
import {UserError} from '../user-error.js'

/**
 * Tells saved output of ss, netstat or /proc/net/tcp apart by its first meaningful line:
 * /proc rows start with "N: HEX:HEX", netstat rows with "tcp <num> <num>", ss rows with a state
 * (or netid + state, or the Recv-Q number of a single-state filter).
 */
export function detectFormat(text: string): SourceName | null {
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '') continue
    if (/^sl\s+local_address/.test(line) || /^\d+:\s+[0-9A-Fa-f]{8,32}:[0-9A-Fa-f]{4}\s/.test(line)) return 'proc'
    if (/^(Active Internet|Proto\s+Recv-Q|\(Not all processes|\(No info could be read)/.test(line) || /^(tcp6?|udp6?|unix)\s+\d+\s+/.test(line)) return 'netstat'
    if (/^(State|Netid|Recv-Q)\s/.test(line) && line.includes('Local Address')) return 'ss'
    const first = line.split(/\s+/)[0]!
    const glued = /^(?:tcp|udp|u_str|u_dgr|u_seq|raw|mptcp)(.*)$/.exec(first)
    if (parseStateName(first) || (glued && parseStateName(glued[1] || line.split(/\s+/)[1]!))) return 'ss'
    if (/^\d+\s+\d+\s+\S+:\S+\s+\S+:\S+/.test(line)) return 'ss'
    return null
  }
  return null
}

/** Parses saved output whose format is detected; `name` is for the error message. */
export function parseSaved(text: string, name: string): {format: SourceName; sockets: SocketRecord[]} {
  const format = detectFormat(text)
  if (format === null) {
    throw new UserError(`${name}: not ss, netstat or /proc/net/tcp output`, 'save the output of `ss -tanpe`, `netstat -tanpe` or `cat /proc/net/tcp`')
  }
  const parse = {ss: parseSs, netstat: parseNetstat, proc: parseProcNetTcp}[format]
  return {format, sockets: parse(text)}
}
