/**
 * Listen overflow on a live socket: a listener with a backlog of 1 that never accepts
 * (test/servers/never-accept.py), and a burst of loopback connects over it. Its queue sits at
 * backlog+1 and it drops every further SYN (ss -m skmem d). `sockets --port` and a bench run
 * against it must report the overflow from that listener's own evidence; the namespace-wide
 * TcpExt counters, which its drops also raise, only as context, never a finding for another port.
 */
import {readFileSync} from 'node:fs'
import net from 'node:net'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import type {BenchReport} from '../../src/bench/types.js'
import type {Finding} from '../../src/diagnose/types.js'
import type {SocketsReport} from '../../src/report/sockets-report.js'
import {readListenQueue} from '../helpers/listen-queue.js'
import {runCli} from '../helpers/run-cli.js'
import {startTestServer, type TestServer} from '../helpers/test-servers.js'

const BACKLOG = 1
const BURST = 8

/** A connect that may never complete (its SYN dropped); errors are expected and ignored. */
function connectAndForget(port: number): net.Socket {
  const socket = net.connect({port, host: '127.0.0.1'})
  socket.on('error', () => {})
  return socket
}

function overflowOf(findings: Finding[]): Finding {
  const finding = findings.find((f) => f.kind === 'listen-overflow')
  if (!finding) throw new Error(`no listen-overflow among ${findings.map((f) => f.kind).join(', ')}`)
  return finding
}

/** The evidence lines must be about this listener; a TcpExt line may only follow them, as context. */
function expectOwnEvidence(finding: Finding, port: number, dropsAtLeast: number): void {
  expect(finding.title).toBe(`Listen queue overflowed on port ${port}`)
  expect(finding.evidence[0]).toBe(`LISTEN 127.0.0.1:${port}: queue reached ${BACKLOG + 1}, backlog ${BACKLOG} + 1: full`)
  const drops = finding.evidence.map((line) => new RegExp(`^LISTEN 127\\.0\\.0\\.1:${port}: (\\d+) drops? \\(ss -m skmem d\\)`).exec(line)).find(Boolean)
  expect(drops, finding.evidence.join('\n')).toBeTruthy()
  expect(Number(drops![1])).toBeGreaterThanOrEqual(dropsAtLeast)
  const context = finding.evidence.filter((line) => line.startsWith('TcpExt'))
  expect(context.every((line) => line.endsWith('(the whole network namespace: other ports count too)'))).toBe(true)
  if (context.length > 0) expect(finding.evidence.at(-1)).toBe(context[0])
}

describe('a listener with a backlog of 1 that never accepts, after a burst of 8 connects', () => {
  let server: TestServer | undefined
  let port = 0
  const clients: net.Socket[] = []
  let dropsBefore = 0

  beforeAll(async () => {
    server = await startTestServer('python3', ['test/servers/never-accept.py', '--backlog', String(BACKLOG)])
    port = server.port
    for (let i = 0; i < BURST; i++) clients.push(connectAndForget(port))
    // The kernel completes backlog+1 handshakes and drops the SYNs of the rest (they retransmit).
    await vi.waitFor(
      async () => {
        const listener = await readListenQueue(port)
        expect(listener).toMatchObject({recvQ: BACKLOG + 1, sendQ: BACKLOG})
        expect(listener!.drops).toBeGreaterThan(0)
        dropsBefore = listener!.drops
      },
      {timeout: 15_000, interval: 50},
    )
  })

  afterAll(async () => {
    for (const client of clients) client.destroy()
    await server?.stop()
  })

  it('sockets --port reports the overflow from its queue at backlog+1 and its own drops (exit 1)', async () => {
    const result = await runCli(['sockets', '--port', String(port), '--json'])
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(1)
    const report = JSON.parse(result.stdout) as SocketsReport
    const listener = report.snapshot!.listeners[0]!
    expect(listener).toMatchObject({queue: BACKLOG + 1, backlog: BACKLOG})
    expect(listener.drops).toBeGreaterThanOrEqual(dropsBefore)
    expectOwnEvidence(overflowOf(report.verdict.findings), port, dropsBefore)
  })

  it('bench --url against it reports the overflow from the same evidence (exit 1)', async () => {
    const result = await runCli(['bench', '--url', `http://127.0.0.1:${port}/`, '-n', '4', '-c', '4', '--stall', '500ms', '--json'], {timeoutMs: 60_000})
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(1)
    const report = JSON.parse(result.stdout) as BenchReport
    if (report.kind !== 'single') throw new Error('expected one run')
    const {run} = report
    const listener = run.finalSnapshot.sockets.find((s) => s.state === 'LISTEN')!
    expect(listener).toMatchObject({recvQ: BACKLOG + 1, sendQ: BACKLOG})
    expect(listener.drops).toBeGreaterThanOrEqual(dropsBefore)
    expectOwnEvidence(overflowOf(run.verdict.findings), port, dropsBefore)
  })

  it("a healthy bench on another port meanwhile is healthy (exit 0), though this listener's drops raise the namespace's counters", async () => {
    // Keep SYNs arriving at the full listener for the whole run: each one is a TcpExt ListenOverflow.
    const more: net.Socket[] = []
    const syns = setInterval(() => more.push(connectAndForget(port)), 20)
    try {
      const result = await runCli(['bench', '--trigger', 'lt', '-n', '200', '-c', '20', '--json'], {timeoutMs: 60_000})
      expect(result.stderr).toBe('')
      expect(result.exitCode).toBe(0)
      const report = JSON.parse(result.stdout) as BenchReport
      if (report.kind !== 'single') throw new Error('expected one run')
      const {before, after} = report.run.counters
      expect(after!.listenOverflows).toBeGreaterThan(before!.listenOverflows)
      expect(report.run.verdict.findings).toEqual([])
      expect(report.run.finalSnapshot.sockets.find((s) => s.state === 'LISTEN')!.drops).toBe(0)
    } finally {
      clearInterval(syns)
      for (const client of more) client.destroy()
    }
  })
})

