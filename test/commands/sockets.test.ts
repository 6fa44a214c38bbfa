import {mkdtempSync, readFileSync, rmSync, symlinkSync} from 'node:fs'
import net from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {execa, type ResultPromise} from 'execa'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import type {SocketsReport} from '../../src/report/sockets-report.js'
import {takeSnapshot} from '../../src/probes/index.js'

const repo = fileURLToPath(new URL('../../', import.meta.url))
const cli = join(repo, 'test/commands/sockets-cli.ts')
const seed = join(repo, 'test/fixtures/seed/netstat-an-grep-1022.txt')
const request = 'GET /hello HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n'.padEnd(113, 'x')

function runCli(args: string[], options: {env?: Record<string, string>; input?: string} = {}) {
  return execa(process.execPath, ['--import', 'tsx', cli, ...args], {cwd: repo, reject: false, extendEnv: !options.env, env: options.env, input: options.input, timeout: 30_000})
}

/** Starts a test server that prints its port; the caller stops it in afterAll/afterEach. */
async function startServer(command: string, args: string[]): Promise<{port: number; process: ResultPromise}> {
  const child = execa(command, args, {cwd: repo, reject: false, stdin: 'ignore'})
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())))
    child.once('exit', () => reject(new Error(`${command} ${args.join(' ')} exited early`)))
  })
  return {port, process: child}
}

/** oclif wraps long error messages to the terminal width: join the pieces back. */
function oneLine(stderr: string): string {
  return stderr.replace(/\s*\n\s*›?\s*/g, ' ').replace(/\s+/g, ' ')
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({port, host: '127.0.0.1', allowHalfOpen: true}, () => resolve(socket))
    socket.once('error', reject)
  })
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
const servers: ResultPromise[] = []
afterEach(() => {
  for (const socket of clients.splice(0)) socket.destroy()
})
afterAll(async () => {
  for (const server of servers.splice(0)) {
    server.kill('SIGTERM')
    await server
  }
})

describe('sockets --file', () => {
  it('the seed excerpt: 4 queued, 4 CLOSE_WAIT likely never accepted, accept queue not drained (exit 1)', async () => {
    const result = await runCli(['--file', seed])
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toContain("1. Accept queue not drained: 4 connections waiting in port 1022's accept queue")
    expect(result.stdout).toContain('2. 4 CLOSE_WAIT sockets likely never accepted, 114 unread bytes each (the FIN counts one)')
    expect(result.stdout).toContain('Likely cause: The kernel completed these handshakes, but the application never called accept() for them.')
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
    const server = await startServer('python3', ['test/servers/never-accept.py', '--backlog', '8'])
    servers.push(server.process)
    port = server.port
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
      symlinkSync(process.execPath, join(bin, 'node'))
      const result = await runCli(['--port', String(port)], {env: {PATH: bin}})
      expect(result.stdout.split('\n')[0]).toBe(`Port ${port}: source ss and netstat not found on PATH: read /proc/net/tcp and /proc/net/tcp6`)
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
    const server = await startServer(process.execPath, ['test/servers/never-close.mjs'])
    servers.push(server.process)
    port = server.port
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
    expect(lines.filter((line) => /^\+\d+\.\d s {2}queue 0\/511 {2}ESTAB 0 {2}CLOSE-WAIT \d+ {2}new [01] {2}gone 0$/.test(line)).length).toBeGreaterThanOrEqual(5)
    expect(lines).toContain('  accept queue: peak 0, did not grow, drained to zero at times')
    expect(lines.some((line) => /^ {4}127\.0\.0\.1:\d+ <- 127\.0\.0\.1:\d+ {2}stayed 1\.\d s, stuck, accepted, Recv-Q 0$/.test(line))).toBe(true)
    expect(lines.some((line) => new RegExp(`^1\\. \\d+ accepted connections? left in CLOSE_WAIT on port ${port}$`).test(line))).toBe(true)
  })

  it('Ctrl-C ends --watch with the summary and the verdict exit code', async () => {
    await leaveCloseWait(1)
    const child = runCli(['--port', String(port), '--watch', '--interval', '100ms', '--stuck-after', '500ms'])
    // Interrupt once sampling runs (startup under tsx takes a few seconds), a second later.
    await new Promise((resolve) => child.stdout!.once('data', resolve))
    await new Promise((resolve) => setTimeout(resolve, 1200))
    child.kill('SIGINT')
    const result = await child
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/^Watched \d+\.\d s, \d+ samples:$/m)
    expect(result.stdout).toMatch(/stayed 1\.\d s, stuck, accepted, Recv-Q 0$/m)
  })
})
