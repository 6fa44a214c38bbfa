import {describe, expect, it} from 'vitest'
import {detectAcceptQueueNotDrained} from '../../src/diagnose/detect-accept-queue.js'
import {detectAcceptedNeverClosed} from '../../src/diagnose/detect-accepted-never-closed.js'
import {detectDataLeftUnread} from '../../src/diagnose/detect-data-left-unread.js'
import {detectListenOverflow} from '../../src/diagnose/detect-listen-overflow.js'
import {detectNeverAcceptedAbandoned} from '../../src/diagnose/detect-never-accepted.js'
import {diagnoseSockets} from '../../src/diagnose/verdict.js'
import {parseNetstat} from '../../src/probes/netstat.js'
import {readFixture} from '../probes/fixtures.js'
import {conn, listener, snap} from './build-snapshots.js'
import {isCannotJudge, type DetectorResult} from '../../src/diagnose/evidence.js'

function asFinding(result: DetectorResult) {
  if (result === null || isCannotJudge(result)) throw new Error(`expected a finding, got ${JSON.stringify(result)}`)
  return result
}

const stuckAfterMs = 5000

describe('the seed excerpt (netstat -an | grep 1022)', () => {
  const evidence = {port: 1022, snapshots: [snap(0, parseNetstat(readFixture('seed/netstat-an-grep-1022.txt')), 'netstat')], stuckAfterMs}

  it('finds the accept queue not drained: 4 connections waiting', () => {
    const finding = detectAcceptQueueNotDrained(evidence)!
    expect(finding.title).toBe("Accept queue not drained: 4 connections waiting in port 1022's accept queue")
    expect(finding.evidence[0]).toBe('LISTEN 0.0.0.0:1022: 4 connections in the accept queue (backlog not shown by netstat)')
    // A saved excerpt shows no reactor: the finding says what was seen, and the cause is not told as fact.
    expect(finding.explanation).not.toContain('EPOLLET')
    expect(finding.advice).toMatch(/^Possible causes, none of them seen here: /)
  })

  it('is one diagnosis whose cause says the server was not seen, never the EPOLLET story', () => {
    const verdict = diagnoseSockets(evidence)
    expect(verdict.diagnoses).toHaveLength(1)
    expect(verdict.diagnoses[0]!.cause.kind).toBe('unknown')
    expect(verdict.diagnoses[0]!.symptoms).toEqual(['accept-queue-not-drained', 'never-accepted-abandoned'])
    expect(verdict.findings.map((f) => f.cause?.kind)).toEqual(['unknown', 'unknown'])
  })

  it('finds 4 CLOSE_WAIT likely never accepted, 114 unread bytes each, worded honestly (netstat -an has no owner column)', () => {
    const finding = detectNeverAcceptedAbandoned(evidence)!
    expect(finding.title).toBe('4 CLOSE_WAIT sockets likely never accepted, 114 unread bytes each (the FIN counts one)')
    expect(finding.evidence[0]).toBe('10.4.160.95:8784 -> CLOSE-WAIT, 114 unread bytes, likely never accepted (netstat shows no owner; the LISTEN queue holds 4)')
  })

  it('folds into findings with a caveat about owners, and says what it could not judge', () => {
    const verdict = diagnoseSockets(evidence)
    expect(verdict.status).toBe('findings')
    expect(verdict.findings.map((f) => f.kind)).toEqual(['accept-queue-not-drained', 'never-accepted-abandoned'])
    expect(verdict.notes).toHaveLength(2)
    expect(verdict.notes[1]).toBe('not judged (listen-overflow): netstat shows no backlog limit, so a full accept queue cannot be told from a long one: read the port with ss (iproute2)')
  })
})

