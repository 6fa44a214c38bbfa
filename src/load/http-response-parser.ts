/**
 * Incremental HTTP/1.x response parser for the load engine's hot path.
 *
 * Bytes are fed as they arrive (execute). Bodies are counted, never stored, so the caller may
 * reuse its read buffer; only an incomplete head, and the last complete one (to know it when
 * it comes again), are copied. For each final response it calls onResponse(status, keepAlive)
 * once. Malformed input throws HttpParseError.
 */

export class HttpParseError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'HttpParseError'
  }
}

export type ResponseCallback = (status: number, keepAlive: boolean) => void

const enum State {
  Head,
  LengthBody,
  ChunkSize,
  ChunkExtension,
  ChunkData,
  ChunkDataCr,
  ChunkDataLf,
  Trailer,
  UntilClose,
}

const MAX_HEAD_BYTES = 64 * 1024
const MAX_REMEMBERED_HEAD_BYTES = 1024
const CR = 13
const LF = 10
const COLON = 58
const CONTENT_LENGTH = Buffer.from('content-length')
const TRANSFER_ENCODING = Buffer.from('transfer-encoding')
const CONNECTION = Buffer.from('connection')
const CHUNKED = Buffer.from('chunked')
const CLOSE = Buffer.from('close')
const KEEP_ALIVE = Buffer.from('keep-alive')

export class HttpResponseParser {
  private state = State.Head
  /** An incomplete head, copied because the caller's buffer may be reused. */
  private pendingHead: Buffer | null = null
  /** What the current head says: status, framing, and whether the connection stays open. */
  private status = 0
  private contentLength = -1
  private chunked = false
  private headKeepAlive = true
  /** A copy of the last complete head: a load test gets the same head again and again. */
  private lastHead: DataView | null = null
  /** A view of the buffer execute() was last given: the caller reuses one read buffer. */
  private input: DataView | null = null
  private inputBuffer: Buffer | null = null
  /** The current response's: false also when its body ends at the close. */
  private keepAlive = true
  /** Body bytes left (LengthBody) or chunk bytes left (ChunkData). */
  private remaining = 0
  private chunkSize = 0
  private trailerLineLength = 0

  constructor(private readonly onResponse: ResponseCallback) {}

  /** Feeds buf[start, end). */
  execute(buf: Buffer, start = 0, end = buf.length): void {
    let pos = start
    while (pos < end) {
      switch (this.state) {
        case State.Head:
          pos = this.pendingHead === null ? this.readHead(buf, pos, end) : this.readPendingHead(buf, pos, end)
          break
        case State.LengthBody:
          pos = this.readLengthBody(pos, end)
          break
        case State.ChunkData:
          pos = this.readChunkData(pos, end)
          break
        case State.UntilClose:
          return
        default:
          pos = this.readChunkFraming(buf, pos, end)
      }
    }
  }

  /** The server closed the connection: completes a response delimited by the close. */
  finish(): void {
    if (this.state === State.UntilClose) this.complete()
  }

  private readHead(buf: Buffer, pos: number, end: number): number {
    // The same bytes as the last head say the same: comparing them costs a fraction of a parse.
    const last = this.lastHead
    if (last !== null && end - pos >= last.byteLength && equalViews(this.viewOf(buf), pos, last)) {
      this.startBody()
      return pos + last.byteLength
    }
    const headEnd = this.parseHead(buf, pos, end)
    if (headEnd === -1) {
      this.keepPartialHead(Buffer.from(buf.subarray(pos, end)))
      return end
    }
    this.rememberHead(buf, pos, headEnd)
    this.startBody()
    return headEnd
  }

  private readPendingHead(buf: Buffer, pos: number, end: number): number {
    const pending = this.pendingHead as Buffer
    const joined = Buffer.concat([pending, buf.subarray(pos, end)])
    const headEnd = this.parseHead(joined, 0, joined.length)
    if (headEnd === -1) {
      this.keepPartialHead(joined)
      return end
    }
    this.pendingHead = null
    this.rememberHead(joined, 0, headEnd)
    this.startBody()
    return pos + headEnd - pending.length
  }

  private rememberHead(buf: Buffer, start: number, end: number): void {
    if (end - start > MAX_REMEMBERED_HEAD_BYTES) {
      this.lastHead = null
      return
    }
    const copy = Buffer.from(buf.subarray(start, end))
    this.lastHead = new DataView(copy.buffer, copy.byteOffset, copy.length)
  }

  private viewOf(buf: Buffer): DataView {
    if (buf !== this.inputBuffer || this.input === null) {
      this.inputBuffer = buf
      this.input = new DataView(buf.buffer, buf.byteOffset, buf.length)
    }
    return this.input
  }

  private keepPartialHead(partial: Buffer): void {
    if (partial.length > MAX_HEAD_BYTES) throw new HttpParseError(`response head larger than ${MAX_HEAD_BYTES} bytes`)
    this.pendingHead = partial
  }

