import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {HttpParseError, HttpResponseParser} from '../../src/load/http-response-parser.js'

type Seen = Array<[status: number, keepAlive: boolean]>

function parse(...chunks: string[]): Seen {
  const seen: Seen = []
  const parser = new HttpResponseParser((status, keepAlive) => seen.push([status, keepAlive]))
  for (const chunk of chunks) parser.execute(Buffer.from(chunk, 'latin1'))
  return seen
}

/** Feeds `text` split at every position into two chunks and expects the same result each time. */
function expectSameAtEverySplit(text: string, expected: Seen): void {
  for (let at = 0; at <= text.length; at++) {
    expect(parse(text.slice(0, at), text.slice(at)), `split at ${at}`).toEqual(expected)
  }
}

const nginxOk = 'HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nok\n'
const chunked =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + '5;name=value\r\nhello\r\n' + 'A\r\n0123456789\r\n' + '0\r\nX-Trailer: 1\r\n\r\n'

describe('HttpResponseParser', () => {
  it('parses a Content-Length response and keeps an HTTP/1.1 connection alive', () => {
    expect(parse(nginxOk)).toEqual([[200, true]])
  })

  it('parses several responses in one chunk', () => {
    expect(parse(nginxOk + nginxOk.replace('200 OK', '404 Not Found') + nginxOk)).toEqual([
      [200, true],
      [404, true],
      [200, true],
    ])
  })

  it('parses a response split anywhere, in the head or in the body', () => {
    expectSameAtEverySplit(nginxOk + nginxOk, [
      [200, true],
      [200, true],
    ])
  })

  it('parses a response fed one byte at a time', () => {
    expect(parse(...[...(nginxOk + chunked)])).toEqual([
      [200, true],
      [200, true],
    ])
  })

  it('decodes chunked bodies with extensions and trailers, split anywhere', () => {
    expectSameAtEverySplit(chunked + nginxOk, [
      [200, true],
      [200, true],
    ])
  })

  it('uses the last transfer coding and matches header names in any case', () => {
    expect(parse('HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n')).toEqual([[200, true]])
    expect(parse('HTTP/1.1 200 OK\r\nCONTENT-LENGTH:2 \r\n\r\nhi')).toEqual([[200, true]])
  })

  it('reads Connection: close and HTTP/1.0 keep-alive semantics', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')).toEqual([[200, false]])
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: Upgrade, Close\r\n\r\n')).toEqual([[200, false]])
    expect(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')).toEqual([[200, false]])
    expect(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: Keep-Alive\r\n\r\n')).toEqual([[200, true]])
  })

  it('completes a body delimited by the close when the server closes', () => {
    const seen: Seen = []
    const parser = new HttpResponseParser((status, keepAlive) => seen.push([status, keepAlive]))
    parser.execute(Buffer.from('HTTP/1.1 200 OK\r\n\r\nsome body'))
    expect(seen).toEqual([])
    parser.finish()
    expect(seen).toEqual([[200, false]])
  })

  it('skips interim 1xx responses and reads bodiless 204 and 304', () => {
    expect(parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n')).toEqual([
      [204, true],
      [304, true],
    ])
  })

  it('ignores stale bytes after the end of a reused buffer', () => {
    const seen: Seen = []
    const parser = new HttpResponseParser((status, keepAlive) => seen.push([status, keepAlive]))
    const buffer = Buffer.alloc(256)
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n'
    buffer.write(head + '\r\nok\n')
    parser.execute(buffer, 0, head.length) // the blank line is stale until the next read
    expect(seen).toEqual([])
    buffer.write('\r\nok\n')
    parser.execute(buffer, 0, 5)
    expect(seen).toEqual([[200, true]])
  })

  it('rejects malformed responses', () => {
    expect(() => parse('HTP/1.1 200 OK\r\n\r\n')).toThrow(HttpParseError)
    expect(() => parse('HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n')).toThrow(HttpParseError)
    expect(() => parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')).toThrow(HttpParseError)
    expect(() => parse('HTTP/1.1 200 OK\r\nX: ' + 'a'.repeat(70_000))).toThrow(HttpParseError)
  })

  it('reads a repeated head the same as a new one, and a changed head anew', () => {
    const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n'
    const longer = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n'
    const other = 'HTTP/1.1 404 No\r\nContent-Length: 30\r\n\r\n' + 'x'.repeat(30)
    expect(parse(ok + ok + longer + ok + other + other + ok)).toEqual([
      [200, true],
      [200, true],
      [200, false],
      [200, true],
      [404, true],
      [404, true],
      [200, true],
    ])
    expect(parse('HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 100 Continue\r\n\r\n' + ok, ok)).toEqual([
      [200, true],
      [200, true],
    ])
  })
})

/** Responses the engine may see one after another, each with what the parser reports for it. */
const responses: Array<{text: string; seen: [number, boolean]}> = [
  {text: nginxOk, seen: [200, true]},
  {text: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: keep-alive\r\nKeep-Alive: timeout=60\r\n\r\nok\n', seen: [200, true]},
  {text: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbye', seen: [200, false]},
  {text: 'HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n', seen: [503, true]},
  {text: 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi', seen: [200, true]},
  {text: chunked, seen: [200, true]},
  {text: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n', seen: [204, true]},
]

describe('HttpResponseParser on a reused read buffer', () => {
  it('gives every response, whatever the order and wherever the reads split, ignoring stale bytes', () => {
    const sequence = fc.array(fc.nat(responses.length - 1), {minLength: 1, maxLength: 12})
    const cuts = fc.array(fc.nat(2000), {maxLength: 12})
    fc.assert(
      fc.property(sequence, cuts, (picked, cutPoints) => {
        const stream = Buffer.from(picked.map((index) => responses[index]!.text).join(''), 'latin1')
        const bounds = [...new Set(cutPoints.map((cut) => cut % stream.length))].sort((a, b) => a - b)
        const seen: Seen = []
        const parser = new HttpResponseParser((status, keepAlive) => seen.push([status, keepAlive]))
        // One buffer for every read, as the engine's onread buffer: bytes past a read are stale.
        const readBuffer = Buffer.alloc(stream.length + 64, '\r\n\r\nHTTP/1.1 500 Stale\r\n\r\n')
        let from = 0
        for (const to of [...bounds, stream.length]) {
          if (to <= from) continue
          stream.copy(readBuffer, 0, from, to)
          parser.execute(readBuffer, 0, to - from)
          from = to
        }
        expect(seen).toEqual(picked.map((index) => responses[index]!.seen))
      }),
    )
  })
})
