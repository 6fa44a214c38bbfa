import {describe, expect, it, vi} from 'vitest'
import {buildServerArgs, DEFAULT_MODE} from '../../src/targets/reference-server.js'
import {UserError} from '../../src/user-error.js'
import {exchange} from '../helpers/raw-http.js'
import {useReferenceServers} from '../helpers/reference-servers.js'

const startServer = useReferenceServers()

describe('buildServerArgs', () => {
  it('passes the mode and options as the server flags', () => {
    expect(buildServerArgs({trigger: 'et', threads: 4, accept: 'once', read: 'drain', backlog: 64}, {port: 1022, statsIntervalMs: 0, acceptDelayUs: 200})).toEqual(
      ['--trigger', 'et', '--threads', '4', '--accept', 'once', '--read', 'drain', '--backlog', '64', '--host', '127.0.0.1', '--port', '1022', '--stats-interval-ms', '0', '--accept-delay-us', '200'],
    )
  })
})

describe('startReferenceServer', () => {
  it('resolves once listening, with its port, pid, URL and mode', async () => {
    const server = await startServer({trigger: 'et', threads: 2})
    expect(server.port).toBeGreaterThan(0)
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`)
    expect(server.mode).toEqual({...DEFAULT_MODE, trigger: 'et', threads: 2})
    expect(() => process.kill(server.pid, 0)).not.toThrow()
  })

  it('streams stats and resolves stop() to the final stats', async () => {
    const server = await startServer({}, {statsIntervalMs: 20})
    const seen: number[] = []
    server.onStats((stats) => seen.push(stats.requests))
    await exchange(server.port, ['GET / HTTP/1.1\r\n\r\n'.repeat(5)], {responses: 5})
    // Stats lines come every 20 ms: wait for more than one, the latest counting the five, however busy the machine.
    await vi.waitFor(() => {
      expect(seen.length).toBeGreaterThan(1)
      expect(server.stats?.requests).toBe(5)
    }, {timeout: 10_000, interval: 10})
    const final = await server.stop()
    expect(final).toMatchObject({final: true, requests: 5, accepted: 1, open: [0]})
    expect(await server.exited).toEqual({code: 0, signal: null})
  })

  it('turns an early exit into a UserError with the server stderr line', async () => {
    const first = await startServer()
    const failure = await startServer({}, {port: first.port}).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(UserError)
    expect((failure as Error).message).toBe(`reference server failed to start: bind 127.0.0.1:${first.port}: Address already in use`)
  })
})