  /**
   * Parses the head starting at buf[start], never looking at or past `end` (a reused buffer
   * holds stale bytes there). Returns the offset just past the blank line (CRLF CRLF) that ends
   * it, or -1 while it is incomplete; nothing changes until it is complete. One pass over the
   * bytes: only the three framing headers are read; a name is matched by its first letter and
   * the colon at its length before comparing, so other headers cost one scan for their LF.
   */
  private parseHead(buf: Buffer, start: number, end: number): number {
    const statusEnd = findLineFeed(buf, start, end)
    if (statusEnd === -1) return -1
    const minor = parseStatusLine(buf, start, statusEnd)
    let contentLength = -1
    let chunked = false
    let close = false
    let keepAliveToken = false
    let line = statusEnd + 1
    for (;;) {
      const lineEnd = findLineFeed(buf, line, end)
      if (lineEnd === -1) return -1
      if (lineEnd === line + 1 && buf[line] === CR && buf[line - 2] === CR) break
      const valueEnd = buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd
      const first = buf[line] | 0x20
      if (first === 99 /* c */ && isHeader(buf, line, valueEnd, CONTENT_LENGTH)) {
        const value = skipSpaces(buf, line + CONTENT_LENGTH.length + 1, valueEnd)
        contentLength = parseDecimal(buf, value, trimSpacesEnd(buf, value, valueEnd))
      } else if (first === 99 && isHeader(buf, line, valueEnd, CONNECTION)) {
        const value = skipSpaces(buf, line + CONNECTION.length + 1, valueEnd)
        close ||= hasToken(buf, value, valueEnd, CLOSE)
        keepAliveToken ||= hasToken(buf, value, valueEnd, KEEP_ALIVE)
      } else if (first === 116 /* t */ && isHeader(buf, line, valueEnd, TRANSFER_ENCODING)) {
        // The last coding decides how the body is framed.
        const trimmedEnd = trimSpacesEnd(buf, line, valueEnd)
        chunked = equalsLower(buf, trimmedEnd - CHUNKED.length, CHUNKED)
      }
      line = lineEnd + 1
    }
    this.status = (buf[start + 9] - 48) * 100 + (buf[start + 10] - 48) * 10 + (buf[start + 11] - 48)
    this.contentLength = contentLength
    this.chunked = chunked
    this.headKeepAlive = !close && (minor >= 1 || keepAliveToken)
    return line + 2
  }

  /** Enters the body the current head announced. */
  private startBody(): void {
    const status = this.status
    const contentLength = this.contentLength
    this.keepAlive = this.headKeepAlive
    if (status >= 100 && status < 200 && status !== 101) {
      this.state = State.Head // interim response: the final one follows
    } else if (status === 204 || status === 304 || status === 101) {
      this.complete()
    } else if (this.chunked) {
      this.chunkSize = 0
      this.state = State.ChunkSize
    } else if (contentLength >= 0) {
      this.remaining = contentLength
      if (contentLength === 0) this.complete()
      else this.state = State.LengthBody
    } else {
      this.keepAlive = false
      this.state = State.UntilClose
    }
  }

  private readLengthBody(pos: number, end: number): number {
    const take = Math.min(this.remaining, end - pos)
    this.remaining -= take
    if (this.remaining === 0) this.complete()
    return pos + take
  }

  private readChunkData(pos: number, end: number): number {
    const take = Math.min(this.remaining, end - pos)
    this.remaining -= take
    if (this.remaining === 0) this.state = State.ChunkDataCr
    return pos + take
  }

  /** Chunk-size lines, the CRLF after each chunk and the trailer section, byte by byte. */
  private readChunkFraming(buf: Buffer, pos: number, end: number): number {
    while (pos < end && this.state !== State.ChunkData && this.state !== State.Head) {
      this.readChunkFramingByte(buf[pos])
      pos++
    }
    return pos
  }

  private readChunkFramingByte(byte: number): void {
    switch (this.state) {
      case State.ChunkSize: {
        const digit = hexValue(byte)
        if (digit >= 0) {
          this.chunkSize = this.chunkSize * 16 + digit
          if (this.chunkSize > Number.MAX_SAFE_INTEGER / 16) throw new HttpParseError('chunk size too large')
        } else if (byte === LF) {
          this.endChunkSizeLine()
        } else if (byte === CR || byte === 59 /* ; */ || byte === 32 || byte === 9) {
          this.state = State.ChunkExtension
        } else {
          throw new HttpParseError('invalid chunk size')
        }
        return
      }
      case State.ChunkExtension:
        if (byte === LF) this.endChunkSizeLine()
        return
      case State.ChunkDataCr:
        if (byte === LF) this.state = State.ChunkSize
        else if (byte === CR) this.state = State.ChunkDataLf
        else throw new HttpParseError('missing CRLF after chunk data')
        this.chunkSize = 0
        return
      case State.ChunkDataLf:
        if (byte !== LF) throw new HttpParseError('missing CRLF after chunk data')
        this.state = State.ChunkSize
        return
      case State.Trailer:
        if (byte === LF) {
          if (this.trailerLineLength === 0) this.complete()
          this.trailerLineLength = 0
        } else if (byte !== CR) {
          this.trailerLineLength++
        }
        return
    }
  }

