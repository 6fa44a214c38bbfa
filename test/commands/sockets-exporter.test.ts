import {execa} from 'execa'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import net from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import type {ReferenceServer} from '../../src/targets/reference-server.js'
import {readListenQueue} from '../helpers/listen-queue.js'
import {useReferenceServers} from '../helpers/reference-servers.js'
import {runCli, startCli, type CliProcess} from '../helpers/run-cli.js'

const startServer = useReferenceServers()
const dir = mkdtempSync(join(tmpdir(), 'rd-exporter-'))
const clients: net.Socket[] = []
const exporters: CliProcess[] = []
afterEach(async () => {
  for (const exporter of exporters) exporter.kill()
  await Promise.all(exporters.splice(0))
  for (const socket of clients.splice(0)) socket.destroy()
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** oclif wraps long error messages to the terminal width: join the pieces back. */
const oneLine = (stderr: string) => stderr.replace(/\s*\n\s*›?\s*/g, ' ').replace(/\s+/g, ' ')

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== null) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * An ET accept-once reference server (the seed's bug) with a burst of idle connections: the
 * handshakes that complete while the listener is already on epoll's ready list give no edge of
 * their own, so they stay queued; the clients stay connected. Returns once the queue holds still.
 */
async function stuckQueue(): Promise<{server: ReferenceServer; queued: number}> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const server = await startServer({trigger: 'et', accept: 'once', threads: 2}, {acceptDelayUs: 20_000})
    const burst = await Promise.all(
      Array.from({length: 12}, () => new Promise<net.Socket>((resolve, reject) => {
        const socket = net.connect(server.port, '127.0.0.1', () => resolve(socket)).once('error', reject)
      })),
    )
    clients.push(...burst)
    // Settled: the same queue length twice, half a second apart (accepts take 20 ms each).
    let last = -1
    const queued = await until('the accept queue to hold still', async () => {
      const queue = (await readListenQueue(server.port))?.recvQ ?? 0
      const still = queue === last
      last = queue
      if (still) return queue
      await new Promise((resolve) => setTimeout(resolve, 500))
      return null
    })
    if (queued > 0) return {server, queued}
  }
  throw new Error('no connection stayed queued in 5 bursts of 12')
}

function metricValue(text: string, name: string, port: number): number | null {
  const line = text.split('\n').find((row) => row.startsWith(`${name}{port="${port}",`))
  return line === undefined ? null : Number(line.slice(line.lastIndexOf(' ') + 1))
}

describe('sockets --watch --metrics-listen during an ET accept-once run', () => {
  it('serves /metrics: the queue gauge above zero, the never-accepted gauge equal to the queued connections', async () => {
    const {server, queued} = await stuckQueue()
    const exporter = startCli(['sockets', '--watch', '--port', String(server.port), '--metrics-listen', '127.0.0.1:0', '--interval', '200ms', '--duration', '60s'])
    exporters.push(exporter)
    let stdout = ''
    exporter.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    const url = await until('the exporter to say where it serves', async () => /serving (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stdout)?.[1] ?? null)
    const text = await until('a reading of the port in /metrics', async () => {
      const body = await (await fetch(url)).text()
      return metricValue(body, 'reactor_doctor_accept_queue_connections', server.port) === null ? null : body
    })
    const queue = metricValue(text, 'reactor_doctor_accept_queue_connections', server.port)!
    expect(queue).toBeGreaterThan(0)
    expect(queue).toBe(queued)
    expect(metricValue(text, 'reactor_doctor_never_accepted_sockets', server.port)).toBe(queued)
    expect(metricValue(text, 'reactor_doctor_accept_queue_backlog', server.port)).toBe(server.mode.backlog)
    expect(text).toContain(`reactor_doctor_accept_queue_connections{port="${server.port}",address="127.0.0.1",process="reactor-server"} ${queued}`)
    // The queue stayed past --stuck-after (5 s): the finding gauge turns on.
    const later = await until('the accept-queue finding', async () => {
      const body = await (await fetch(url)).text()
      return body.includes(`port="${server.port}",address="127.0.0.1",process="reactor-server",kind="accept-queue-not-drained"} 1`) ? body : null
    })
    expect(metricValue(later, 'reactor_doctor_accept_queue_connections', server.port)).toBe(queued)
    expect((await fetch(url.replace('/metrics', '/'))).status).toBe(404)
    exporter.kill('SIGTERM')
    expect((await exporter).exitCode).toBe(0)
  }, 90_000)
})

