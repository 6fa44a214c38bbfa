// bench's load flags end to end: waves, --repeat, and the echo and raw protocols, on real
// servers started by bench itself (the reference server, or a command after --).
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Ajv} from 'ajv'
import {describe, expect, it} from 'vitest'
import type {BenchReport, BenchRun} from '../../src/bench/types.js'
import {isAlive} from '../helpers/is-alive.js'
import {runCli} from '../helpers/run-cli.js'
import {startTestServer} from '../helpers/test-servers.js'

const schema = JSON.parse(readFileSync(new URL('../../docs/bench-report.schema.json', import.meta.url), 'utf8'))
const validate = new Ajv({allErrors: true}).compile(schema)

function parseReport(stdout: string): BenchReport {
  const report = JSON.parse(stdout) as BenchReport
  validate(report)
  expect(validate.errors ?? [], 'bench --json matches docs/bench-report.schema.json').toEqual([])
  return report
}

function singleRun(stdout: string): BenchRun {
  const report = parseReport(stdout)
  if (report.kind !== 'single') throw new Error(`expected a single run, got ${report.kind}`)
  return report.run
}

const lineServer = (...args: string[]) => ['--', 'python3', 'test/servers/epoll-line-server.py', ...args, '--port', '{port}']
const pingPong = ['--protocol', 'raw', '--send', 'PING\\r\\n', '--expect', '+PONG\\r\\n']

/** The lost connections are named, each by its client port, with where its server side sits. */
function expectLostConnectionsNamed(run: BenchRun): void {
  const lost = run.load.connections.filter((c) => c.firstByteAtMs === null && c.requestsSent > 0)
  expect(lost.length).toBeGreaterThan(0)
  const finding = run.verdict.findings.find((f) => f.kind === 'lost-connections')!
  expect(finding.evidence[0]).toMatch(new RegExp(`^${lost.length} of ${run.load.connections.length} client connections never got a byte`))
  expect(finding.evidence.join('\n')).toContain(`127.0.0.1:${lost[0]!.localPort}: never accepted`)
  // Only the wave that lost them stalled; every earlier wave was served whole.
  const lastWave = run.load.waves!.started
  expect(lost.every((c) => c.wave === lastWave)).toBe(true)
  expect(run.load.connections.filter((c) => (c.wave ?? 1) < lastWave).every((c) => c.firstByteAtMs !== null)).toBe(true)
}

describe('bench --protocol echo', () => {
  it('names the connections an echo server with the ET accept-once bug lost (exit 1)', async () => {
    const result = await runCli(['bench', '--protocol', 'echo', '--json', ...lineServer('--trigger', 'et', '--accept', 'once', '--accept-delay-ms', '2')])
    const run = singleRun(result.stdout)
    expect(result.exitCode).toBe(1)
    expect(run.load).toMatchObject({end: 'stalled', requestBytes: 64})
    expect(run.load.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+ \(echo\)$/)
    expectLostConnectionsNamed(run)
    expect(isAlive(run.target.pid!)).toBe(false)
  })

  it('finds a correct echo server healthy (exit 0), every wave served', async () => {
    const result = await runCli(['bench', '--protocol', 'echo', '--payload', '200', '--json', ...lineServer('--trigger', 'et', '--accept', 'drain')])
    const run = singleRun(result.stdout)
    expect(run.verdict).toEqual({status: 'healthy', findings: [], diagnoses: [], notes: []})
    expect(result.exitCode).toBe(0)
    expect(run.load).toMatchObject({completed: 1000, requestBytes: 200, waves: {requested: 10, started: 10}})
  })

  it('runs the reference server in its echo mode, with its ET accept-once bug', async () => {
    const result = await runCli(['bench', '--protocol', 'echo', '--trigger', 'et', '--threads', '4', '--accept', 'once', '--json'])
    const run = singleRun(result.stdout)
    expect(result.exitCode).toBe(1)
    expect(run.target.mode).toMatchObject({protocol: 'echo', trigger: 'et', accept: 'once'})
    expect(run.target.description).toContain('echo')
    expectLostConnectionsNamed(run)
  })
})