describe('bench on the reference server with a backlog of 1: it overflows during the burst, then drains', () => {
  it("reports the overflow from the listener's own drop count, though its queue is empty by the end", async () => {
    const result = await runCli(['bench', '--trigger', 'lt', '--backlog', '1', '-n', '40', '-c', '20', '--waves', '1', '--json'], {timeoutMs: 60_000})
    expect(result.stderr).toBe('')
    const report = JSON.parse(result.stdout) as BenchReport
    if (report.kind !== 'single') throw new Error('expected one run')
    const {run} = report
    // The dropped SYNs were retransmitted and served: nothing lost, nothing left queued.
    expect(run.load.completed).toBe(40)
    const listener = run.finalSnapshot.sockets.find((s) => s.state === 'LISTEN')!
    expect(listener).toMatchObject({recvQ: 0, sendQ: 1})
    expect(listener.drops).toBeGreaterThan(0)
    const finding = overflowOf(run.verdict.findings)
    const port = run.target.port
    expect(finding.evidence[0]).toMatch(new RegExp(`^LISTEN 127\\.0\\.0\\.1:${port}: ${listener.drops} drops \\(ss -m skmem d\\)`))
    expect(finding.evidence.slice(1).every((line) => line.startsWith('TcpExt') && line.endsWith('(the whole network namespace: other ports count too)'))).toBe(true)
    expect(run.verdict.diagnoses.map((d) => d.cause.kind)).toEqual(['backlog-too-small'])
    // listen-overflow is reported, but not in the default --fail-on.
    expect(result.exitCode).toBe(0)
  })
})

describe('sockets --file on the ss -m captures of such a listener (test/fixtures/capture-drops.sh)', () => {
  it.each(['tlnm-drops', 'tanm-drops'])('%s: the overflow from the queue at backlog+1 and the captured d<N> (exit 1)', async (name) => {
    const file = `test/fixtures/ss/${name}.txt`
    const text = readFileSync(file, 'utf8')
    const captured = Number(/skmem:\([^)]*\bd(\d+)\)/.exec(text)![1])
    const capturedPort = Number(/^LISTEN\s+\d+\s+\d+\s+127\.0\.0\.1:(\d+)/m.exec(text)![1])
    expect(captured).toBeGreaterThan(0)
    const result = await runCli(['sockets', '--file', file, '--json'])
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(1)
    const report = JSON.parse(result.stdout) as SocketsReport
    expect(report.port).toBe(capturedPort)
    expect(report.snapshot!.listeners[0]).toMatchObject({queue: BACKLOG + 1, backlog: BACKLOG, drops: captured})
    const finding = overflowOf(report.verdict.findings)
    expectOwnEvidence(finding, capturedPort, captured)
    expect(finding.evidence).toContain(`LISTEN 127.0.0.1:${capturedPort}: ${captured} drops (ss -m skmem d)`)
  })
})
