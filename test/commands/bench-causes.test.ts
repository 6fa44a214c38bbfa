/**
 * The causes, observed on servers that are not the reference one (test/servers/): each has one
 * reactor bug, and both `bench -- <cmd>` and `sockets --port` must name it from what /proc shows,
 * never with the reference server's story.
 */
import net from 'node:net'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {afterEach, describe, expect, it, vi} from 'vitest'
import type {BenchReport} from '../../src/bench/types.js'
import type {CauseKind} from '../../src/diagnose/cause-kinds.js'
import {noOwnerSeen} from '../../src/probes/reactor/read-port-reactor.js'
import type {SocketsReport} from '../../src/report/sockets-report.js'
import {readListenQueue} from '../helpers/listen-queue.js'
import {runCli} from '../helpers/run-cli.js'
import {startTestServer, type TestServer} from '../helpers/test-servers.js'

const bugs = fileURLToPath(new URL('../servers/build/reactor-bugs', import.meta.url))
const python = (file: string) => ['python3', fileURLToPath(new URL(`../servers/${file}`, import.meta.url))]

interface Case {
  name: string
  command: string[]
  cause: CauseKind
  /** Words the cause's summary must hold. */
  says: RegExp
}

const acceptCases: Case[] = [
  {name: 'unregisters its listener after K accepts (C)', command: [bugs, '--bug', 'unwatch-listener'], cause: 'listener-not-watched', says: /the listener \(fd \d+ of pid \d+ \(reactor-bugs\)\) is in none of the server's epoll interest lists/},
  {name: 'never re-arms its EPOLLONESHOT listener (C)', command: [bugs, '--bug', 'oneshot-listener'], cause: 'oneshot-not-rearmed', says: /registered EPOLLONESHOT and has fired without being re-armed: fd \d+ in epoll fd \d+ .* as EPOLLONESHOT \(events 40000000\)/},
  {name: 'blocks its acceptor thread in a sleep (Python)', command: python('blocking-acceptor.py'), cause: 'acceptor-not-waiting', says: /no thread waits on that epoll instance/},
  {name: 'uses poll() and stops watching its listener (Python)', command: python('poll-stop.py'), cause: 'unknown', says: /the server does not use epoll \(it uses poll\(\)\)/},
]

const request = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'

describe('bench -- <a server with one reactor bug>', () => {
  it.each(acceptCases)('a server that $name: cause $cause, exit 1', async ({command, cause, says}) => {
    const result = await runCli(['bench', '-n', '200', '-c', '10', '--json', '--', ...command, '--port', '{port}'], {timeoutMs: 90_000})
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(1)
    const report = JSON.parse(result.stdout) as BenchReport
    if (report.kind !== 'single') throw new Error('expected one run')
    const {verdict} = report.run
    expect(verdict.diagnoses.map((d) => d.cause.kind)).toEqual([cause])
    expect(verdict.diagnoses[0]!.cause.summary).toMatch(says)
    expect(verdict.diagnoses[0]!.symptoms).toEqual(expect.arrayContaining(['lost-connections', 'accept-queue-not-drained', 'load-stalled']))
    // Not the reference server's story: no word of EPOLLET where nothing showed it.
    const {title, explanation, cause: seen} = verdict.diagnoses[0]!
    expect(JSON.stringify({title, explanation, seen})).not.toContain('EPOLLET')
    // The experiment ran and saw the queue grow by one per probe: nothing accepts.
    if (cause !== 'unknown') expect(report.run.probe?.outcome).toBe('not-accepting')
  })

  it('a server that re-registers a connection for EPOLLOUT only after a partial write (C): read-interest-missing, exit 1', async () => {
    const result = await runCli(['bench', '-n', '100', '-c', '10', '--waves', '1', '--json', '--', bugs, '--bug', 'epollout-only', '--port', '{port}'], {timeoutMs: 90_000})
    expect(result.stderr).toBe('')
    const report = JSON.parse(result.stdout) as BenchReport
    if (report.kind !== 'single') throw new Error('expected one run')
    const {run} = report
    // The gate fails by default: the load stalled with requests unanswered (ab would hang).
    expect(result.exitCode).toBe(1)
    expect(run.load.end).toBe('stalled')
    expect(run.stalledSnapshot).not.toBeNull()
    const [diagnosis] = run.verdict.diagnoses
    expect(diagnosis!.cause.kind).toBe('read-interest-missing')
    expect(diagnosis!.symptoms).toEqual(expect.arrayContaining(['data-left-unread', 'load-stalled']))
    expect(diagnosis!.cause.evidence[0]).toMatch(/ESTAB, \d+ unread bytes, owned by reactor-bugs\(pid \d+, fd \d+\): fd \d+ in epoll fd \d+ .* as EPOLLOUT\|EPOLLERR\|EPOLLHUP\|EPOLLET \(events 8000001c\), without EPOLLIN/)
    // Each unanswered request is placed: the server-side socket held it, unread, for the whole stall.
    const unread = run.verdict.findings.find((f) => f.kind === 'data-left-unread')!
    expect(unread.evidence[0]).toMatch(/its client waiting for an answer through the whole \d\.\d s stall/)
    const stalled = run.verdict.findings.find((f) => f.kind === 'load-stalled')!
    expect(stalled.evidence.some((line) => /ESTAB, \d+ unread bytes, owned by reactor-bugs.*; 1 request unanswered$/.test(line))).toBe(true)
  })
})

describe('bench on the reference server, single-threaded, et accept once', () => {
  const run = async (extra: string[]) => {
    const result = await runCli(['bench', '--trigger', 'et', '--threads', '1', '--accept', 'once', '--json', ...extra])
    expect(result.exitCode).toBe(1)
    const report = JSON.parse(result.stdout) as BenchReport
    if (report.kind !== 'single') throw new Error('expected one run')
    return report.run
  }

  it('names the EPOLLET listener, its epoll fd, the waiting thread and the probe result', async () => {
    const {verdict, probe, target} = await run([])
    expect(verdict.diagnoses).toHaveLength(1)
    expect(verdict.diagnoses[0]!.cause).toMatchObject({kind: 'edge-triggered-accept-once', inferred: false})
    expect(verdict.diagnoses[0]!.cause.summary).toMatch(new RegExp(`^listener fd \\d+ in epoll fd \\d+ of pid ${target.pid} \\(reactor-server\\) as EPOLLIN\\|EPOLLERR\\|EPOLLHUP\\|EPOLLET \\(events 80000019\\), which thread ${target.pid} waits on; 3 probe connections`))
    expect(probe!.outcome).toBe('one-accept-per-wakeup')
  })

  it('with --no-probe: the same cause, said as inferred, with what would confirm it', async () => {
    const {verdict, probe} = await run(['--no-probe'])
    expect(probe).toBeNull()
    expect(verdict.diagnoses[0]!.cause).toMatchObject({kind: 'edge-triggered-accept-once', inferred: true})
    expect(verdict.diagnoses[0]!.cause.summary).toContain('likely one accept() per wakeup (the accept experiment was turned off (--no-probe); the experiment would confirm it)')
  })
})

describe('sockets --port on a server with one reactor bug', () => {
  const scene = useScene()

  it.each(acceptCases)('a server that $name: cause $cause', async ({command, cause, says}) => {
    const server = await scene.start(command[0]!, [...command.slice(1), '--port', '0'])
    const port = server.port
    // K (5) connections are served, the next ones queue.
    scene.clients.push(...connectWithRequests(port, 9))
    await vi.waitFor(async () => expect((await readListenQueue(port))!.recvQ).toBeGreaterThanOrEqual(3), {timeout: 15_000, interval: 50})
    const result = await runCli(['sockets', '--port', String(port), '--probe', '--json'])
    const report = JSON.parse(result.stdout) as SocketsReport
    expect(result.exitCode).toBe(1)
    expect(report.verdict.diagnoses.map((d) => d.cause.kind)).toEqual([cause])
    expect(report.verdict.diagnoses[0]!.cause.summary).toMatch(says)
    expect(report.server!.reactor!.processes.length).toBe(1)
    if (cause !== 'unknown') expect(report.server!.probe).toMatchObject({outcome: 'not-accepting'})
  })

  it('a server that re-registers a connection for EPOLLOUT only (C): --watch sees the request left unread, read-interest-missing', async () => {
    const server = await scene.start(bugs, ['--bug', 'epollout-only', '--port', '0', '--after', '0'])
    const port = server.port
    const client = await answeredOnce(port)
    scene.clients.push(client)
    client.write(request)
    const result = await runCli(['sockets', '--port', String(port), '--watch', '--interval', '200ms', '--duration', '1500ms', '--stuck-after', '1s', '--json'])
    const report = JSON.parse(result.stdout) as SocketsReport
    expect(report.verdict.findings.map((f) => f.kind)).toContain('data-left-unread')
    expect(report.verdict.diagnoses.map((d) => d.cause.kind)).toEqual(['read-interest-missing'])
    expect(report.verdict.diagnoses[0]!.cause.evidence[0]).toContain(`${request.length} unread bytes`)
  })
})

/** A test server and its clients, all stopped after each test, whatever happened. */
function useScene(): {start: (command: string, args: string[]) => Promise<TestServer>; clients: net.Socket[]} {
  const servers: TestServer[] = []
  const clients: net.Socket[] = []
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    await Promise.all(servers.splice(0).map((server) => server.stop()))
  })
  return {
    clients,
    start: async (command, args) => {
      const server = await startTestServer(command, args)
      servers.push(server)
      return server
    },
  }
}

