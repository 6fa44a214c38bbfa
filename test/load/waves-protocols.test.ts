import {describe, expect, it} from 'vitest'
import {runLoad} from '../../src/load/index.js'
import {ExactReplyReader, echoPayload} from '../../src/load/protocol.js'
import {UserError} from '../../src/user-error.js'
import {abStyleEngines, seedOptions} from './load-cases.js'
import {startEchoServer, startHttpServer, startRawServer, trackServers} from './servers.js'

const track = trackServers()


describe.each(abStyleEngines)('%s engine waves', (engine) => {
  it('closes the c connections after each wave and opens c new ones: n divided over the waves', async () => {
    const server = await track(startHttpServer())
    const result = await runLoad(engine, seedOptions(server.port, {waves: 10}))

    expect(result).toMatchObject({end: 'completed', sent: 1000, completed: 1000, errors: 0, waves: {requested: 10, started: 10}})
    expect(result.connections).toHaveLength(940)
    for (let wave = 1; wave <= 10; wave++) {
      const records = result.connections.filter((c) => c.wave === wave)
      expect(records, `wave ${wave}`).toHaveLength(94)
      expect(records.reduce((sum, c) => sum + c.responses, 0)).toBe(100)
      expect(records.every((c) => c.connected && c.firstByteAtMs !== null && c.localPort! > 0)).toBe(true)
    }
    // A wave starts once the one before is served: its connects come after that wave's answers.
    for (let wave = 2; wave <= 10; wave++) {
      const lastAnswer = Math.max(...result.connections.filter((c) => c.wave === wave - 1).map((c) => c.firstByteAtMs!))
      const firstConnect = Math.min(...result.connections.filter((c) => c.wave === wave).map((c) => c.connectedAtMs!))
      expect(firstConnect).toBeGreaterThanOrEqual(lastAnswer)
    }
    await expect.poll(() => new Promise((resolve) => server.server.getConnections((_e, count) => resolve(count)))).toBe(0)
  })

  it('is bounded by timeoutMs across all its waves', async () => {
    const server = await track(startHttpServer())
    const result = await runLoad(engine, seedOptions(server.port, {requests: 1_000_000, concurrency: 10, waves: 1000, timeoutMs: 300}))
    expect(result.end).toBe('timeout')
    expect(result.waves!.started).toBeGreaterThan(1)
    expect(result.waves!.started).toBeLessThan(1000)
    expect(result.durationMs).toBeLessThan(10_000) // generous: the 300 ms timeout ended it
  })

  it('splits an uneven count, and refuses waves that would leave a connection without a request', async () => {
    const server = await track(startHttpServer())
    const result = await runLoad(engine, seedOptions(server.port, {requests: 25, concurrency: 4, waves: 3}))
    expect(result).toMatchObject({end: 'completed', sent: 25, completed: 25, waves: {requested: 3, started: 3}})
    expect([1, 2, 3].map((wave) => result.connections.filter((c) => c.wave === wave).reduce((sum, c) => sum + c.requestsSent, 0))).toEqual([8, 9, 8])

    await expect(runLoad(engine, seedOptions(server.port, {waves: 11}))).rejects.toThrow(/^11 waves of 94 connections need at least 1034 requests, got 1000$/)
    await expect(runLoad(engine, seedOptions(server.port, {waves: 2, keepAlive: false}))).rejects.toThrow(UserError)
    await expect(runLoad('autocannon', seedOptions(server.port, {waves: 2}))).rejects.toThrow(/^2 waves need the native or ab engine$/)
    await expect(runLoad(engine, seedOptions(server.port, {waves: 0}))).rejects.toThrow(/invalid waves 0/)
  })
})

describe.each(abStyleEngines)('%s engine protocols', (engine) => {
  it('echo: each request is the payload, answered by the same bytes', async () => {
    const server = await track(startEchoServer())
    const result = await runLoad(engine, seedOptions(server.port, {requests: 500, concurrency: 20, waves: 5, protocol: {kind: 'echo', payloadBytes: 100}}))

    expect(result).toMatchObject({end: 'completed', sent: 500, completed: 500, errors: 0, non2xx: 0, requestBytes: 100})
    expect(result.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+ \(echo\)$/)
    expect(result.connections.reduce((sum, c) => sum + c.bytesReceived, 0)).toBe(500 * 100)
  })

  it('raw: sends --send and counts an answer when exactly --expect came back', async () => {
    const server = await track(startRawServer('+PONG\r\n'))
    const protocol = {kind: 'raw' as const, send: Buffer.from('PING\r\n'), expect: Buffer.from('+PONG\r\n')}
    const result = await runLoad(engine, seedOptions(server.port, {requests: 300, concurrency: 10, protocol}))
    expect(result).toMatchObject({end: 'completed', sent: 300, completed: 300, errors: 0, requestBytes: 6})

    const wrong = {...protocol, expect: Buffer.from('+OK\r\n')}
    const failed = await runLoad(engine, seedOptions(server.port, {requests: 30, concurrency: 3, protocol: wrong}))
    expect(failed).toMatchObject({completed: 0, errors: 3})
    expect(failed.connections[0]!.error).toBe('bad response: expected "+OK\\r\\n" at byte 0 of the answer, got "+PONG"')
  })

  it('one request per connection without keep-alive, in every protocol', async () => {
    const server = await track(startEchoServer())
    const result = await runLoad(engine, seedOptions(server.port, {requests: 50, concurrency: 5, keepAlive: false, protocol: {kind: 'echo', payloadBytes: 8}}))
    expect(result).toMatchObject({end: 'completed', completed: 50})
    expect(result.connections).toHaveLength(50)
  })

  it('refuses a body size and the autocannon engine outside HTTP', async () => {
    await expect(runLoad(engine, seedOptions(80, {bodyBytes: 10, protocol: {kind: 'echo', payloadBytes: 8}}))).rejects.toThrow(/a body size is for HTTP requests, not echo/)
    await expect(runLoad('autocannon', seedOptions(80, {protocol: {kind: 'echo', payloadBytes: 8}}))).rejects.toThrow(/the autocannon engine speaks only HTTP/)
    await expect(runLoad(engine, seedOptions(80, {protocol: {kind: 'echo', payloadBytes: 0}}))).rejects.toThrow(/invalid payload size 0/)
  })
})

describe('ExactReplyReader', () => {
  it('counts an answer split over reads, and several in one read', () => {
    const answers: Array<[number, boolean]> = []
    const reader = new ExactReplyReader(Buffer.from('+PONG\r\n'), true, (status, keepAlive) => answers.push([status, keepAlive]))
    reader.execute(Buffer.from('+PO'), 0, 3)
    expect(answers).toHaveLength(0)
    reader.execute(Buffer.from('xxNG\r\n+PONG\r\n'), 2, 13)
    expect(answers).toEqual([[200, true], [200, true]])
    expect(() => reader.execute(Buffer.from('-ERR\r\n'), 0, 6)).toThrow('expected "+PONG\\r" at byte 0 of the answer, got "-ERR\\r\\n"')
  })

  it('echo payloads are printable, of the asked size, and one line', () => {
    expect(echoPayload(40).toString('latin1')).toBe('0123456789abcdefghijklmnopqrstuvwxyz012\n')
    expect(echoPayload(1).toString('latin1')).toBe('\n')
  })
})