describe('accept queue not drained', () => {
  it('with inode 0 the CLOSE-WAIT sockets are certainly never accepted', () => {
    const snapshots = [snap(0, [listener(80, 1), conn(80, 41022, 'CLOSE-WAIT', 114, 0)])]
    expect(detectNeverAcceptedAbandoned({port: 80, snapshots, stuckAfterMs})!.evidence).toEqual(['127.0.0.1:41022 -> CLOSE-WAIT, 114 unread bytes, never accepted (ino 0)'])
    expect(detectNeverAcceptedAbandoned({port: 80, snapshots, stuckAfterMs})!.title).toBe('1 CLOSE_WAIT socket never accepted, 114 unread bytes each (the FIN counts one)')
  })

  it('a queue that drains after the load is healthy; one that stays >= stuckAfter is not', () => {
    const drained = [snap(0, [listener(80, 5)]), snap(1000, [listener(80, 0)]), snap(6000, [listener(80, 0)])]
    expect(detectAcceptQueueNotDrained({port: 80, snapshots: drained, stuckAfterMs, loadEndedAt: 0})).toBeNull()
    const stuck = [snap(0, [listener(80, 5)]), snap(3000, [listener(80, 2)]), snap(6000, [listener(80, 2)])]
    const finding = detectAcceptQueueNotDrained({port: 80, snapshots: stuck, stuckAfterMs, loadEndedAt: 0})!
    expect(finding.evidence).toEqual(['LISTEN 127.0.0.1:80: 2 connections in the accept queue (backlog 128)', 'the queue stayed between 2 and 5 for 6.0 s after the load ended'])
    expect(detectAcceptQueueNotDrained({port: 80, snapshots: stuck.slice(0, 2), stuckAfterMs})).toBeNull()
  })

  it('only readings after the load ended count', () => {
    const snapshots = [snap(0, [listener(80, 50)]), snap(100, [listener(80, 0)])]
    expect(detectAcceptQueueNotDrained({port: 80, snapshots, stuckAfterMs, loadEndedAt: 50})).toBeNull()
  })
})

describe('accepted but never closed', () => {
  const cw = (at: number) => snap(at, [listener(80, 0), conn(80, 5000, 'CLOSE-WAIT', 0, 77)])
  it('fires for an owned CLOSE-WAIT that stays stuckAfter, not for a short one', () => {
    const finding = detectAcceptedNeverClosed({port: 80, snapshots: [cw(0), cw(6000)], stuckAfterMs})!
    expect(finding.title).toBe('1 accepted connection left in CLOSE_WAIT on port 80')
    expect(finding.evidence).toEqual(['127.0.0.1:5000 -> CLOSE-WAIT, 0 unread bytes, owned by srv(pid 10, fd 7), for 6.0 s'])
    expect(detectAcceptedNeverClosed({port: 80, snapshots: [cw(0), cw(1000)], stuckAfterMs})).toBeNull()
    expect(detectAcceptedNeverClosed({port: 80, snapshots: [cw(0), cw(6000), snap(7000, [listener(80, 0)])], stuckAfterMs})).toBeNull()
  })

  it('from one reading, reports it and says the age is unknown', () => {
    expect(detectAcceptedNeverClosed({port: 80, snapshots: [cw(0)], stuckAfterMs})!.evidence.at(-1)).toBe(
      'seen in one reading: watch it (sockets --watch) to see how long they stay',
    )
  })
})

describe('data left unread', () => {
  it('needs an owned ESTAB with Recv-Q > 0 over stuckAfter', () => {
    const unread = (at: number) => snap(at, [listener(80, 0), conn(80, 5000, 'ESTAB', 40, 77)])
    // One reading cannot tell bytes nobody reads from bytes in flight: it says it cannot judge.
    expect(detectDataLeftUnread({port: 80, snapshots: [unread(0)], stuckAfterMs})).toEqual({
      kind: 'data-left-unread',
      cannotJudge: '1 accepted connection held unread bytes in the one reading; bytes in flight look the same once: watch the port (sockets --watch) to tell',
    })
    const finding = asFinding(detectDataLeftUnread({port: 80, snapshots: [unread(0), unread(5000)], stuckAfterMs}))
    expect(finding.evidence).toEqual(['127.0.0.1:5000 -> ESTAB, 40 unread bytes, owned by srv(pid 10, fd 7), for 5.0 s after the load'])
  })

  it('fires on one reading taken while the load stalled, for sockets whose client still waited', () => {
    const stalledSnapshot = snap(0, [listener(80, 0), conn(80, 5000, 'ESTAB', 107, 77), conn(80, 5001, 'ESTAB', 107, 78)])
    const stalled = {snapshot: stalledSnapshot, waitingPorts: [5000], stalledForMs: 1000}
    const finding = asFinding(detectDataLeftUnread({port: 80, snapshots: [snap(9, [listener(80, 0)])], stuckAfterMs, stalled}))
    expect(finding.evidence).toEqual(['127.0.0.1:5000 -> ESTAB, 107 unread bytes, owned by srv(pid 10, fd 7), its client waiting for an answer through the whole 1.0 s stall'])
    expect(detectDataLeftUnread({port: 80, snapshots: [snap(9, [listener(80, 0)])], stuckAfterMs, stalled: {...stalled, waitingPorts: []}})).toBeNull()
  })
})

