import {readdirSync, readlinkSync} from 'node:fs'
import net from 'node:net'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import {FULL_TABLE_EVERY_MS, startSampler} from '../../src/bench/sampler.js'
import {findClosedPort} from '../helpers/closed-port.js'
import {connect, startTestServer, type TestServer} from '../helpers/test-servers.js'

/** This process's open /proc/net/tcp* files. */
function openProcNetFiles(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return /\/net\/tcp6?$/.test(readlinkSync(`/proc/self/fd/${fd}`))
    } catch {
      return false
    }
  }).length
}

describe('startSampler (live, a server that never accepts)', () => {
  let server: TestServer
  const clients: net.Socket[] = []

  beforeAll(async () => {
    server = await startTestServer('python3', ['test/servers/never-accept.py', '--backlog', '64'])
    for (let i = 0; i < 6; i++) clients.push(await connect(server.port))
  })
  afterAll(async () => {
    for (const socket of clients) socket.destroy()
    await server.stop()
  })

  it('reads the accept queue every sample and the whole table first, then at most every 100 ms', async () => {
    const filesBefore = openProcNetFiles()
    let taken = 0
    // `completed` is read once per sample: it counts them, so the test waits on samples, not time.
    const sampler = await startSampler({port: server.port, intervalMs: 20, completed: () => (taken++, 0)})
    await vi.waitFor(() => expect(taken).toBeGreaterThanOrEqual(3), {timeout: 10_000, interval: 5})
    sampler.markLoadStarted(Date.now())
    const atStart = taken
    await vi.waitFor(() => expect(taken - atStart).toBeGreaterThanOrEqual(30), {timeout: 30_000, interval: 10})
    const points = await sampler.stop()

    expect(points.length).toBeGreaterThan(10)
    expect(points.every((point) => point.acceptQueue === 6)).toBe(true)
    const full = points.filter((point) => point.estab !== null)
    // The first reading, of the whole table, comes before the load: times count from its start.
    expect(points[0]!.estab).not.toBeNull()
    expect(points[0]!.atMs).toBeLessThan(0)
    expect(points.some((point) => point.atMs >= 0 && point.atMs < 1000)).toBe(true)
    points.slice(1).forEach((point, index) => expect(point.atMs).toBeGreaterThanOrEqual(points[index]!.atMs))
    // How many more depends on how long a table read takes on this host (at most 1% of the time).
    expect(full.length).toBeLessThan(points.length)
    // The queued connections are ESTAB on the server side, though no process holds them yet.
    expect(full.every((point) => point.estab === 6 && point.closeWait === 0)).toBe(true)
    full.slice(1).forEach((point, index) => expect(point.atMs - full[index]!.atMs).toBeGreaterThanOrEqual(FULL_TABLE_EVERY_MS))
    expect(points.filter((point) => point.estab === null).every((point) => point.closeWait === null)).toBe(true)
    // The files it kept open between samples are closed again.
    expect(openProcNetFiles()).toBe(filesBefore)
  })
})

describe('startSampler (live, a dual-stack listener that never accepts)', () => {
  let server: TestServer
  const clients: net.Socket[] = []

  beforeAll(async () => {
    server = await startTestServer('python3', ['test/servers/never-accept.py', '--host', '::', '--backlog', '64'])
    for (let i = 0; i < 3; i++) clients.push(await connect(server.port))
  })
  afterAll(async () => {
    for (const socket of clients) socket.destroy()
    await server.stop()
  })

  it('finds the listener in tcp6, where its IPv4 clients show as v4-mapped rows', async () => {
    let taken = 0
    const sampler = await startSampler({port: server.port, intervalMs: 20, completed: () => (taken++, 0)})
    sampler.markLoadStarted(Date.now())
    await vi.waitFor(() => expect(taken).toBeGreaterThanOrEqual(5), {timeout: 10_000, interval: 5})
    const points = await sampler.stop()
    expect(points.length).toBeGreaterThan(3)
    expect(points.every((point) => point.acceptQueue === 3)).toBe(true)
    expect(points.filter((point) => point.estab !== null).every((point) => point.estab === 3)).toBe(true)
  })
})

describe('startSampler (live, nothing listening)', () => {
  it('samples both tables and finds no listener and no connections', async () => {
    const port = await findClosedPort()
    let taken = 0
    const sampler = await startSampler({port, intervalMs: 20, completed: () => (taken++, 0)})
    await vi.waitFor(() => expect(taken).toBeGreaterThanOrEqual(3), {timeout: 10_000, interval: 5})
    const points = await sampler.stop()
    expect(points.length).toBeGreaterThan(1)
    expect(points.every((point) => point.acceptQueue === null)).toBe(true)
    expect(points[0]).toMatchObject({estab: 0, closeWait: 0})
  })
})
