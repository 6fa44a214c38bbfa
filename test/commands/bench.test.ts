import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {Ajv} from 'ajv'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {findClosedPort} from '../helpers/closed-port.js'
import {listServerSockets} from '../helpers/tcp-sockets.js'
import type {BenchReport, BenchRun} from '../../src/bench/types.js'
import {startReferenceServer, type ReferenceServer} from '../../src/targets/reference-server.js'
import {runCli, startCli} from '../helpers/run-cli.js'
import {isAlive} from '../helpers/is-alive.js'
import {startTestServer} from '../helpers/test-servers.js'
import {resolveSource, takeSnapshot} from '../../src/probes/index.js'

const schema = JSON.parse(readFileSync(new URL('../../docs/bench-report.schema.json', import.meta.url), 'utf8'))
const validate = new Ajv({allErrors: true}).compile(schema)

/** Parses --json output and checks it against the documented schema. */
function parseReport(stdout: string): BenchReport {
  const report = JSON.parse(stdout) as BenchReport
  const valid = validate(report)
  expect(validate.errors ?? [], 'bench --json matches docs/bench-report.schema.json').toEqual([])
  expect(valid).toBe(true)
  return report
}

function singleRun(stdout: string): BenchRun {
  const report = parseReport(stdout)
  if (report.kind !== 'single') throw new Error(`expected a single run, got ${report.kind}`)
  return report.run
}

const kinds = (run: BenchRun) => run.verdict.findings.map((finding) => finding.kind)


