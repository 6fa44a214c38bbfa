import {describe, expect, it, vi} from 'vitest'
import {listServerSockets} from '../helpers/tcp-sockets.js'
import {exchange, statusCodes} from '../helpers/raw-http.js'
import {useReferenceServers} from '../helpers/reference-servers.js'

const get = 'GET /anything HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
const startServer = useReferenceServers()

describe.each([
  {trigger: 'lt', threads: 0},
  {trigger: 'et', threads: 2},
] as const)('reference server HTTP ($trigger, $threads threads)', (mode) => {
  it('answers any path with 200, keep-alive headers and Content-Length', async () => {
    const {port} = await startServer(mode)
    // A second request on the same connection, answered: the first answer left it open.
    const {received, closedByServer} = await exchange(port, [get, get], {responses: 2})
    expect(statusCodes(received)).toEqual([200, 200])
    expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(received).toContain('Content-Length: 3\r\n')
    expect(received).toContain('Connection: keep-alive\r\n')
    expect(received).toMatch(/Keep-Alive: timeout=\d+\r\n/)
    expect(received.endsWith('\r\n\r\nok\n')).toBe(true)
    expect(closedByServer).toBe(false)
  })

  it('answers pipelined requests in order', async () => {
    const {port} = await startServer(mode)
    const {received, closedByServer} = await exchange(port, [get.repeat(50)], {responses: 50})
    expect(statusCodes(received)).toEqual(Array(50).fill(200))
    expect(closedByServer).toBe(false)
  })

  it('puts together a request split across reads, even byte by byte', async () => {
    const {port} = await startServer(mode)
    expect(statusCodes((await exchange(port, ['GET / HT', 'TP/1.1\r\nHost: x', '\r', '\n\r', '\n'], {responses: 1})).received)).toEqual([200])
    const bytes = [...'GET /b HTTP/1.1\r\n\r\n']
    expect(statusCodes((await exchange(port, bytes, {pauseMs: 2, responses: 1})).received)).toEqual([200])
  })

  it('skips request bodies, small and split or large, and serves what follows', async () => {
    const {port} = await startServer(mode)
    const post = 'POST /p HTTP/1.1\r\nContent-Length: 10\r\n\r\n'
    expect(statusCodes((await exchange(port, [post + '01234', '56789' + get], {responses: 2})).received)).toEqual([200, 200])
    const big = Buffer.alloc(300_000, 'x')
    const {received} = await exchange(port, [`POST / HTTP/1.1\r\nContent-Length: ${big.length}\r\n\r\n`, big, get], {responses: 2})
    expect(statusCodes(received)).toEqual([200, 200])
  })

  it.each([
    ['a malformed request line', 'GARBAGE\r\n\r\n'],
    ['binary garbage', '\u0000\u0001\u0002\u0003'],
    ['a bad Content-Length', 'POST / HTTP/1.1\r\nContent-Length: ten\r\n\r\n'],
    ['a chunked body', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n'],
    ['an unsupported version', 'GET / HTTP/2.0\r\n\r\n'],
  ])('answers %s with 400 and closes', async (_label, request) => {
    const {port} = await startServer(mode)
    const {received, closedByServer} = await exchange(port, [request])
    expect(statusCodes(received)).toEqual([400])
    expect(received).toContain('Connection: close\r\n')
    expect(closedByServer).toBe(true)
  })

  it('answers a request head over 8 KiB with 431 and closes, after the good requests before it', async () => {
    const {port} = await startServer(mode)
    const huge = `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(9000)}\r\n\r\n`
    const {received, closedByServer} = await exchange(port, [get + huge])
    expect(statusCodes(received)).toEqual([200, 431])
    expect(closedByServer).toBe(true)
  })

  it('closes an HTTP/1.0 connection without keep-alive after the response', async () => {
    const {port} = await startServer(mode)
    const {received, closedByServer} = await exchange(port, ['GET / HTTP/1.0\r\n\r\n'])
    expect(statusCodes(received)).toEqual([200])
    expect(received).toContain('Connection: close\r\n')
    expect(closedByServer).toBe(true)
  })

  it('keeps an HTTP/1.0 keep-alive connection open, as ab -k expects', async () => {
    const {port} = await startServer(mode)
    const request = 'GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n'
    const {received, closedByServer} = await exchange(port, [request, request], {responses: 2})
    expect(statusCodes(received)).toEqual([200, 200])
    expect(closedByServer).toBe(false)
  })

  it('closes after an HTTP/1.1 request with Connection: close, ignoring what follows', async () => {
    const {port} = await startServer(mode)
    const {received, closedByServer} = await exchange(port, [`GET / HTTP/1.1\r\nConnection: close\r\n\r\n${get}`])
    expect(statusCodes(received)).toEqual([200])
    expect(closedByServer).toBe(true)
  })

  it('counts what it served', async () => {
    const server = await startServer(mode)
    await exchange(server.port, [get.repeat(3)], {responses: 3})
    await exchange(server.port, ['GARBAGE\r\n\r\n'])
    // The server has closed both connections once none of its sockets on the port remain.
    await vi.waitFor(async () => expect((await listServerSockets(server.port)).filter((s) => s.state !== 'LISTEN' && s.state !== 'TIME-WAIT')).toEqual([]), {timeout: 10_000, interval: 20})
    const final = await server.stop()
    expect(final).toMatchObject({final: true, accepted: 2, closed: 2, requests: 3})
  })
})
