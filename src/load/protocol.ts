import {buildRequest} from './http-request.js'
import {HttpParseError, HttpResponseParser, type ResponseCallback} from './http-response-parser.js'
import type {LoadOptions, LoadProtocol} from './types.js'

/** Reads a connection's bytes and calls back once per complete answer; throws HttpParseError on a wrong one. */
export interface ResponseReader {
  execute(buffer: Buffer, start: number, end: number): void
  /** EOF from the server. */
  finish(): void
}

/** What one protocol sends and how it reads the answers: the engine itself does not know HTTP. */
export interface ProtocolPlan {
  /** The one request, written as is every time. */
  request: Buffer
  /** The exact answer to each request (echo, raw); null: answers are HTTP responses. */
  expected: Buffer | null
  newReader(onResponse: ResponseCallback): ResponseReader
}

export const DEFAULT_PROTOCOL: LoadProtocol = {kind: 'http'}

export function planProtocol(options: Pick<LoadOptions, 'host' | 'port' | 'path' | 'keepAlive' | 'bodyBytes' | 'protocol'>): ProtocolPlan {
  const protocol = options.protocol ?? DEFAULT_PROTOCOL
  switch (protocol.kind) {
    case 'http':
      return {
        request: buildRequest(options.host, options.port, options.path, options.keepAlive, options.bodyBytes),
        expected: null,
        newReader: (onResponse) => new HttpResponseParser(onResponse),
      }
    case 'echo': {
      const payload = echoPayload(protocol.payloadBytes)
      return {request: payload, expected: payload, newReader: (onResponse) => new ExactReplyReader(payload, options.keepAlive, onResponse)}
    }
    case 'raw':
      return {request: protocol.send, expected: protocol.expect, newReader: (onResponse) => new ExactReplyReader(protocol.expect, options.keepAlive, onResponse)}
  }
}

/**
 * Printable bytes "0123456789abcdef..." repeated, so a wrong echo shows readably, ending in a
 * newline: an echo server that answers line by line (many do) answers it too.
 */
export function echoPayload(bytes: number): Buffer {
  const pattern = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz', 'latin1')
  const payload = Buffer.allocUnsafe(bytes)
  for (let i = 0; i < bytes; i += pattern.length) pattern.copy(payload, i, 0, Math.min(pattern.length, bytes - i))
  payload[bytes - 1] = 0x0a
  return payload
}

/**
 * An answer that must be exactly `expected` (an echo of the request, or a line protocol's
 * reply), compared byte by byte as it arrives, so a split answer is fine and a wrong byte is
 * an error at once. Status 200 for a match: the engine counts non-2xx for HTTP only.
 */
export class ExactReplyReader implements ResponseReader {
  private matched = 0

  constructor(
    private readonly expected: Buffer,
    private readonly keepAlive: boolean,
    private readonly onResponse: ResponseCallback,
  ) {}

  execute(buffer: Buffer, start: number, end: number): void {
    let at = start
    while (at < end) {
      const take = Math.min(end - at, this.expected.length - this.matched)
      if (buffer.compare(this.expected, this.matched, this.matched + take, at, at + take) !== 0) {
        const due = this.expected.subarray(this.matched, this.matched + take)
        throw new HttpParseError(`expected ${quote(due)} at byte ${this.matched} of the answer, got ${quote(buffer.subarray(at, at + take))}`)
      }
      at += take
      this.matched += take
      if (this.matched === this.expected.length) {
        this.matched = 0
        this.onResponse(200, this.keepAlive)
      }
    }
  }

  finish(): void {}
}

/** Bytes as a short JSON string with escapes, at most 40 bytes of them. */
function quote(bytes: Buffer): string {
  const shown = JSON.stringify(bytes.subarray(0, 40).toString('latin1'))
  return bytes.length > 40 ? `${shown}...` : shown
}