describe('listen overflow', () => {
  const counters = {countersBefore: {listenOverflows: 1, listenDrops: 1}, countersAfter: {listenOverflows: 4, listenDrops: 5}}
  const context = 'TcpExt ListenOverflows +3, ListenDrops +4 meanwhile (the whole network namespace: other ports count too)'

  it('no finding from namespace-wide TcpExt counters while this listener stayed below backlog + 1 without drops', () => {
    const low = [snap(0, [listener(80, 0)]), snap(9, [listener(80, 128)])]
    expect(detectListenOverflow({port: 80, snapshots: low, stuckAfterMs, ...counters})).toBeNull()
    expect(detectListenOverflow({port: 80, snapshots: [snap(0, [{...listener(80, 0), drops: 0}])], stuckAfterMs, ...counters})).toBeNull()
    // another port's full queue and drops are not this listener's
    const other = [snap(0, [listener(80, 0), {...listener(81, 129), drops: 9}])]
    expect(detectListenOverflow({port: 80, snapshots: other, stuckAfterMs, ...counters})).toBeNull()
  })

  it('a queue at backlog + 1 (ss only), with the counters as context', () => {
    expect(asFinding(detectListenOverflow({port: 80, snapshots: [snap(0, [listener(80, 129)])], stuckAfterMs})).evidence).toEqual([
      'LISTEN 127.0.0.1:80: queue reached 129, backlog 128 + 1: full',
    ])
    expect(asFinding(detectListenOverflow({port: 80, snapshots: [snap(0, [listener(80, 129)])], stuckAfterMs, ...counters})).evidence).toEqual([
      'LISTEN 127.0.0.1:80: queue reached 129, backlog 128 + 1: full',
      context,
    ])
    // netstat shows no backlog: a full queue cannot be told, and the verdict says so.
    expect(detectListenOverflow({port: 80, snapshots: [snap(0, [listener(80, 129)], 'netstat')], stuckAfterMs, ...counters})).toEqual({
      kind: 'listen-overflow',
      cannotJudge: 'netstat shows no backlog limit, so a full accept queue cannot be told from a long one: read the port with ss (iproute2)',
    })
  })

  it('drops on the listener (ss -m skmem d), rising or non-zero', () => {
    const dropped = {...listener(80, 0), drops: 7}
    expect(asFinding(detectListenOverflow({port: 80, snapshots: [snap(0, [{...dropped, drops: 2}]), snap(9, [dropped])], stuckAfterMs, ...counters})).evidence).toEqual([
      'LISTEN 127.0.0.1:80: 7 drops (ss -m skmem d), +5 while watched',
      context,
    ])
    expect(asFinding(detectListenOverflow({port: 80, snapshots: [snap(0, [dropped])], stuckAfterMs})).evidence).toEqual(['LISTEN 127.0.0.1:80: 7 drops (ss -m skmem d)'])
  })
})

describe('verdict', () => {
  it('healthy, inconclusive without data or without a LISTEN row', () => {
    expect(diagnoseSockets({port: 80, snapshots: [snap(0, [listener(80, 0), conn(80, 1, 'ESTAB', 0, 5)])], stuckAfterMs})).toEqual({status: 'healthy', findings: [], diagnoses: [], notes: []})
    expect(diagnoseSockets({port: 80, snapshots: [], stuckAfterMs})).toEqual({status: 'inconclusive', findings: [], diagnoses: [], notes: ['no reading of the port was taken']})
    const noListen = diagnoseSockets({port: 80, snapshots: [snap(0, [conn(80, 1, 'ESTAB', 0, null)], 'netstat')], stuckAfterMs})
    expect(noListen.status).toBe('inconclusive')
    expect(noListen.notes[0]).toContain('no LISTEN socket on port 80 in the data')
    expect(diagnoseSockets({port: 80, snapshots: [snap(0, [])], stuckAfterMs}).notes).toEqual(['no socket with local port 80 in the data: nothing listens there'])
  })

  it('an excerpt without LISTEN still reports what it can (owned CLOSE-WAIT)', () => {
    const verdict = diagnoseSockets({port: 80, snapshots: [snap(0, [conn(80, 1, 'CLOSE-WAIT', 0, 9)])], stuckAfterMs})
    expect(verdict.status).toBe('findings')
    expect(verdict.findings.map((f) => f.kind)).toEqual(['accepted-never-closed'])
  })
})
