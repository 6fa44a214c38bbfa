/**
 * detectLostConnections on real runs (test/fixtures/reports/): a client that sent a request and
 * never got a byte is lost, and where its server-side socket sits in the final reading says why.
 */
import {describe, expect, it} from 'vitest'
import type {BenchRun} from '../../src/bench/types.js'
import {detectLostConnections} from '../../src/diagnose/detect-lost-connections.js'
import type {Evidence} from '../../src/diagnose/evidence.js'
import {listenerOf, loadRepeat, loadRun, lostClients, settleMs} from '../helpers/captured-reports.js'

function evidenceOf(run: BenchRun): Evidence {
  return {
    port: run.target.port,
    snapshots: [run.afterLoadSnapshot, run.finalSnapshot],
    stuckAfterMs: settleMs,
    bench: {target: run.target, load: run.load, serverStats: run.serverStats, exitedEarly: null},
  }
}

/** The server side of a client's connection in the final reading: local = the target, peer = the client. */
function serverSide(run: BenchRun, clientPort: number | null) {
  return run.finalSnapshot.sockets.find((s) => s.local.port === run.target.port && s.peer.port === clientPort)
}

describe('detectLostConnections on the real ET accept-once run', () => {
  const run = loadRun('lossy-et-accept-once')
  const finding = detectLostConnections(evidenceOf(run))!
  const lost = lostClients(run)

  it('finds the clients that sent and got nothing, and counts the rest as served', () => {
    expect(lost.length).toBeGreaterThan(0)
    expect(finding.kind).toBe('lost-connections')
    expect(finding.title).toBe(`${lost.length} connections lost: clients never got a byte`)
    const served = run.load.connections.length - lost.length
    expect(finding.evidence[0]).toBe(
      `${lost.length} of ${run.load.connections.length} client connections never got a byte; ${served} were served; ${run.load.completed} of ${run.load.requested} requests completed (load ${run.load.end})`,
    )
  })

  it('places each listed client by its server-side socket: never accepted (inode 0), with the bytes it holds', () => {
    const listed = finding.evidence.slice(1).filter((line) => /^127\.0\.0\.1:\d+: /.test(line))
    expect(listed.length).toBeGreaterThan(0)
    for (const line of listed) {
      const port = Number(/^127\.0\.0\.1:(\d+):/.exec(line)![1])
      expect(lost.map((c) => c.localPort)).toContain(port)
      const server = serverSide(run, port)!
      expect(server.inode).toBe(0)
      expect(line).toBe(`127.0.0.1:${port}: never accepted; ${server.state} with ${server.recvQ} unread bytes${server.state === 'CLOSE-WAIT' ? ' after the client gave up' : ''}`)
    }
    // Every lost client is still in the accept queue: the queue holds at least as many.
    expect(listenerOf(run).recvQ).toBeGreaterThanOrEqual(lost.filter((c) => serverSide(run, c.localPort)?.inode === 0).length)
    expect(finding.explanation).toMatch(/waited in the kernel accept queue, but the server never accept\(\)ed them/)
  })

  it("ends with the reference server's own counters: fewer accepts than connected clients", () => {
    const stats = run.serverStats!
    const connected = run.load.connections.filter((c) => c.connected).length
    expect(stats.accepted).toBeLessThan(connected)
    expect(finding.evidence.at(-1)).toBe(
      `the server's own counters: accepted ${stats.accepted} of ${connected} connected clients; listener reported ready ${stats.listenWakeups} times; accept() hit EAGAIN ${stats.acceptEagain} times`,
    )
  })

  it('is the finding the run printed (its cause aside, which the diagnosis adds)', () => {
    const {cause: _cause, ...printed} = run.verdict.findings.find((f) => f.kind === 'lost-connections')!
    expect(finding).toEqual(printed)
  })

  it('a lost client whose server side is gone from the reading: the server never sent a byte, cause not claimed', () => {
    const gone: BenchRun = {...run, finalSnapshot: {...run.finalSnapshot, sockets: run.finalSnapshot.sockets.filter((s) => s.state === 'LISTEN')}}
    const result = detectLostConnections(evidenceOf(gone))!
    expect(result.explanation).toBe('The connections were made but the server never sent a byte on them.')
    expect(result.advice).toMatch(/^Possible causes, none of them seen here/)
  })
})

describe('detectLostConnections on other real runs', () => {
  it('every --repeat run lost connections, each counted from its own clients', () => {
    const repeat = loadRepeat('repeat-et-accept-once')
    for (const run of repeat.runs) {
      expect(detectLostConnections(evidenceOf(run))?.title).toBe(`${lostClients(run).length} connections lost: clients never got a byte`)
    }
  })

  it('no finding on the healthy run, nor on the read-side bug where every client got its first answer', () => {
    expect(detectLostConnections(evidenceOf(loadRun('healthy-lt')))).toBeNull()
    const readSide = loadRun('read-interest-missing')
    expect(readSide.load.end).toBe('stalled')
    expect(readSide.load.connections.every((c) => c.firstByteAtMs !== null)).toBe(true)
    expect(detectLostConnections(evidenceOf(readSide))).toBeNull()
  })

  it('clients that connected but never sent a request are not lost (nothing was asked of the server)', () => {
    const repeat = loadRepeat('repeat-et-accept-once')
    // A wave's share of -n runs out while its last connections are still connecting: they send nothing.
    const run = repeat.runs.find((r) => r.load.connections.some((c) => c.connected && c.requestsSent === 0))
    expect(run, 'a capture with a connected client that sent nothing').toBeDefined()
    const idle = run!.load.connections.filter((c) => c.requestsSent === 0).map((c) => `127.0.0.1:${c.localPort}:`)
    const finding = detectLostConnections(evidenceOf(run!))!
    expect(finding.evidence.some((line) => idle.some((prefix) => line.startsWith(prefix)))).toBe(false)
  })

  it('nothing to say without the client side of a bench run, or without a reading', () => {
    const run = loadRun('lossy-et-accept-once')
    const {bench: _bench, ...socketsOnly} = evidenceOf(run)
    expect(detectLostConnections(socketsOnly)).toBeNull()
    expect(detectLostConnections({...evidenceOf(run), snapshots: []})).toBeNull()
  })
})
