import type {ConnectionRecord} from './types.js'

export function newConnectionRecord(id: number, wave = 1): ConnectionRecord {
  return {
    id,
    wave,
    localPort: null,
    connected: false,
    connectedAtMs: null,
    firstByteAtMs: null,
    requestsSent: 0,
    responses: 0,
    bytesSent: 0,
    bytesReceived: 0,
    error: null,
    closedByServer: false,
  }
}

/** ms since `startedAt` (a performance.now() value), to the microsecond. */
export function msSince(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 1000) / 1000
}

/**
 * A client that sent a request and never got a byte back: a connection the server lost. A client
 * that never sent one (the requests ran out before its turn) is not lost, only idle.
 */
export function isLostConnection(connection: ConnectionRecord): boolean {
  return connection.requestsSent > 0 && connection.bytesReceived === 0
}
