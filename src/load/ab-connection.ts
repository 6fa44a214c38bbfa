import {connect, type Socket} from 'node:net'
import {performance} from 'node:perf_hooks'
import {HttpParseError} from './http-response-parser.js'
import type {ProtocolPlan, ResponseReader} from './protocol.js'
import {msSince, newConnectionRecord} from './connection-record.js'
import {SocketWriter} from './socket-writer.js'
import type {ConnectionRecord} from './types.js'

/** What a connection reports to the run that owns it. */
export interface ConnectionOwner {
  handleConnect(connection: AbConnection): void
  handleResponse(connection: AbConnection, status: number, keepAlive: boolean): void
  handleClose(connection: AbConnection): void
}

export interface ConnectionTarget {
  host: string
  port: number
  /** The prebuilt request, written as is for every request. */
  request: Buffer
  /** How answers are read (HTTP, an echo, a fixed reply). */
  protocol: ProtocolPlan
  /** Shared read buffer: each read is parsed before the next one overwrites it. */
  readBuffer: Buffer
  /** performance.now() at the start of the run: record times are relative to it. */
  startedAt: number
}

/** One client socket with at most one request outstanding (no pipelining), and its record. */
export class AbConnection {
  readonly record: ConnectionRecord
  /** A request was written and its response has not been read yet. */
  outstanding = false
  /** performance.now() when the outstanding request was written. */
  sentAt = 0
  /** Closed by the run on purpose (not keep-alive, or the run ended). */
  retired = false
  /** The socket has closed, whoever closed it. */
  closed = false
  private readonly socket: Socket
  private readonly writer: SocketWriter
  private readonly parser: ResponseReader

  constructor(
    id: number,
    wave: number,
    private readonly target: ConnectionTarget,
    private readonly owner: ConnectionOwner,
  ) {
    this.record = newConnectionRecord(id, wave)
    this.parser = target.protocol.newReader((status, keepAlive) => this.handleResponse(status, keepAlive))
    this.socket = connect({
      host: target.host,
      port: target.port,
      noDelay: true,
      onread: {buffer: target.readBuffer, callback: (bytes) => this.handleRead(bytes, target.readBuffer)},
    })
    this.writer = new SocketWriter(this.socket)
    this.socket.on('connect', () => this.handleConnect())
    this.socket.on('end', () => this.handleEnd())
    this.socket.on('error', (error: NodeJS.ErrnoException) => {
      this.record.error ??= error.code ?? error.message
    })
    this.socket.on('close', () => {
      this.closed = true
      this.owner.handleClose(this)
    })
  }

  send(): void {
    this.outstanding = true
    this.sentAt = performance.now()
    this.record.requestsSent++
    this.record.bytesSent += this.target.request.length
    this.writer.write(this.target.request)
  }

  retire(): void {
    this.retired = true
    this.socket.destroy()
  }

  private handleConnect(): void {
    this.record.connected = true
    this.record.connectedAtMs = msSince(this.target.startedAt)
    this.record.localPort = this.socket.localPort ?? null
    this.owner.handleConnect(this)
  }

  /** Returns true: keep reading. */
  private handleRead(bytes: number, buffer: Buffer): boolean {
    if (this.record.firstByteAtMs === null) this.record.firstByteAtMs = msSince(this.target.startedAt)
    this.record.bytesReceived += bytes
    try {
      this.parser.execute(buffer, 0, bytes)
    } catch (error) {
      if (!(error instanceof HttpParseError)) throw error
      this.record.error = `bad response: ${error.message}`
      this.socket.destroy()
    }
    return true
  }

  private handleResponse(status: number, keepAlive: boolean): void {
    // Bytes after the answer to our one request (or after retire) answer nothing we sent.
    if (!this.outstanding || this.retired) return
    this.outstanding = false
    this.record.responses++
    this.owner.handleResponse(this, status, keepAlive)
  }

  /** EOF from the server: it may complete a response delimited by the close. */
  private handleEnd(): void {
    this.record.closedByServer = true
    this.parser.finish()
  }
}
