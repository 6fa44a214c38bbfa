import type {Socket} from 'node:net'
import type autocannon from 'autocannon'
import {msSince, newConnectionRecord} from './connection-record.js'
import type {ConnectionRecord} from './types.js'

/** What the ledger reports to the run. */
export interface LedgerOwner {
  handleRequest(): void
  handleResponse(latencyMs: number, status: number): void
  /** A socket failed before any socket ever connected: nothing is listening. */
  handleUnreachable(code: string): void
}

interface TrackedSocket {
  socket: Socket
  record: ConnectionRecord
}

/**
 * One ConnectionRecord per socket autocannon opens. autocannon has no connect event and
 * setupClient runs once per client, before its first connect; every later connect (after a
 * request timeout, an error or the server closing) assigns a new socket to `client.conn`.
 * So the ledger watches that assignment. A new socket counts as a reconnect when the one it
 * replaces failed: an error, or a request left unanswered (a timeout, or a request written
 * into a connection the server was closing). A server closing after answering all is not one.
 */
export class AutocannonLedger {
  private readonly sockets: TrackedSocket[] = []
  private replacedFailures = 0
  private anyConnected = false

  constructor(
    private readonly owner: LedgerOwner,
    private readonly startedAt: number,
  ) {}

  get reconnects(): number {
    return this.replacedFailures
  }

  /** Call from autocannon's setupClient. */
  watchClient(client: autocannon.Client): void {
    let current: TrackedSocket | null = null
    Object.defineProperty(client, 'conn', {
      configurable: true,
      get: () => current?.socket,
      set: (socket: Socket) => {
        if (current && hasFailed(current.record)) this.replacedFailures++
        current = this.track(socket)
      },
    })
    // 'request' (emitted before each write) is real but missing from @types/autocannon.
    const events: NodeJS.EventEmitter = client
    events.on('request', () => {
      if (current) current.record.requestsSent++
      this.owner.handleRequest()
    })
    client.on('response', (status: number, _bytes: number, latencyMs: number) => {
      if (current) current.record.responses++
      this.owner.handleResponse(latencyMs, status)
    })
  }

  /** Records with byte counts read from the sockets (still readable after destroy). */
  records(): ConnectionRecord[] {
    return this.sockets.map(({socket, record}) => ({
      ...record,
      bytesSent: socket.bytesWritten ?? 0,
      bytesReceived: socket.bytesRead,
    }))
  }

  private track(socket: Socket): TrackedSocket {
    const record = newConnectionRecord(this.sockets.length)
    const tracked = {socket, record}
    this.sockets.push(tracked)
    socket.once('connect', () => {
      this.anyConnected = true
      record.connected = true
      record.connectedAtMs = msSince(this.startedAt)
      record.localPort = socket.localPort ?? null
    })
    socket.once('data', () => {
      record.firstByteAtMs = msSince(this.startedAt)
    })
    socket.once('end', () => {
      record.closedByServer = true
    })
    socket.once('error', (error: NodeJS.ErrnoException) => {
      record.error ??= error.code ?? error.message
      if (!this.anyConnected) this.owner.handleUnreachable(record.error)
    })
    return tracked
  }

}

function hasFailed(record: ConnectionRecord): boolean {
  return record.error !== null || record.responses < record.requestsSent
}
