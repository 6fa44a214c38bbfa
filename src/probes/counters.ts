import {ParseError} from './parse-error.js'
import type {ListenCounters} from './types.js'

/**
 * Reads ListenOverflows and ListenDrops from /proc/net/netstat, where each group is a line of
 * names followed by a line of values with the same prefix ("TcpExt:").
 */
export function parseListenCounters(text: string): ListenCounters {
  const lines = text.split('\n')
  const header = lines.findIndex((line) => line.startsWith('TcpExt:') && /\sListenOverflows\b/.test(line))
  const values = lines[header + 1]
  if (header < 0 || !values?.startsWith('TcpExt:')) {
    throw new ParseError('/proc/net/netstat', Math.max(header + 2, 1), values ?? '', 'expected TcpExt: names and values lines')
  }
  const names = lines[header]!.trim().split(/\s+/)
  const numbers = values.trim().split(/\s+/)
  const read = (name: string): number => {
    const value = numbers[names.indexOf(name)]
    if (value === undefined || !/^\d+$/.test(value)) throw new ParseError('/proc/net/netstat', header + 2, values, `no value for ${name}`)
    return Number(value)
  }
  return {listenOverflows: read('ListenOverflows'), listenDrops: read('ListenDrops')}
}
