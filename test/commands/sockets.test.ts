import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import type net from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest'
import type {SocketsReport} from '../../src/report/sockets-report.js'
import {takeSnapshot} from '../../src/probes/index.js'
import {runCli as runCliCommand, runCliPiped, startCli, type CliOptions, type CliProcess} from '../helpers/run-cli.js'
import {connect, startTestServer, type TestServer} from '../helpers/test-servers.js'

const seed = fileURLToPath(new URL('../fixtures/seed/netstat-an-grep-1022.txt', import.meta.url))
const request = 'GET /hello HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n'.padEnd(113, 'x')

const runCli = (args: string[], options?: CliOptions) => runCliCommand(['sockets', ...args], options)

/** oclif wraps long error messages to the terminal width: join the pieces back. */
function oneLine(stderr: string): string {
  return stderr.replace(/\s*\n\s*›?\s*/g, ' ').replace(/\s+/g, ' ')
}

/** Polls the port (via /proc, cheap) until the wanted state count is reached. */
async function waitFor(port: number, state: string, count: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const snapshot = await takeSnapshot({port, source: 'proc', owners: false})
    if (snapshot.sockets.filter((socket) => socket.state === state).length >= count) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`port ${port} never reached ${count} ${state}`)
}

const clients: net.Socket[] = []
const servers: TestServer[] = []
const watches: CliProcess[] = []
afterEach(async () => {
  for (const socket of clients.splice(0)) socket.destroy()
  for (const watch of watches) watch.kill()
  await Promise.all(watches.splice(0))
})
afterAll(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()))
})

/** A test server stopped after all tests of the file. */
async function startServer(command: string, args: string[]): Promise<TestServer> {
  const server = await startTestServer(command, args)
  servers.push(server)
  return server
}

describe('sockets --file', () => {
  it('the seed excerpt: 4 queued, 4 CLOSE_WAIT likely never accepted, accept queue not drained (exit 1)', async () => {
    const result = await runCli(['--file', seed])
    expect(result.exitCode).toBe(1)
    // One diagnosis: both symptoms, and a cause that says the server was not there to be seen.
    expect(result.stdout).toContain("1. Accept queue not drained: 4 connections waiting in port 1022's accept queue (cause not seen)")
    expect(result.stdout).toContain("   symptoms   * Accept queue not drained: 4 connections waiting in port 1022's accept queue")
    expect(result.stdout).toContain('              * 4 CLOSE_WAIT sockets likely never accepted, 114 unread bytes each (the FIN counts one)')
    expect(result.stdout).toContain("   not seen   read from a saved file, so the server's reactor was not seen:")
    // Causes appear only as possibilities, never as what was seen.
    expect(result.stdout).not.toMatch(/^ {3}seen /m)
    expect(result.stdout).toContain('Possible causes, none of them seen here:')
    expect(result.stdout).not.toMatch(/^2\. /m)
  })

  it('reads stdin with --file - and prints JSON', async () => {
    const result = await runCli(['--file', '-', '--json'], {input: readFileSync(seed, 'utf8')})
    const report = JSON.parse(result.stdout) as SocketsReport
    expect(result.exitCode).toBe(1)
    expect([report.mode, report.port, report.source, report.file, report.exitCode]).toEqual(['file', 1022, 'netstat', '-', 1])
    expect(report.verdict.findings.map((f) => f.kind)).toEqual(['accept-queue-not-drained', 'never-accepted-abandoned'])
  })

  it('garbage gives one line naming the problem, exit 2', async () => {
    const result = await runCli(['--file', '-'], {input: 'tcp 0 0 what\n'})
    expect(result.exitCode).toBe(2)
    expect(oneLine(result.stderr)).toContain('netstat output, line 1: expected Proto Recv-Q Send-Q Local Foreign State: "tcp 0 0 what"')
  })
})