  private endChunkSizeLine(): void {
    if (this.chunkSize === 0) {
      this.trailerLineLength = 0
      this.state = State.Trailer
    } else {
      this.remaining = this.chunkSize
      this.state = State.ChunkData
    }
  }

  private complete(): void {
    this.state = State.Head
    this.onResponse(this.status, this.keepAlive)
  }
}

/** Whether view[at, at + head.byteLength) holds head's bytes: four at a time, about twice as fast as Buffer.compare's native call here. */
function equalViews(view: DataView, at: number, head: DataView): boolean {
  const length = head.byteLength
  let i = 0
  for (; i + 4 <= length; i += 4) if (view.getUint32(at + i) !== head.getUint32(i)) return false
  for (; i < length; i++) if (view.getUint8(at + i) !== head.getUint8(i)) return false
  return true
}

/** Checks "HTTP/1.x NNN" at the start of the status line buf[start, end) and returns the minor version. */
function parseStatusLine(buf: Buffer, start: number, end: number): number {
  const ok =
    end - start >= 12 &&
    buf[start] === 72 && // H
    buf[start + 1] === 84 && // T
    buf[start + 2] === 84 && // T
    buf[start + 3] === 80 && // P
    buf[start + 4] === 47 && // /
    buf[start + 5] === 49 && // 1
    buf[start + 6] === 46 && // .
    isDigit(buf[start + 7]) &&
    buf[start + 8] === 32 &&
    isDigit(buf[start + 9]) &&
    isDigit(buf[start + 10]) &&
    isDigit(buf[start + 11])
  if (!ok) throw new HttpParseError(`invalid status line: ${JSON.stringify(buf.toString('latin1', start, Math.min(end, start + 40)))}`)
  return buf[start + 7] - 48
}

function isDigit(byte: number): boolean {
  return byte >= 48 && byte <= 57
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48
  const lower = byte | 0x20
  if (lower >= 97 && lower <= 102) return lower - 87
  return -1
}

/**
 * The first LF in buf[start, end), or -1. Buffer's native indexOf with a number is several
 * times faster than a JS loop over the bytes; it may look past `end` into stale bytes of a
 * reused buffer, so a match there counts as none.
 */
function findLineFeed(buf: Buffer, start: number, end: number): number {
  const at = buf.indexOf(LF, start)
  return at < end ? at : -1
}

function findByte(buf: Buffer, byte: number, start: number, end: number): number {
  for (let i = start; i < end; i++) if (buf[i] === byte) return i
  return -1
}

function skipSpaces(buf: Buffer, start: number, end: number): number {
  while (start < end && (buf[start] === 32 || buf[start] === 9)) start++
  return start
}

function trimSpacesEnd(buf: Buffer, start: number, end: number): number {
  while (end > start && (buf[end - 1] === 32 || buf[end - 1] === 9)) end--
  return end
}

/** Whether the line at `line` is the header `name` (lower-case), colon included. */
function isHeader(buf: Buffer, line: number, lineEnd: number, name: Buffer): boolean {
  return line + name.length < lineEnd && buf[line + name.length] === COLON && equalsLower(buf, line, name)
}

/** Case-insensitive compare of buf at `at` with a lower-case ASCII word. */
function equalsLower(buf: Buffer, at: number, word: Buffer): boolean {
  for (let i = 0; i < word.length; i++) if ((buf[at + i] | 0x20) !== word[i]) return false
  return true
}

function parseDecimal(buf: Buffer, start: number, end: number): number {
  if (start === end) throw new HttpParseError('empty Content-Length')
  let value = 0
  for (let i = start; i < end; i++) {
    if (!isDigit(buf[i])) throw new HttpParseError('invalid Content-Length')
    value = value * 10 + buf[i] - 48
  }
  if (!Number.isSafeInteger(value)) throw new HttpParseError('Content-Length too large')
  return value
}

/** Whether the comma-separated list in buf[start, end) holds `token` (case-insensitive). */
function hasToken(buf: Buffer, start: number, end: number, token: Buffer): boolean {
  let itemStart = start
  while (itemStart < end) {
    let itemEnd = findByte(buf, 44 /* , */, itemStart, end)
    if (itemEnd === -1) itemEnd = end
    const from = skipSpaces(buf, itemStart, itemEnd)
    const to = trimSpacesEnd(buf, from, itemEnd)
    if (to - from === token.length && equalsLower(buf, from, token)) return true
    itemStart = itemEnd + 1
  }
  return false
}
