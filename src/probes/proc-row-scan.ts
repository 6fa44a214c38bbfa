/*
 * Lean readings of /proc/net/tcp and tcp6 bytes for the bench's sampler, which reads them 50 times
 * a second: the few numbers it charts, taken from the bytes as read(), without decoding them to a
 * string or building a record per row. parseProcNetTcp (procfs.ts) is the full reading; the
 * tests hold these to it.
 *
 * The kernel prints every row as "%4d: ADDR:%04X ADDR:%04X %02X %08X:%08X ..." (tcp4_seq_show,
 * tcp6_seq_show): the local port follows the second colon, and the state, tx_queue and rx_queue
 * sit at fixed offsets after the peer's colon. Rows that do not fit that shape are skipped.
 */

const NEWLINE = 0x0a
const COLON = 0x3a
const SPACE = 0x20
/** st 0A: TCP_LISTEN; for a LISTEN row rx_queue is the accept queue. */
const LISTEN = 0x0a
const ESTABLISHED = 0x01
const CLOSE_WAIT = 0x08

/** What the sampler charts for one port, from the rows of one table. */
export interface PortCounts {
  /** Summed over the port's LISTEN rows (several with SO_REUSEPORT); null when it has none. */
  acceptQueue: number | null
  estab: number
  closeWait: number
}

/**
 * The port's accept queue from the listening sockets' rows, which the kernel prints first, and
 * the offset just past the first row that is not LISTEN: a reader can stop there. `end` is null
 * while every whole row is LISTEN (read further to be sure no listener is left).
 */
export function scanListenRows(bytes: Uint8Array, port: number): {acceptQueue: number | null; end: number | null} {
  let acceptQueue: number | null = null
  for (let at = afterHeader(bytes); at < bytes.length; ) {
    const rowEnd = bytes.indexOf(NEWLINE, at)
    if (rowEnd === -1) break
    const row = readRow(bytes, at, rowEnd)
    if (row !== null && row.state !== LISTEN) return {acceptQueue, end: rowEnd + 1}
    if (row !== null && row.localPort === port) acceptQueue = (acceptQueue ?? 0) + row.rxQueue
    at = rowEnd + 1
  }
  return {acceptQueue, end: null}
}

/** The port's accept queue and its ESTAB and CLOSE-WAIT counts, from a whole table's bytes. */
export function countPortRows(bytes: Uint8Array, port: number): PortCounts {
  const counts: PortCounts = {acceptQueue: null, estab: 0, closeWait: 0}
  for (let at = afterHeader(bytes); at < bytes.length; ) {
    const rowEnd = bytes.indexOf(NEWLINE, at)
    const row = readRow(bytes, at, rowEnd === -1 ? bytes.length : rowEnd)
    if (row !== null && row.localPort === port) {
      if (row.state === LISTEN) counts.acceptQueue = (counts.acceptQueue ?? 0) + row.rxQueue
      else if (row.state === ESTABLISHED) counts.estab++
      else if (row.state === CLOSE_WAIT) counts.closeWait++
    }
    if (rowEnd === -1) break
    at = rowEnd + 1
  }
  return counts
}

/** Sums the counts of the tables a port's sockets may be in (tcp and tcp6). */
export function addPortCounts(a: PortCounts, b: PortCounts): PortCounts {
  const acceptQueue = a.acceptQueue === null && b.acceptQueue === null ? null : (a.acceptQueue ?? 0) + (b.acceptQueue ?? 0)
  return {acceptQueue, estab: a.estab + b.estab, closeWait: a.closeWait + b.closeWait}
}

/** Reads start at offset 0, whose first line is the "sl local_address ..." header. */
function afterHeader(bytes: Uint8Array): number {
  const end = bytes.indexOf(NEWLINE)
  return end === -1 ? bytes.length : end + 1
}

/** One row's local port, state and rx_queue; null when bytes [at, rowEnd) are not a row. */
function readRow(bytes: Uint8Array, at: number, rowEnd: number): {localPort: number; state: number; rxQueue: number} | null {
  const slColon = bytes.indexOf(COLON, at)
  const localColon = slColon === -1 ? -1 : bytes.indexOf(COLON, slColon + 1)
  const peerColon = localColon === -1 ? -1 : bytes.indexOf(COLON, localColon + 1)
  // peerColon+1: port (4 hex), +5: space, +6: state (2 hex), +8: space, +9: tx_queue, +17: colon, +18: rx_queue (8 hex).
  if (peerColon === -1 || peerColon + 26 > rowEnd) return null
  if (bytes[localColon + 5] !== SPACE || bytes[peerColon + 5] !== SPACE || bytes[peerColon + 8] !== SPACE || bytes[peerColon + 17] !== COLON) return null
  const localPort = hexAt(bytes, localColon + 1, 4)
  const state = hexAt(bytes, peerColon + 6, 2)
  const rxQueue = hexAt(bytes, peerColon + 18, 8)
  if (localPort === null || state === null || rxQueue === null) return null
  return {localPort, state, rxQueue}
}

/** The number written in `length` hex digits at `at`; null if any is not a hex digit. */
function hexAt(bytes: Uint8Array, at: number, length: number): number | null {
  let value = 0
  for (let i = at; i < at + length; i++) {
    const byte = bytes[i]!
    const digit = byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66 ? (byte | 0x20) - 0x57 : -1
    if (digit === -1) return null
    value = value * 16 + digit
  }
  return value
}