describe('sockets --port on a server that never accepts', () => {
  let port: number
  beforeAll(async () => {
    port = (await startServer('python3', ['test/servers/never-accept.py', '--backlog', '8'])).port
  })

  it('ss, netstat and /proc report the same counts and findings', async () => {
    const opened = await Promise.all([connect(port), connect(port), connect(port)])
    clients.push(...opened)
    for (const socket of opened.slice(0, 2)) socket.end(request)
    await waitFor(port, 'CLOSE-WAIT', 2)
    const reports: SocketsReport[] = []
    for (const source of ['ss', 'netstat', 'proc']) {
      const result = await runCli(['--port', String(port), '--source', source, '--json'])
      expect(result.exitCode, result.stderr).toBe(1)
      reports.push(JSON.parse(result.stdout) as SocketsReport)
    }
    for (const report of reports) {
      expect(report.snapshot.counts).toEqual({LISTEN: 1, ESTAB: 1, 'CLOSE-WAIT': 2})
      expect(report.snapshot.acceptQueue).toBe(3)
      expect(report.snapshot.rows.map((row) => [row.state, row.recvQ, row.reason]).sort()).toEqual([
        ['CLOSE-WAIT', 114, 'never-accepted'],
        ['CLOSE-WAIT', 114, 'never-accepted'],
        ['ESTAB', 0, 'never-accepted'],
      ])
      expect(report.verdict.findings.map((f) => f.title)).toEqual([
        `Accept queue not drained: 3 connections waiting in port ${port}'s accept queue`,
        '2 CLOSE_WAIT sockets never accepted, 114 unread bytes each (the FIN counts one)',
      ])
      expect(report.snapshot.listeners[0]!.owners![0]!.name).toBe('python3')
    }
    expect(reports.map((r) => [r.source, r.snapshot.backlog])).toEqual([['ss', 8], ['netstat', null], ['proc', null]])
  })

  it('with neither ss nor netstat on PATH, auto falls back to /proc and says so', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'rd-path-'))
    try {
      const result = await runCli(['--port', String(port)], {env: {PATH: bin}})
      expect(result.stdout.split('\n')[1]).toBe(`Port ${port}: source ss and netstat not found on PATH: read /proc/net/tcp and /proc/net/tcp6`)
      const forced = await runCli(['--port', String(port), '--source', 'ss'], {env: {PATH: bin}})
      expect(forced.exitCode).toBe(2)
      expect(oneLine(forced.stderr)).toContain('Error: ss not found on PATH; install iproute2, or use --source auto')
    } finally {
      rmSync(bin, {recursive: true, force: true})
    }
  })
})

describe('sockets on a server that never closes after the peer FIN', () => {
  let port: number
  beforeAll(async () => {
    port = (await startServer(process.execPath, ['test/servers/never-close.mjs'])).port
  })

  async function leaveCloseWait(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const socket = await connect(port)
      clients.push(socket)
      await new Promise<void>((resolve) => {
        socket.once('data', () => resolve())
        socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
      })
      socket.end()
    }
    await waitFor(port, 'CLOSE-WAIT', count)
  }

  it('each source reports the accepted CLOSE-WAIT sockets', async () => {
    await leaveCloseWait(2)
    for (const source of ['ss', 'netstat', 'proc']) {
      const result = await runCli(['--port', String(port), '--source', source, '--json'])
      const report = JSON.parse(result.stdout) as SocketsReport
      expect(result.exitCode).toBe(1)
      expect(report.snapshot.counts).toEqual({LISTEN: 1, 'CLOSE-WAIT': 2})
      expect(report.snapshot.rows.map((row) => row.reason)).toEqual(['accepted-close-wait', 'accepted-close-wait'])
      expect(report.verdict.findings.map((f) => f.title)).toEqual([`2 accepted connections left in CLOSE_WAIT on port ${port}`])
    }
  })

  it('--watch tracks each CLOSE-WAIT and calls it stuck after --stuck-after', async () => {
    await leaveCloseWait(1)
    const result = await runCli(['--port', String(port), '--watch', '--interval', '200ms', '--duration', '1s', '--stuck-after', '500ms'])
    const lines = result.stdout.split('\n')
    expect(result.exitCode).toBe(1)
    // 200 ms apart over 1 s is 5 or 6 samples; a busy machine may skip ticks, so at least 3.
    expect(lines.filter((line) => /^\+\d+\.\d s {2}queue 0\/511 {2}ESTAB 0 {2}CLOSE-WAIT \d+ {2}new [01] {2}gone 0$/.test(line)).length).toBeGreaterThanOrEqual(3)
    expect(lines).toContain('  accept queue: peak 0, did not grow, drained to zero at times')
    // Samples skip owners; the last one reads them, so the listener is named.
    expect(lines.some((line) => /^ {2}127\.0\.0\.1:\d+ {2}accept queue 0 .*\(pid \d+, fd \d+\)$/.test(line))).toBe(true)
    expect(lines.some((line) => /^ {4}127\.0\.0\.1:\d+ <- 127\.0\.0\.1:\d+ {2}stayed \d+\.\d s, stuck, accepted, Recv-Q 0$/.test(line))).toBe(true)
    expect(lines.some((line) => new RegExp(`^ {3}symptoms {3}\\* \\d+ accepted connections? left in CLOSE_WAIT on port ${port}$`).test(line))).toBe(true)
  })

  it('--duration ends --watch by the clock even when samples take longer than --interval', async () => {
    // Each ss sample takes several ms, far more than the 1 ms asked for: ticks are skipped, and
    // only the last sample (the one with owners) may start after the 300 ms.
    await leaveCloseWait(1)
    const result = await runCli(['--port', String(port), '--watch', '--interval', '1ms', '--duration', '300ms', '--source', 'ss', '--json'])
    const report = JSON.parse(result.stdout) as SocketsReport
    const samples = report.watch!.samples
    // The CLOSE-WAIT socket is seen in every sample, but 300 ms is not --stuck-after's 5 s.
    expect(result.exitCode).toBe(0)
    expect(samples.every((sample) => sample.closeWait >= 1)).toBe(true)
    expect(samples.length).toBeGreaterThan(2)
    expect(samples.length).toBeLessThan(300)
    expect(samples.slice(0, -1).every((sample) => sample.atMs <= 300)).toBe(true)
  })

  it('refuses an --interval under a millisecond instead of sampling in a busy loop (exit 2)', async () => {
    const result = await runCli(['--port', String(port), '--watch', '--interval', '0', '--duration', '1s'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr.trim()).toBe('Error: --interval 0 is too short: samples need at least 1ms between them; use e.g. 20ms or 1s')
  })

  it('Ctrl-C ends --watch with the summary and the verdict exit code', async () => {
    await leaveCloseWait(1)
    const child = startCli(['sockets', '--port', String(port), '--watch', '--interval', '100ms', '--stuck-after', '500ms'])
    watches.push(child)
    // Interrupt once a sample 0.7 s in has printed: past --stuck-after, so the socket counts as stuck.
    let printed = ''
    child.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()))
    await vi.waitFor(() => expect([...printed.matchAll(/^\+(\d+\.\d) s /gm)].some((m) => Number(m[1]) >= 0.7)).toBe(true), {timeout: 30_000, interval: 20})
    child.kill('SIGINT')
    const result = await child
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/^Watched \d+\.\d s, \d+ samples:$/m)
    expect(result.stdout).toMatch(/stayed \d+\.\d s, stuck, accepted, Recv-Q 0$/m)
    // A closing reading with owners names the listener.
    expect(result.stdout).toMatch(/^ {2}127\.0\.0\.1:\d+ {2}accept queue 0 .*\(pid \d+, fd \d+\)$/m)
  })
})