describe('bench on the reference server', () => {
  it('finds the seed bug: ET listener, one accept per wakeup, 4 I/O threads', async () => {
    const html = join(mkdtempSync(join(tmpdir(), 'reactor-doctor-')), 'seed.html')
    const result = await runCli(['bench', '--trigger', 'et', '--threads', '4', '--accept', 'once', '--json', '--report', html])
    expect(result.stderr).toBe('')
    const run = singleRun(result.stdout)
    expect(result.exitCode).toBe(1)
    expect(kinds(run)).toContain('lost-connections')
    expect(kinds(run)).toContain('accept-queue-not-drained')
    const lost = run.load.connections.filter((c) => c.firstByteAtMs === null)
    const lostFinding = run.verdict.findings.find((f) => f.kind === 'lost-connections')!
    // Evidence names the lost clients by port, matched to their never-accepted server side.
    expect(lostFinding.evidence.join('\n')).toContain(`127.0.0.1:${lost[0]!.localPort}: never accepted`)
    expect(run.serverStats!.accepted).toBeLessThan(94)
    // The final reading comes before the accept experiment, whose connections it accepted one by one.
    const queue = run.finalSnapshot.sockets.find((s) => s.state === 'LISTEN')!.recvQ
    expect(run.probe).toMatchObject({queueBefore: queue, queueAfter: [queue, queue, queue], outcome: 'one-accept-per-wakeup'})
    expect(queue).toBe(94 - run.serverStats!.accepted + run.probe!.queueAfter.length)
    // The cause names what /proc showed: the listener fd, its epoll fd, the waiting thread, EPOLLET.
    const [diagnosis] = run.verdict.diagnoses
    expect(run.verdict.diagnoses).toHaveLength(1)
    expect(diagnosis!.cause).toMatchObject({kind: 'edge-triggered-accept-once', inferred: false})
    expect(diagnosis!.symptoms).toEqual(expect.arrayContaining(['lost-connections', 'accept-queue-not-drained']))
    const main = run.reactor.atEnd!.processes[0]!
    const listenerInode = run.finalSnapshot.sockets.find((s) => s.state === 'LISTEN')!.inode
    const listenerFd = main.sockets.find((s) => s.inode === listenerInode)!.fd
    const epoll = main.epolls.find((e) => e.watches.some((w) => w.inode === listenerInode))!
    expect(diagnosis!.cause.summary).toContain(`listener fd ${listenerFd} in epoll fd ${epoll.fd} of pid ${run.target.pid} (reactor-server) as EPOLLIN|EPOLLERR|EPOLLHUP|EPOLLET`)
    expect(diagnosis!.cause.summary).toContain(`thread ${run.target.pid} waits on`)
    expect(diagnosis!.cause.summary).toContain(`left the queue at ${queue}, ${queue}, ${queue}`)
    expect(run.verdict.findings.every((f) => f.cause?.kind === 'edge-triggered-accept-once')).toBe(true)
    expect(run.target.pid).not.toBeNull()
    expect(isAlive(run.target.pid!)).toBe(false)
    const page = readFileSync(html, 'utf8')
    expect(page).toContain('LOST CONNECTIONS')
    expect(page).toContain(`127.0.0.1:${lost[0]!.localPort}`)
    expect(page).toMatch(/<svg[^>]*>/)
  })

  it.each([
    ['lt, 4 I/O threads', ['--trigger', 'lt', '--threads', '4']],
    ['et, accept and read until EAGAIN', ['--trigger', 'et', '--accept', 'drain', '--read', 'drain']],
    ['et, 4 I/O threads, accept and read until EAGAIN', ['--trigger', 'et', '--threads', '4', '--accept', 'drain', '--read', 'drain']],
  ])('a correct mode (%s) is healthy, exit 0', async (_label, flags) => {
    const result = await runCli(['bench', ...flags, '--json'])
    const run = singleRun(result.stdout)
    expect(run.verdict).toEqual({status: 'healthy', findings: [], diagnoses: [], notes: []})
    expect(result.exitCode).toBe(0)
    expect(run.probe).toBeNull()
    expect(run.load.completed).toBe(1000)
    // The default waves: every one of them a new burst of 94 connections, all accepted.
    expect(run.load.waves).toEqual({requested: 10, started: 10})
    expect(run.serverStats!.accepted).toBe(94 * 10)
    expect(run.finalSnapshot.sockets.find((s) => s.state === 'LISTEN')!.recvQ).toBe(0)
  })

  it('shows the ET read-once bug with large requests: the request is never read to its end', async () => {
    const result = await runCli(['bench', '--trigger', 'et', '--read', 'once', '--body-size', '65536', '-n', '20', '-c', '2', '--json'])
    const run = singleRun(result.stdout)
    expect(result.exitCode).toBe(1)
    expect(kinds(run)).toEqual(expect.arrayContaining(['lost-connections', 'accepted-never-closed']))
    const stuck = run.finalSnapshot.sockets.find((s) => s.state === 'CLOSE-WAIT')!
    // Part of the 64 KiB body was never read: the server read once per edge and the edges stopped.
    expect(stuck.recvQ).toBeGreaterThan(0)
    expect(stuck.owners![0]!.name).toBe('reactor-server')
    // The reactor shows the socket registered EPOLLET with a thread waiting: read once per wakeup, inferred.
    expect(run.verdict.diagnoses.map((d) => d.cause.kind)).toEqual(['edge-triggered-read-once'])
    expect(run.verdict.diagnoses[0]!.cause.inferred).toBe(true)
    expect(run.verdict.diagnoses[0]!.cause.summary).toContain('likely one read() per wakeup')
  })

  it('with requests that fit one read(), says a healthy ET read-once run cannot show that bug', async () => {
    const result = await runCli(['bench', '--trigger', 'et', '--read', 'once', '-n', '200', '-c', '10', '--json'])
    const run = singleRun(result.stdout)
    expect(result.exitCode).toBe(0)
    expect(run.verdict.status).toBe('healthy')
    expect(run.verdict.notes).toContain(
      `--read once leaves data unread only when a request is larger than one read() (16 KiB in the reference server); these requests were ${run.load.requestBytes} bytes: add --body-size 65536 to show it`,
    )
  })

  it('prints a human report, verdict first', async () => {
    const result = await runCli(['bench', '--trigger', 'lt', '-n', '200', '-c', '10'])
    expect(result.exitCode).toBe(0)
    expect(result.stdout.split('\n')[0]).toBe('HEALTHY: 200/200 requests, accept queue drained')
    expect(result.stdout).toContain('reference server: level-triggered')
  })

  it('runs the mode matrix and prints one row per mode', async () => {
    const result = await runCli(['bench', '--repeat', '1', '-n', '300', '--json'], {timeoutMs: 90_000})
    expect(result.exitCode).toBe(0)
    const report = parseReport(result.stdout)
    if (report.kind !== 'matrix') throw new Error('expected the matrix')
    expect(report.matrix.rows.map((row) => row.label)).toEqual([
      'lt single-thread accept once',
      'lt 4 I/O threads accept once',
      'et single-thread accept once',
      'et 4 I/O threads accept once',
      'et 4 I/O threads accept drain',
    ])
    for (const row of report.matrix.rows.filter((r) => r.mode.trigger === 'lt' || r.mode.accept === 'drain')) {
      expect(row.lossyRuns, row.label).toBe(0)
    }
    expect(report.matrix.conclusion.join(' ')).toContain('Level-triggered lost connections in 0 of 2 runs')
    // The seed's bug shows (at 50 µs per accept it showed in 20 of 20 runs here), and the
    // conclusion says what the reactor showed in those runs.
    const etOnce = report.matrix.rows.filter((r) => r.mode.trigger === 'et' && r.mode.accept === 'once')
    const lossy = etOnce.reduce((n, r) => n + r.lossyRuns, 0)
    expect(lossy).toBeGreaterThan(0)
    expect(report.matrix.conclusion.at(-1)).toBe(`What /proc and the accept experiment showed in the ${lossy} runs that lost connections: edge-triggered-accept-once in ${lossy} of ${lossy}.`)
  })
})