/** count client connections, each sending one request once connected. */
function connectWithRequests(port: number, count: number): net.Socket[] {
  return Array.from({length: count}, () => {
    const client = net.connect(port, '127.0.0.1', () => client.write(request))
    client.on('error', () => {})
    return client
  })
}

/** A keep-alive connection whose first request got its whole answer (headers and Content-Length body). */
async function answeredOnce(port: number): Promise<net.Socket> {
  const client = net.connect(port, '127.0.0.1')
  client.on('error', () => {})
  await new Promise<void>((resolve) => client.once('connect', () => resolve()))
  client.write(request)
  let received = Buffer.alloc(0)
  await new Promise<void>((resolve) => {
    client.on('data', function onData(chunk: Buffer) {
      received = Buffer.concat([received, chunk])
      const head = received.indexOf('\r\n\r\n')
      const length = Number(/content-length: *(\d+)/i.exec(received.subarray(0, Math.max(head, 0)).toString())?.[1] ?? -1)
      if (head >= 0 && length >= 0 && received.length >= head + 4 + length) {
        client.off('data', onData)
        resolve()
      }
    })
  })
  return client
}

/** Runs the built CLI as user nobody (setpriv), the way a server author without root runs it. */
async function runAsNobody(args: string[]) {
  const bin = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
  const env = {NO_COLOR: '1', NODE_ENV: undefined, HOME: '/tmp'}
  const child = await execa('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', process.execPath, bin, ...args], {reject: false, env, timeout: 90_000, stdin: 'ignore'})
  return {exitCode: child.exitCode ?? -1, stdout: String(child.stdout), stderr: String(child.stderr)}
}