describe('sockets --watch --textfile', () => {
  it('writes a textfile that promtool check metrics accepts, then ends at --duration with exit 0', async () => {
    const {server, queued} = await stuckQueue()
    const textfile = join(dir, 'reactor-doctor.prom')
    const result = await runCli(['sockets', '--watch', '--port', String(server.port), '--textfile', textfile, '--interval', '200ms', '--duration', '1s'])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toContain(`reactor-doctor exporter: writing ${textfile}, reading port ${server.port} every 0.2s (ss)`)
    const text = readFileSync(textfile, 'utf8')
    expect(metricValue(text, 'reactor_doctor_never_accepted_sockets', server.port)).toBe(queued)
    const check = await execa('promtool', ['check', 'metrics'], {input: text, reject: false})
    expect(check.exitCode, `${check.stdout}${check.stderr}`).toBe(0)
    expect(existsSync(`${textfile}.tmp`)).toBe(false)
  }, 90_000)

  it('a write that fails after the first is one line on stderr and a counted error; the exporter keeps going', async () => {
    const server = await startServer({trigger: 'lt'})
    const textDir = join(dir, 'goes-away')
    mkdirSync(textDir)
    const textfile = join(textDir, 'reactor-doctor.prom')
    const exporter = startCli(['sockets', '--watch', '--port', String(server.port), '--textfile', textfile, '--interval', '200ms', '--duration', '60s'])
    exporters.push(exporter)
    let stderr = ''
    exporter.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    await until('the first textfile', async () => (existsSync(textfile) ? true : null))
    rmSync(textDir, {recursive: true, force: true})
    await until('a skipped reading on stderr', async () => (stderr.includes('reactor-doctor exporter: reading skipped: ') ? true : null))
    expect(stderr.trim().split('\n')[0]).toMatch(/^reactor-doctor exporter: reading skipped: ENOENT: no such file or directory/)
    mkdirSync(textDir)
    const text = await until('the textfile written again', async () => (existsSync(textfile) ? readFileSync(textfile, 'utf8') : null))
    expect(Number(/^reactor_doctor_reading_errors_total (\d+)$/m.exec(text)![1])).toBeGreaterThan(0)
    expect(metricValue(text, 'reactor_doctor_accept_queue_connections', server.port)).toBe(0)
    exporter.kill('SIGTERM')
    expect((await exporter).exitCode).toBe(0)
  }, 90_000)

  it('--source proc: the queue and never-accepted gauges from /proc/net/tcp, no backlog (it does not show one)', async () => {
    const {server, queued} = await stuckQueue()
    const textfile = join(dir, 'proc.prom')
    const result = await runCli(['sockets', '--watch', '--port', String(server.port), '--source', 'proc', '--textfile', textfile, '--interval', '200ms', '--duration', '500ms'])
    expect(result.exitCode, result.stderr).toBe(0)
    const text = readFileSync(textfile, 'utf8')
    expect(metricValue(text, 'reactor_doctor_accept_queue_connections', server.port)).toBe(queued)
    expect(metricValue(text, 'reactor_doctor_never_accepted_sockets', server.port)).toBe(queued)
    expect(metricValue(text, 'reactor_doctor_accept_queue_backlog', server.port)).toBeNull()
  }, 90_000)

  it('--all-listeners includes the reference server among the host listeners', async () => {
    const server = await startServer({trigger: 'lt'})
    const textfile = join(dir, 'all.prom')
    const result = await runCli(['sockets', '--watch', '--all-listeners', '--textfile', textfile, '--interval', '200ms', '--duration', '500ms'])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toContain('reading every listening TCP port every 0.2s')
    expect(metricValue(readFileSync(textfile, 'utf8'), 'reactor_doctor_accept_queue_connections', server.port)).toBe(0)
  }, 60_000)
})

describe('exporter flag mistakes: one line, exit 2', () => {
  for (const [args, message] of [
    [['--watch', '--port', '1', '--metrics-listen', '127.0.0.1'], '--metrics-listen "127.0.0.1": expected HOST:PORT, [IPV6]:PORT or PORT'],
    [['--port', '1', '--textfile', 'x.prom'], '--textfile and --metrics-listen need --watch; add --watch'],
    [['--watch', '--port', '1', '--port', '2'], 'several --port need --textfile or --metrics-listen'],
    [['--watch', '--all-listeners', '--port', '1', '--textfile', 'x.prom'], 'give --port or --all-listeners, not both'],
    [['--watch', '--all-listeners'], '--all-listeners needs --textfile or --metrics-listen'],
    [['--watch', '--port', '1', '--textfile', '/proc/x.prom'], '--textfile /proc/x.prom is not a regular file'],
    [['--watch', '--port', '1', '--metrics-listen', '127.0.0.1:1', '--json'], '--json does not go with --textfile or --metrics-listen'],
  ] as const) {
    it(args.join(' '), async () => {
      const result = await runCli(['sockets', ...args])
      expect(result.exitCode).toBe(2)
      expect(oneLine(result.stderr)).toContain(message)
      expect(result.stderr).not.toMatch(/\n\s+at /)
    })
  }
})