describe('bench on the user\'s own server', () => {
  it.each(['native', 'ab', 'autocannon'])('finds accepted-but-never-closed sockets with the %s engine', async (engine) => {
    const result = await runCli(['bench', '--engine', engine, '-n', '200', '-c', '10', '--json', '--', 'node', 'test/servers/never-close.mjs', '--port', '{port}'])
    const run = singleRun(result.stdout)
    expect(result.exitCode).toBe(1)
    expect(kinds(run)).toContain('accepted-never-closed')
    expect(kinds(run)).not.toContain('lost-connections')
    const finding = run.verdict.findings.find((f) => f.kind === 'accepted-never-closed')!
    expect(finding.evidence[0]).toMatch(/-> CLOSE-WAIT, 0 unread bytes, owned by node\(pid \d+, fd \d+\)/)
    // libuv takes a socket out of epoll once it read the end of stream: the reactor shows it watched by none.
    expect(finding.cause?.kind).toBe('fd-not-watched')
    expect(finding.cause?.evidence[0]).toMatch(/owned by node\(pid \d+, fd (\d+)\): fd \1 of pid \d+ \(node\), in none of its \d+ epoll instance\(s\)/)
    expect(run.target.kind).toBe('command')
    expect(isAlive(run.target.pid!)).toBe(false)
  })

  it('reports a server that dies under load', async () => {
    const server =
      "let n = 0; require('net').createServer((c) => c.on('data', () => { c.write('HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok');" +
      " if (++n === 300) process.exit(7) })).listen(Number(process.argv[1]), '127.0.0.1')"
    const result = await runCli(['bench', '--json', '--', 'node', '-e', server, '{port}'])
    const run = singleRun(result.stdout)
    expect(result.exitCode).toBe(1)
    expect(run.verdict.findings[0]!.kind).toBe('server-exited')
    expect(run.verdict.findings[0]!.title).toBe('the server exited with code 7 during the run')
    expect(run.load.completed).toBeGreaterThanOrEqual(300)
    expect(run.load.completed).toBeLessThan(1000)
  })

  it('says clearly when the command exits before listening', async () => {
    const result = await runCli(['bench', '--', 'node', '-e', 'console.error("boom: no config"); process.exit(3)'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('node exited with code 3 before listening on port')
    expect(result.stderr).toContain('boom: no config')
  })

  it('says clearly when the command never listens on the port', async () => {
    const result = await runCli(['bench', '--ready-timeout', '500ms', '--', 'node', '-e', 'setTimeout(() => {}, 60000)'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/node did not listen on port \d+ within 500 ms; put \{port\} where your server takes its port/)
  })

  it('says where the command listens when it is not the address the load would go to, and stops it', async () => {
    const result = await runCli(['bench', '-n', '50', '-c', '2', '--', 'node', 'test/servers/never-close.mjs', '--host', '::1', '--port', '{port}'])
    expect(result.exitCode).toBe(2)
    const match = /^Error: node listens on \[::1\]:(\d+), not on 127\.0\.0\.1; add --host ::1, or make it listen on 127\.0\.0\.1$/.exec(result.stderr.trim())
    expect(match).not.toBeNull()
    const snapshot = await takeSnapshot({port: Number(match![1]), source: resolveSource('proc'), owners: false})
    expect(snapshot.sockets.filter((socket) => socket.state === 'LISTEN')).toEqual([])
  })

  it('refuses a port already in use', async () => {
    const server = await startReferenceServer({trigger: 'lt', threads: 0, accept: 'drain', read: 'drain', backlog: 128})
    try {
      const result = await runCli(['bench', '--port', String(server.port), '--', 'node', 'test/servers/never-close.mjs', '--port', '{port}'])
      expect(result.exitCode).toBe(2)
      expect(result.stderr).toContain(`port ${server.port} is already in use`)
    } finally {
      await server.stop()
    }
  })

  it('stops the server and exits on Ctrl-C mid-run', async () => {
    const port = await findClosedPort()
    const bench = startCli(['bench', '--port', String(port), '-n', '5000000', '-c', '4', '--timeout', '60s', '--', 'node', 'test/servers/never-close.mjs', '--port', '{port}'])
    const server = await waitForListener(port)
    // Mid-run: the load is on once the server holds client connections.
    await vi.waitFor(async () => expect((await listServerSockets(port)).some((s) => s.state === 'ESTAB')).toBe(true), {timeout: 15_000, interval: 20})
    bench.kill('SIGINT')
    const result = await bench
    expect(result.exitCode).toBe(130)
    expect(String(result.stderr)).toContain('bench interrupted; every server it started was stopped')
    expect(isAlive(server)).toBe(false)
  })
})

describe('bench --url', () => {
  let server: ReferenceServer | null = null
  afterEach(async () => {
    await server?.stop()
    server = null
  })

  it('loads a server that is already running, and leaves it running', async () => {
    server = await startReferenceServer({trigger: 'lt', threads: 2, accept: 'drain', read: 'drain', backlog: 128})
    const result = await runCli(['bench', '--url', `${server.url}hello`, '-n', '500', '-c', '20', '--json'])
    const run = singleRun(result.stdout)
    expect(result.exitCode).toBe(0)
    expect(run.target).toMatchObject({kind: 'url', port: server.port, path: '/hello', pid: null})
    expect(run.load.completed).toBe(500)
    expect(isAlive(server.pid)).toBe(true)
  })

  it('loads an IPv6 loopback server and writes its address in brackets', async () => {
    const ipv6 = await startTestServer('node', ['test/servers/never-close.mjs', '--host', '::1'])
    try {
      const result = await runCli(['bench', '--url', `http://[::1]:${ipv6.port}/`, '-n', '200', '-c', '5'])
      // never-close.mjs keeps every connection open after the client's FIN: CLOSE-WAIT, exit 1.
      expect(result.exitCode).toBe(1)
      expect(result.stdout).toContain(`running server at http://[::1]:${ipv6.port}/ ([::1]:${ipv6.port})`)
      expect(result.stdout).toMatch(/requests +200 completed \/ 200 sent/)
    } finally {
      await ipv6.stop()
    }
  })

  it('says where the server listens when the URL names another address', async () => {
    const ipv6 = await startTestServer('node', ['test/servers/never-close.mjs', '--host', '::1'])
    try {
      const result = await runCli(['bench', '--url', `http://127.0.0.1:${ipv6.port}/hello`])
      expect(result.exitCode).toBe(2)
      expect(result.stderr.trim()).toBe(
        `Error: the server on port ${ipv6.port} listens on [::1]:${ipv6.port}, not on 127.0.0.1; use --url http://[::1]:${ipv6.port}/hello`,
      )
    } finally {
      await ipv6.stop()
    }
  })

  it('bad flags and unknown commands get one line saying what is wrong and where to get help (exit 2)', async () => {
    const cases: Array<[string[], string]> = [
      [['bench', '-n', '0'], 'Error: --requests: expected an integer greater than or equal to 1 but received: 0; see reactor-doctor bench --help'],
      [['bench', '--interval', '0'], 'Error: --interval 0 is too short: samples need at least 1ms between them; use e.g. 20ms or 1s'],
      [['bench', '--trigger', 'lt', '--report', '/nonexistent/r.html'], 'Error: --report /nonexistent/r.html: cannot write in /nonexistent; create the directory or choose another path'],
      [['bench', '--port', '9000'], 'Error: --port is for one server, and the mode matrix starts one per run, each on a free port; drop --port, or pick one mode (e.g. --trigger et)'],
      [['bench', '--trigger', 'edge'], 'Error: Expected --trigger=edge to be one of: et, lt; see reactor-doctor bench --help'],
      [['bench', '--nope'], 'Error: Nonexistent flag: --nope; see reactor-doctor bench --help'],
      [['sockets', '--port', 'abc'], 'Error: --port "abc" is neither a port number nor a TCP service name in /etc/services; e.g. --port 8080 or --port http-alt'],
      [['server', '--threads'], 'Error: Flag --threads expects a value; see reactor-doctor server --help'],
      [['bnech'], 'Error: no command "bnech"; the commands are bench, server, sockets (see reactor-doctor --help)'],
    ]
    for (const [args, line] of cases) {
      const result = await runCli(args)
      expect(result.exitCode).toBe(2)
      expect(result.stderr).toBe(line)
    }
  })

  it('refuses a non-local address', async () => {
    const result = await runCli(['bench', '--url', 'http://10.1.2.3:8080/'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr.trim()).toBe(
      'Error: refusing to send load to 10.1.2.3: reactor-doctor only loads loopback addresses (127.0.0.0/8, ::1); run reactor-doctor on the server host and point it at 127.0.0.1',
    )
  })

  it('takes other spellings of loopback: --host 127.1, and a v4-mapped address in --url', async () => {
    const byHost = await runCli(['bench', '--host', '127.1', '--trigger', 'lt', '-n', '50', '-c', '2', '--json'])
    expect(byHost.exitCode).toBe(0)
    expect(singleRun(byHost.stdout).target.host).toBe('127.0.0.1')
    server = await startReferenceServer({trigger: 'lt', threads: 0, accept: 'drain', read: 'drain', backlog: 128})
    const byUrl = await runCli(['bench', '--url', `http://[::ffff:127.0.0.1]:${server.port}/`, '-n', '50', '-c', '2', '--json'])
    expect(byUrl.exitCode).toBe(0)
    expect(singleRun(byUrl.stdout).target).toMatchObject({host: '127.0.0.1', port: server.port})
  })

  it('says so when nothing listens there', async () => {
    const result = await runCli(['bench', '--url', 'http://127.0.0.1:1/'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('nothing listens on 127.0.0.1:1')
  })
})

/** The pid that owns the LISTEN socket on port, once one does. */
async function waitForListener(port: number): Promise<number> {
  const {execa} = await import('execa')
  for (let i = 0; i < 200; i++) {
    const {stdout} = await execa('ss', ['-tlnpH', `sport = :${port}`])
    const pid = /pid=(\d+)/.exec(stdout)
    if (pid) return Number(pid[1])
    await sleep(50)
  }
  throw new Error(`nothing listened on ${port}`)
}
