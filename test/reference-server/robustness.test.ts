import {readFileSync} from 'node:fs'
import net from 'node:net'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {beforeAll, describe, expect, it, vi} from 'vitest'
import {readCpuTicks} from '../helpers/cpu-time.js'
import {exchange, sleep, statusCodes} from '../helpers/raw-http.js'
import {useReferenceServers} from '../helpers/reference-servers.js'
import {readListenQueue} from '../helpers/listen-queue.js'
import {runAb} from '../helpers/run-ab.js'

const serverDir = fileURLToPath(new URL('../../reference-server/', import.meta.url))
const get = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
const startServer = useReferenceServers()

/** Opens `count` connections at once and keeps them until the caller destroys them. */
async function openConnections(port: number, count: number): Promise<Array<{socket: net.Socket; ended: boolean}>> {
  return Promise.all(
    Array.from({length: count}, () => {
      const socket = net.connect({port, host: '127.0.0.1'})
      const entry = {socket, ended: false}
      socket.on('error', () => (entry.ended = true))
      socket.on('end', () => (entry.ended = true))
      return new Promise<typeof entry>((resolve) => socket.once('connect', () => resolve(entry)).once('error', () => resolve(entry)))
    }),
  )
}

describe('reference server robustness', () => {
  it('stops on SIGTERM under load with a final stats line and exit 0', async () => {
    const server = await startServer({trigger: 'lt', threads: 2}, {statsIntervalMs: 100})
    const ab = execa('ab', ['-q', '-n', '10000000', '-c', '50', '-k', '-s', '5', server.url], {reject: false})
    try {
      await vi.waitFor(() => expect(server.stats?.requests).toBeGreaterThan(0), {timeout: 15_000, interval: 20})
      const final = await server.stop()
      expect(final?.final).toBe(true)
      expect(final!.requests).toBeGreaterThan(server.stats!.requests - 1)
      expect(await server.exited).toEqual({code: 0, signal: null})
    } finally {
      ab.kill('SIGKILL')
      await ab
    }
  })

  it('at the fd limit (ulimit -n 64) sheds extra connections, keeps serving and does not spin', async () => {
    const server = await startServer({trigger: 'lt', threads: 2}, {fdLimit: 64, statsIntervalMs: 100})
    const connections = await openConnections(server.port, 200)
    try {
      // The server sheds what it cannot hold: wait until at most the fd limit's worth stay open.
      await vi.waitFor(() => expect(connections.filter((c) => !c.ended).length).toBeLessThan(64), {timeout: 15_000, interval: 20})
      const kept = connections.filter((c) => !c.ended)
      expect(kept.length).toBeGreaterThan(30)
      expect(kept.length).toBeLessThan(64)
      expect((await readListenQueue(server.port))?.recvQ).toBe(0)

      const before = await readCpuTicks(server.pid)
      await sleep(1000) // a measuring window for the CPU ticks, not a wait for an event
      const used = (await readCpuTicks(server.pid)) - before
      expect(used, 'CPU ticks in 1 s while at the fd limit').toBeLessThan(10)

      const answer = new Promise<string>((resolve) => kept[0]!.socket.once('data', (chunk) => resolve(chunk.toString())))
      kept[0]!.socket.write(get)
      expect(statusCodes(await answer)).toEqual([200])
      expect(server.stats?.rejected).toBeGreaterThan(100)
    } finally {
      for (const {socket} of connections) socket.destroy()
    }
    // Once the closed connections' fds are free again, a new client is served.
    await vi.waitFor(async () => expect(statusCodes((await exchange(server.port, [get], {responses: 1, timeoutMs: 2000})).received)).toEqual([200]), {timeout: 15_000, interval: 50})
  })
})

describe('ASan/UBSan build', () => {
  beforeAll(async () => {
    await execa('make', ['-s', '-C', serverDir, 'asan'], {timeout: 120_000})
  }, 130_000)

  it.each([
    ['et, 2 threads, drain', {trigger: 'et', threads: 2, accept: 'drain'}],
    ['lt, main loop, accept once', {trigger: 'lt', threads: 0, accept: 'once'}],
  ] as const)('%s: serves load and every HTTP path clean', async (_label, mode) => {
    const server = await startServer(mode, {asan: true})
    const ab = await runAb(server.url, {requests: 2000, concurrency: 50})
    expect(ab).toMatchObject({exitCode: 0, completed: 2000, failed: 0})
    await exchange(server.port, [get.repeat(100), 'GET / HT', 'TP/1.0\r\n\r\n'])
    await exchange(server.port, [`POST / HTTP/1.1\r\nContent-Length: 70000\r\n\r\n${'x'.repeat(70_000)}${get}`], {responses: 2})
    await exchange(server.port, ['GARBAGE\r\n\r\n'])
    await exchange(server.port, [`GET / HTTP/1.1\r\nX: ${'a'.repeat(9000)}\r\n\r\n`])
    await exchange(server.port, [`GET / HTTP/1.1\r\nConnection: close\r\n\r\n`])
    const open = await exchange(server.port, [get], {responses: 1}) // left open for shutdown to close
    expect(statusCodes(open.received)).toEqual([200])

    const final = await server.stop()
    expect(final?.final).toBe(true)
    expect(server.stderrTail).toEqual([])
    expect(await server.exited).toEqual({code: 0, signal: null})
  }, 60_000)
})

describe('backpressure', () => {
  it('a client that pipelines 30 MB of requests and never reads: the server stops reading it, memory stays bounded', async () => {
    const server = await startServer({trigger: 'lt', threads: 0})
    const client = net.connect(server.port, '127.0.0.1')
    client.on('error', () => {})
    client.pause() // never read the answers
    await new Promise<void>((resolve) => client.once('connect', () => resolve()))
    const chunk = Buffer.from(get.repeat(4096)) // about 160 KiB of requests
    let written = 0
    // Write until 30 MB went out or the server stopped taking them (no 'drain' for 2 s).
    while (written < 30 * 1024 * 1024) {
      written += chunk.length
      if (client.write(chunk)) continue
      const drained = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 2000)
        client.once('drain', () => {
          clearTimeout(timer)
          resolve(true)
        })
      })
      if (!drained) break
    }
    try {
      const status = readFileSync(`/proc/${server.pid}/status`, 'utf8')
      const rssKiB = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1])
      expect(rssKiB, `server RSS after ${written} bytes of pipelined requests`).toBeLessThan(64 * 1024)
      // It stopped reading: most of what was written waits in the kernel, not in the server.
      expect(written).toBeLessThan(30 * 1024 * 1024)
    } finally {
      client.destroy()
    }
  })
})