describe('bench --protocol raw', () => {
  it('loads a PING/PONG line server: the buggy one loses connections (exit 1), the correct one is healthy', async () => {
    const buggy = await runCli(['bench', ...pingPong, '--json', ...lineServer('--protocol', 'pingpong', '--trigger', 'et', '--accept', 'once', '--accept-delay-ms', '2')])
    const lost = singleRun(buggy.stdout)
    expect(buggy.exitCode).toBe(1)
    expect(lost.load.requestBytes).toBe(6)
    expectLostConnectionsNamed(lost)

    const correct = await runCli(['bench', ...pingPong, '--json', ...lineServer('--protocol', 'pingpong', '--trigger', 'lt', '--accept', 'once')])
    const healthy = singleRun(correct.stdout)
    expect(correct.exitCode).toBe(0)
    expect(healthy.verdict.status).toBe('healthy')
    expect(healthy.load).toMatchObject({completed: 1000, errors: 0})
  })

  it('a server that answers something else: connection errors, and inconclusive (exit 3), never healthy', async () => {
    const result = await runCli(['bench', '--protocol', 'raw', '--send', 'PING\\r\\n', '--expect', '+OK\\r\\n', '-n', '40', '-c', '4', ...lineServer('--protocol', 'pingpong')])
    expect(result.exitCode).toBe(3)
    expect(result.stdout).toContain('4 connection errors')
    expect(result.stdout.split('\n')[0]).toBe(
      'INCONCLUSIVE: no request got the answer expected (bad response: expected "+OK\\r\\n" at byte 0 of the answer, got "+PONG"): nothing to judge; does the server speak what --protocol says?',
    )
  })
})

describe('bench --url tcp://', () => {
  it('loads a PING/PONG server already running, and leaves it running', async () => {
    const server = await startTestServer('python3', ['test/servers/epoll-line-server.py', '--protocol', 'pingpong'])
    try {
      const result = await runCli(['bench', ...pingPong, '-n', '400', '-c', '20', '--json', '--url', `tcp://127.0.0.1:${server.port}`])
      const run = singleRun(result.stdout)
      expect(result.exitCode).toBe(0)
      expect(run.load).toMatchObject({completed: 400, url: `tcp://127.0.0.1:${server.port} (raw)`, waves: {requested: 10, started: 10}})
      const again = await runCli(['bench', ...pingPong, '-n', '40', '-c', '4', '--url', `tcp://127.0.0.1:${server.port}`])
      expect(again.exitCode).toBe(0)
    } finally {
      await server.stop()
    }
  })
})

describe('bench --repeat on one target', () => {
  it('reports lost connections in k of N runs and fails (exit 1)', async () => {
    const result = await runCli(['bench', '--trigger', 'et', '--threads', '4', '--accept', 'once', '--repeat', '2', '--json'])
    const report = parseReport(result.stdout)
    if (report.kind !== 'repeat') throw new Error(`expected a repeat report, got ${report.kind}`)
    expect(result.exitCode).toBe(1)
    expect(report.repeat.runs).toHaveLength(2)
    expect(report.repeat.lossyRuns).toBe(2)
    // A fresh server for each run.
    expect(new Set(report.repeat.runs.map((run) => run.target.pid)).size).toBe(2)

    const html = join(mkdtempSync(join(tmpdir(), 'reactor-doctor-')), 'repeat.html')
    const text = await runCli(['bench', '--trigger', 'et', '--threads', '4', '--accept', 'once', '--repeat', '2', '--report', html])
    expect(text.exitCode).toBe(1)
    expect(text.stdout.split('\n')[0]).toBe('LOST CONNECTIONS in 2 of 2 runs')
    expect(text.stdout).toContain('Run 1 of 2:')
    const page = readFileSync(html, 'utf8')
    expect(page).toContain('LOST CONNECTIONS in 2 of 2 runs')
    expect(page.match(/<details class="run"/g)).toHaveLength(2)
  })

  it('is healthy (exit 0) when no run lost a connection', async () => {
    const result = await runCli(['bench', '--repeat', '3', '--protocol', 'echo', ...lineServer('--trigger', 'lt')])
    expect(result.exitCode).toBe(0)
    expect(result.stdout.split('\n')[0]).toBe('HEALTHY: no connection lost in 3 runs')
    expect(result.stdout.match(/HEALTHY: 1000\/1000 requests/g)).toHaveLength(4)
  })
})

