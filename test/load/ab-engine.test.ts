import {describe, expect, it} from 'vitest'
import {runLoad} from '../../src/load/index.js'
import {UserError} from '../../src/user-error.js'
import {abStyleEngines, seedOptions} from './load-cases.js'
import {findClosedPort, startChildServer, startHttpServer, startRawServer, startTcpServer, trackServers} from './servers.js'

const track = trackServers()


describe.each(abStyleEngines)('%s engine', (engine) => {
  it('sends exactly n requests over c keep-alive connections: one first, then a burst', async () => {
    const server = await track(startHttpServer())
    const result = await runLoad(engine, seedOptions(server.port))

    expect(result).toMatchObject({engine, end: 'completed', requested: 1000, sent: 1000, completed: 1000, non2xx: 0, errors: 0})
    expect(result.connections).toHaveLength(94)
    const [first, ...rest] = result.connections
    expect(new Set(result.connections.map((c) => c.localPort)).size).toBe(94)
    expect(result.connections.every((c) => c.connected && c.localPort! > 0 && c.error === null)).toBe(true)
    for (const connection of rest) expect(connection.connectedAtMs!).toBeGreaterThanOrEqual(first.firstByteAtMs!)
    expect(result.connections.reduce((sum, c) => sum + c.responses, 0)).toBe(1000)
    expect(result.connections.reduce((sum, c) => sum + c.requestsSent, 0)).toBe(1000)
    expect(first.bytesSent).toBe(first.requestsSent * result.requestBytes!)
    expect(result.latencyMs!.p50).toBeGreaterThan(0)
    expect(result.progress.at(-1)!.completed).toBe(1000)
  })

  it('closes every socket when it ends', async () => {
    const server = await track(startHttpServer())
    await runLoad(engine, seedOptions(server.port, {requests: 200, concurrency: 20}))
    await expect.poll(() => new Promise((resolve) => server.server.getConnections((_e, count) => resolve(count)))).toBe(0)
  })

  it('opens one connection per request without keep-alive', async () => {
    const server = await track(startHttpServer())
    const result = await runLoad(engine, seedOptions(server.port, {requests: 300, concurrency: 10, keepAlive: false}))

    expect(result).toMatchObject({end: 'completed', sent: 300, completed: 300, keepAlive: false})
    expect(result.connections).toHaveLength(300)
    expect(result.connections.every((c) => c.requestsSent === 1 && c.responses === 1)).toBe(true)
  })

  it('continues on a new connection when the server answers Connection: close', async () => {
    const server = await track(startHttpServer({Connection: 'close'}))
    const result = await runLoad(engine, seedOptions(server.port, {requests: 200, concurrency: 5}))

    expect(result).toMatchObject({end: 'completed', sent: 200, completed: 200, errors: 0})
    expect(result.connections).toHaveLength(200)
  })

  it('sends POST bodies larger than the socket buffer whole, one request after another', async () => {
    const server = await track(startHttpServer())
    const bodyBytes = 4 * 1024 * 1024
    const result = await runLoad(engine, seedOptions(server.port, {requests: 20, concurrency: 2, bodyBytes}))

    expect(result).toMatchObject({end: 'completed', sent: 20, completed: 20, errors: 0})
    expect(result.requestBytes!).toBeGreaterThan(bodyBytes)
    for (const connection of result.connections) expect(connection.bytesSent).toBe(connection.requestsSent * result.requestBytes!)
  })

  it('stops on a stall and shows exactly the connections that never got a byte', async () => {
    const server = await track(startChildServer('silent-after.mjs', ['--answer', '90']))
    const calls: Array<[number, number]> = []
    const result = await runLoad(engine, seedOptions(server.port, {stallMs: 400}), {onProgress: (completed, sent) => calls.push([completed, sent])})

    expect(result).toMatchObject({end: 'stalled', sent: 1000, completed: 996})
    expect(result.stallMs!).toBeGreaterThanOrEqual(400)
    expect(result.durationMs).toBeLessThan(9000) // generous, inside the 10 s timeout: the 400 ms stall ended it
    const silent = result.connections.filter((c) => c.firstByteAtMs === null)
    expect(silent.map((c) => c.id)).toEqual([90, 91, 92, 93])
    expect(silent.every((c) => c.connected && c.localPort !== null && c.requestsSent === 1)).toBe(true)
    expect(calls.at(-1)).toEqual([996, 1000])
  })

  it('ends at timeoutMs, and on abort', async () => {
    const server = await track(startChildServer('silent-after.mjs', ['--answer', '0']))
    const timedOut = await runLoad(engine, seedOptions(server.port, {stallMs: 60_000, timeoutMs: 300}))
    expect(timedOut).toMatchObject({end: 'timeout', sent: 1, completed: 0})
    expect(timedOut.durationMs).toBeLessThan(10_000) // far below the 60 s stall bound: the 300 ms timeout ended it

    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const aborted = await runLoad(engine, seedOptions(server.port, {stallMs: 60_000, signal: controller.signal}))
    expect(aborted.end).toBe('aborted')
    expect(aborted.durationMs).toBeLessThan(10_000) // far below the stall bound: the abort ended it

    const before = await runLoad(engine, seedOptions(server.port, {signal: AbortSignal.abort()}))
    expect(before).toMatchObject({end: 'aborted', sent: 0, connections: []})
  })

  it('keeps the clients connected while onStalled runs, and closes them after', async () => {
    const server = await track(startTcpServer(() => {})) // accepts, reads, never answers
    let connectedDuringHook = -1
    const result = await runLoad(engine, seedOptions(server.port, {requests: 10, concurrency: 1, stallMs: 200}), {
      async onStalled() {
        await expect.poll(() => server.connections()).toBe(1)
        connectedDuringHook = server.connections()
      },
    })
    expect(result).toMatchObject({end: 'stalled', sent: 1, completed: 0})
    expect(connectedDuringHook).toBe(1)
    await expect.poll(() => server.connections()).toBe(0)
  })

  it('reads chunked answers, and close-delimited ones from an HTTP/1.0 server closing after each, wave after wave', async () => {
    const chunkedServer = await track(startTcpServer((socket) => socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nok\n\r\n0\r\n\r\n')))
    const chunked = await runLoad(engine, seedOptions(chunkedServer.port, {requests: 200, concurrency: 10, waves: 2}))
    expect(chunked).toMatchObject({end: 'completed', completed: 200, errors: 0, waves: {requested: 2, started: 2}})
    expect(chunked.connections).toHaveLength(20)

    const closing = await track(startTcpServer((socket) => socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nbody')))
    const result = await runLoad(engine, seedOptions(closing.port, {requests: 60, concurrency: 4, waves: 3}))
    expect(result).toMatchObject({end: 'completed', sent: 60, completed: 60, errors: 0, non2xx: 0, waves: {requested: 3, started: 3}})
    expect(result.connections).toHaveLength(60)
    expect(result.connections.every((c) => c.responses === 1 && c.closedByServer && c.error === null)).toBe(true)
  })

  it('counts non-2xx answers', async () => {
    const server = await track(startTcpServer((socket) => socket.write('HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n')))
    const result = await runLoad(engine, seedOptions(server.port, {requests: 100, concurrency: 5}))
    expect(result).toMatchObject({end: 'completed', completed: 100, non2xx: 100, errors: 0})
  })

  it('records a malformed response as that connection\'s error and ends', async () => {
    const server = await track(startRawServer('SSH-2.0-OpenSSH\r\n\r\n'))
    const result = await runLoad(engine, seedOptions(server.port, {requests: 100, concurrency: 10}))

    expect(result).toMatchObject({end: 'completed', completed: 0, errors: 10})
    expect(result.connections).toHaveLength(10)
    expect(result.connections[0].error).toMatch(/^bad response: invalid status line/)
  })

  it('reports a refused port as a user error', async () => {
    const port = await findClosedPort()
    await expect(runLoad(engine, seedOptions(port))).rejects.toThrow(/cannot connect to 127\.0\.0\.1:\d+: ECONNREFUSED/)
    await expect(runLoad(engine, seedOptions(port))).rejects.toBeInstanceOf(UserError)
  })

  it('refuses non-loopback hosts and impossible options before connecting', async () => {
    await expect(runLoad(engine, seedOptions(80, {host: '10.1.2.3'}))).rejects.toThrow(/only loads loopback/)
    await expect(runLoad(engine, seedOptions(80, {requests: 10, concurrency: 94}))).rejects.toThrow(UserError)
    await expect(runLoad(engine, seedOptions(80, {path: 'no-slash'}))).rejects.toThrow(UserError)
  })
})
