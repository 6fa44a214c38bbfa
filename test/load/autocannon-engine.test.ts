import {describe, expect, it} from 'vitest'
import {runLoad} from '../../src/load/index.js'
import type {LoadOptions} from '../../src/load/types.js'
import {findClosedPort, startChildServer, startHttpServer, trackServers} from './servers.js'

const track = trackServers()

function options(port: number, overrides: Partial<LoadOptions> = {}): LoadOptions {
  return {host: '127.0.0.1', port, path: '/', concurrency: 10, keepAlive: true, stallMs: 1000, timeoutMs: 10_000, ...overrides}
}

describe('autocannon engine', () => {
  it('runs for a duration with one socket per connection', async () => {
    const server = await track(startHttpServer())
    const result = await runLoad('autocannon', options(server.port, {durationMs: 500}))

    expect(result).toMatchObject({engine: 'autocannon', end: 'duration', requested: null, reconnects: 0, errors: 0, timeouts: 0})
    expect(result.completed).toBeGreaterThan(100)
    expect(result.durationMs).toBeGreaterThanOrEqual(500)
    expect(result.durationMs).toBeLessThan(9000) // generous, inside the 10 s timeout: the 500 ms duration ended it
    expect(result.connections).toHaveLength(10)
    expect(new Set(result.connections.map((c) => c.localPort)).size).toBe(10)
    expect(result.connections.every((c) => c.connected && c.firstByteAtMs !== null && c.bytesSent > 0)).toBe(true)
    expect(result.connections.reduce((sum, c) => sum + c.responses, 0)).toBe(result.completed)
    expect(result.latencyMs!.p99).toBeGreaterThanOrEqual(result.latencyMs!.p50)
  })

  it('runs a request count to completion', async () => {
    const server = await track(startHttpServer())
    const result = await runLoad('autocannon', options(server.port, {requests: 200}))

    expect(result).toMatchObject({end: 'completed', requested: 200, sent: 200, completed: 200, non2xx: 0, reconnects: 0})
  })

  it('counts the reconnects after request timeouts and still stops on a stall', async () => {
    const server = await track(startChildServer('silent-after.mjs', ['--answer', '5']))
    const result = await runLoad('autocannon', options(server.port, {requests: 100, requestTimeoutMs: 200, stallMs: 600}))

    expect(result.end).toBe('stalled')
    expect(result.durationMs).toBeLessThan(9000) // generous, inside the 10 s timeout: the stall ended it
    expect(result.timeouts!).toBeGreaterThan(0)
    expect(result.reconnects).toBe(result.timeouts)
    expect(result.connections).toHaveLength(10 + result.reconnects)
    const silent = result.connections.filter((c) => c.firstByteAtMs === null)
    expect(silent.length).toBe(result.connections.length - 5)
  })

  it('stops a duration run at timeoutMs even while requests time out', async () => {
    const server = await track(startChildServer('silent-after.mjs', ['--answer', '0']))
    const result = await runLoad('autocannon', options(server.port, {durationMs: 60_000, requestTimeoutMs: 100, stallMs: 60_000, timeoutMs: 700}))

    expect(result.end).toBe('timeout')
    expect(result.durationMs).toBeLessThan(15_000) // far below the 60 s duration and stall: the timeout ended it
    expect(result.reconnects).toBeGreaterThan(0)
  })

  it('refuses to run without keep-alive', async () => {
    await expect(runLoad('autocannon', options(80, {requests: 100, keepAlive: false}))).rejects.toThrow(/only runs keep-alive/)
  })

  it('reports a refused port as a user error', async () => {
    const port = await findClosedPort()
    await expect(runLoad('autocannon', options(port, {durationMs: 5000}))).rejects.toThrow(/cannot connect to 127\.0\.0\.1:\d+: ECONNREFUSED/)
  })
})