describe('bench --engine', () => {
  // The variable points the native engine at its driver; a missing file is a machine where the
  // install found no C compiler.
  const missingDriver = {REACTOR_DOCTOR_RD_LOAD: '/nonexistent/rd-load'}

  it('runs the native engine by default, and the Node one with a note when rd-load is not built', async () => {
    const native = singleRun((await runCli(['bench', '--trigger', 'lt', '-n', '200', '-c', '10', '--json'])).stdout)
    expect(native.load).toMatchObject({engine: 'native', completed: 200})
    expect(native.verdict.notes).toEqual([])

    const result = await runCli(['bench', '--trigger', 'lt', '-n', '200', '-c', '10', '--json'], {env: missingDriver})
    const run = singleRun(result.stdout)
    expect(result.exitCode).toBe(0)
    expect(run.load).toMatchObject({engine: 'ab', completed: 200})
    expect(run.verdict.notes).toEqual([
      'load: the native driver rd-load is not built (/nonexistent/rd-load), so the Node engine (--engine ab) ran, with the same semantics at fewer requests/s; to build it, install gcc and make, then run npm rebuild -g reactor-doctor (npm run build in a checkout)',
    ])
    const text = await runCli(['bench', '--trigger', 'lt', '-n', '200', '-c', '10'], {env: missingDriver})
    expect(text.exitCode).toBe(0)
    expect(text.stdout.replace(/\s+/g, ' ')).toContain('the native driver rd-load is not built (/nonexistent/rd-load), so the Node engine (--engine ab) ran')
  })

  it('refuses --engine native when rd-load is not built: one line, exit 2', async () => {
    const result = await runCli(['bench', '--engine', 'native', '--trigger', 'lt'], {env: missingDriver})
    expect(result.exitCode).toBe(2)
    expect(result.stderr.trim()).toBe(
      'Error: --engine native needs rd-load, which is not built (/nonexistent/rd-load); install gcc and make, then run npm rebuild -g reactor-doctor (npm run build in a checkout), or use --engine ab',
    )
    expect(result.stdout).toBe('')
  })
})

describe('bench load flags: bad values', () => {
  it.each([
    [['--waves', '0'], /^Error: --waves: expected an integer greater than or equal to 1/],
    [['--waves', 'many'], /^Error: --waves: expected an integer/],
    [['--waves', '20', '--trigger', 'lt'], /^Error: 20 waves of 94 connections need at least 1880 requests, got 1000; raise -n, or lower --waves or -c$/],
    [['--waves', '2', '--engine', 'autocannon', '--trigger', 'lt'], /^Error: 2 waves need the native or ab engine; drop --waves or use --engine native$/],
    [['--waves', '2', '--duration', '1s', '--engine', 'autocannon', '--trigger', 'lt'], /^Error: --waves divides -n over the bursts, and --duration runs by time/],
    [['--repeat', '0'], /^Error: --repeat: expected an integer greater than or equal to 1/],
    [['--repeat', '2', '--url', 'http://127.0.0.1:9/'], /^Error: --repeat starts a fresh server for each run, and --url names one already running/],
    [['--protocol', 'smtp'], /^Error: Expected --protocol=smtp to be one of: http, echo, raw/],
    [['--payload', '0', '--protocol', 'echo'], /^Error: --payload: expected an integer greater than or equal to 1/],
    [['--payload', '10'], /^Error: --payload is for --protocol echo, not --protocol http; drop --payload$/],
    [['--protocol', 'echo', '--body-size', '10'], /^Error: --body-size is for --protocol http, not --protocol echo; use --payload$/],
    [['--send', 'PING'], /^Error: --send is for --protocol raw, not --protocol http; drop --send$/],
    [['--protocol', 'raw', '--send', 'PING'], /^Error: --protocol raw needs --send and --expect/],
    [['--protocol', 'raw', '--send', 'PING\\q', '--expect', 'x', '--', 'true'], /^Error: --send: unknown escape \\q; use \\r \\n \\t \\\\ or \\xHH \(two hex digits\)$/],
    [['--protocol', 'raw', '--send', 'PING', '--expect', '+PONG'], /^Error: the reference server speaks http or echo, not --protocol raw/],
    [['--protocol', 'echo', '--engine', 'autocannon'], /^Error: --protocol echo needs the native or ab engine: autocannon speaks only http; use --engine native$/],
    [['--url', 'tcp://127.0.0.1:9'], /^Error: --url tcp:\/\/127\.0\.0\.1:9 names a plain TCP server, and --protocol http sends HTTP; add --protocol echo/],
    [['--protocol', 'echo', '--url', 'tcp://127.0.0.1'], /^Error: --url tcp:\/\/127\.0\.0\.1: a tcp:\/\/ URL needs its port/],
  ])('bench %j: one line, exit 2', async (args, message) => {
    const result = await runCli(['bench', ...args])
    expect(result.exitCode).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(message)
    expect(result.stdout).toBe('')
  })
})

describe('server --protocol', () => {
  it('refuses a protocol the reference server does not speak: one line, exit 2', async () => {
    const result = await runCli(['server', '--protocol', 'raw'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/^Error: Expected --protocol=raw to be one of: http, echo/)
  })
})
