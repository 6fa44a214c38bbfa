import {readdirSync, readlinkSync} from 'node:fs'
import type net from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {FULL_TABLE_EVERY_MS, startSampler, tablesListening} from '../../src/bench/sampler.js'
import type {SocketRecord} from '../../src/probes/types.js'
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
    const sampler = await startSampler({port: server.port, intervalMs: 20, completed: () => 0})
    await new Promise((resolve) => setTimeout(resolve, 100))
    sampler.markLoadStarted(Date.now())
    await new Promise((resolve) => setTimeout(resolve, 700))
    const points = await sampler.stop()

    expect(points.length).toBeGreaterThan(10)
    expect(points.every((point) => point.acceptQueue === 6)).toBe(true)
    const full = points.filter((point) => point.estab !== null)
    // The first reading, of the whole table, comes before the load: times count from its start.
    expect(points[0]!.estab).not.toBeNull()
    expect(points[0]!.atMs).toBeLessThanOrEqual(-100)
    expect(points.some((point) => point.atMs >= 0 && point.atMs < 40)).toBe(true)
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

describe('tablesListening', () => {
  const listener = (address: string): SocketRecord => ({
    state: 'LISTEN', recvQ: 0, sendQ: 0, local: {address, port: 80}, peer: {address: '0.0.0.0', port: null}, owners: null, inode: 1,
  })

  it('reads the family the port listens on, both when it listens on both or not at all', () => {
    expect(tablesListening([listener('127.0.0.1')])).toEqual(['tcp'])
    expect(tablesListening([listener('::')])).toEqual(['tcp6'])
    expect(tablesListening([listener('0.0.0.0'), listener('::')])).toEqual(['tcp', 'tcp6'])
    expect(tablesListening([])).toEqual(['tcp', 'tcp6'])
  })
})