describe('sockets --watch --report', () => {
  let port: number
  let dir: string
  beforeAll(async () => {
    port = (await startServer('python3', ['test/servers/never-accept.py'])).port
    dir = mkdtempSync(join(tmpdir(), 'rd-report-'))
  })
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  it('writes the HTML page of the watch: its verdict and a drawn timeline', async () => {
    clients.push(...(await Promise.all([connect(port), connect(port), connect(port)])))
    await waitFor(port, 'ESTAB', 3)
    const file = join(dir, 'watch.html')
    const result = await runCli(['--port', String(port), '--watch', '--interval', '200ms', '--duration', '1s', '--stuck-after', '500ms', '--report', file])
    expect(result.exitCode, result.stderr).toBe(1)
    expect(result.stdout).toContain(`1. Accept queue not drained: 3 connections waiting in port ${port}`)
    const html = readFileSync(file, 'utf8')
    expect(html).toContain(`<h1>Accept queue not drained: 3 connections waiting in port ${port}`)
    expect(html).toMatch(/<svg class="timeline"/)
    expect(html).toContain('source: ss')
  })

  it('refuses --report without --watch: a single reading has no timeline (exit 2)', async () => {
    const file = join(dir, 'snapshot.html')
    const result = await runCli(['--port', String(port), '--report', file])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toBe('Error: --report needs --watch: the HTML report charts a timeline of samples; add --watch --duration 10s')
    expect(existsSync(file)).toBe(false)
  })

  it('refuses a --report path it cannot write before watching (exit 2)', async () => {
    const result = await runCli(['--port', String(port), '--watch', '--report', join(dir, 'missing', 'watch.html')])
    expect(result.exitCode).toBe(2)
    expect(oneLine(result.stderr)).toContain(`--report ${join(dir, 'missing', 'watch.html')}: cannot write in ${join(dir, 'missing')}`)
    expect(result.stdout).toBe('')
  })
})

describe('sockets --json larger than a pipe holds', () => {
  it('prints all of it before exiting: 400 never-accepted connections, parsed whole', async () => {
    const {port} = await startServer('python3', ['test/servers/never-accept.py', '--backlog', '1024'])
    clients.push(...(await Promise.all(Array.from({length: 400}, () => connect(port)))))
    await waitFor(port, 'ESTAB', 400)
    const result = await runCliPiped(['sockets', '--port', String(port), '--json'])
    expect(result.stdout.length).toBeGreaterThan(64 * 1024)
    const report = JSON.parse(result.stdout) as SocketsReport
    expect(result.exitCode).toBe(1)
    expect(report.snapshot.counts).toEqual({LISTEN: 1, ESTAB: 400})
    expect(report.snapshot.rows).toHaveLength(400)
  })
})