describe.runIf(process.getuid?.() === 0)('as a user who is not root (setpriv to nobody)', () => {
  const scene = useScene()

  it('bench sees the reactor of its own server: it runs as the same user', async () => {
    const result = await runAsNobody(['bench', '-n', '200', '-c', '10', '--json', '--', bugs, '--bug', 'unwatch-listener', '--port', '{port}'])
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(1)
    const report = JSON.parse(result.stdout) as BenchReport
    if (report.kind !== 'single') throw new Error('expected one run')
    expect(report.run.verdict.diagnoses.map((d) => d.cause.kind)).toEqual(['listener-not-watched'])
    expect(report.run.reactor.atEnd!.unseen).toEqual([])
  })

  it("sockets --port on root's server says what it could not see and how to see it", async () => {
    const server = await scene.start(bugs, ['--bug', 'unwatch-listener', '--port', '0', '--after', '2'])
    const port = server.port
    scene.clients.push(...connectWithRequests(port, 5))
    await vi.waitFor(async () => expect((await readListenQueue(port))!.recvQ).toBe(3), {timeout: 15_000, interval: 50})
    const result = await runAsNobody(['sockets', '--port', String(port), '--json'])
    const report = JSON.parse(result.stdout) as SocketsReport
    expect(result.exitCode).toBe(1)
    const [diagnosis] = report.verdict.diagnoses
    expect(diagnosis!.cause.kind).toBe('unknown')
    expect(diagnosis!.cause.summary).toBe(noOwnerSeen)
    expect(report.server!.reactor).toBeNull()
  })
})
