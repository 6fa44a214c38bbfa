/**
 * The cause rules on what real servers showed: /proc files copied from each buggy test server in
 * its bug state (test/fixtures/reactor/capture-servers.sh), replayed through the real collector
 * with procRoot, beside the `ss -tanie` taken at the same moment.
 */
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {findAcceptCause} from '../../src/diagnose/find-accept-cause.js'
import {diagnoseSockets} from '../../src/diagnose/verdict.js'
import {classifyProbe, type AcceptProbe} from '../../src/probes/accept-experiment.js'
import {readReactor} from '../../src/probes/reactor/collect-reactor.js'
import {listenersOf} from '../../src/probes/socket-evidence.js'
import {parseSs} from '../../src/probes/ss.js'
import type {Snapshot} from '../../src/probes/types.js'

const dir = (path: string) => fileURLToPath(new URL(`../fixtures/reactor/${path}`, import.meta.url))

async function captured(name: string) {
  const cmd = readFileSync(dir(`${name}-ss.cmd`), 'utf8')
  const pid = Number(/pid (\d+)/.exec(cmd)![1])
  const port = Number(/sport = :(\d+)/.exec(cmd)![1])
  const snapshot: Snapshot = {at: 0, source: 'ss', sockets: parseSs(readFileSync(dir(`${name}-ss.txt`), 'utf8'))}
  const reactor = await readReactor({pids: [pid], procRoot: dir(`proc/${name}`)})
  return {pid, port, snapshot, reactor}
}

const probe = (queueAfter: number[]): AcceptProbe => ({host: '127.0.0.1', port: 1, queueBefore: 3, queueAfter, outcome: classifyProbe(3, queueAfter), waitMs: 100, stoppedEarly: null})

describe('causes from captured readings of real servers', () => {
  it('unregistered listener: listener-not-watched, naming the fd and the instances that lack it', async () => {
    const {pid, port, snapshot, reactor} = await captured('unwatch-listener')
    expect(reactor.unseen).toEqual([])
    const cause = findAcceptCause({listeners: listenersOf(snapshot, port), reactor, missing: null, probe: null, probeNote: null})
    expect(cause.kind).toBe('listener-not-watched')
    expect(cause.summary).toMatch(new RegExp(`^the listener \\(fd 3 of pid ${pid} \\(reactor-bugs\\)\\) is in none of the server's epoll interest lists: epoll fd \\d+ of pid ${pid}`))
    expect(cause.inferred).toBe(false)
  })

  it('spent EPOLLONESHOT listener: oneshot-not-rearmed, with events 40000000', async () => {
    const {port, snapshot, reactor} = await captured('oneshot-listener')
    const cause = findAcceptCause({listeners: listenersOf(snapshot, port), reactor, missing: null, probe: null, probeNote: null})
    expect(cause.kind).toBe('oneshot-not-rearmed')
    expect(cause.evidence[0]).toMatch(/as EPOLLONESHOT \(events 40000000\): only the flag bits are left/)
  })

  it('acceptor asleep: acceptor-not-waiting, naming the thread and its clock_nanosleep', async () => {
    const {pid, port, snapshot, reactor} = await captured('blocking-acceptor')
    const cause = findAcceptCause({listeners: listenersOf(snapshot, port), reactor, missing: null, probe: probe([4, 5, 6]), probeNote: null})
    expect(cause.kind).toBe('acceptor-not-waiting')
    expect(cause.evidence).toContain(`pid ${pid} (python3) threads: thread ${pid} (python3) in clock_nanosleep (state S)`)
  })

  it('a poll() server: unknown, saying it uses poll() and how to see more', async () => {
    const {port, snapshot, reactor} = await captured('poll-stop')
    const cause = findAcceptCause({listeners: listenersOf(snapshot, port), reactor, missing: null, probe: null, probeNote: null})
    expect(cause.kind).toBe('unknown')
    expect(cause.summary).toMatch(/^the server does not use epoll \(it uses poll\(\)\): .* has no epoll instance; its threads wait in poll\(\), whose interest set \/proc does not show; `strace -f -e trace=poll/)
  })

  it('one diagnosis for the symptoms the listener explains', async () => {
    const {port, snapshot, reactor} = await captured('unwatch-listener')
    const view = {reactorAtStall: null, reactorAtEnd: reactor, missing: null, probe: null, probeNote: null}
    const verdict = diagnoseSockets({port, snapshots: [snapshot], stuckAfterMs: 5000}, view)
    expect(verdict.diagnoses).toHaveLength(1)
    expect(verdict.diagnoses[0]!.cause.kind).toBe('listener-not-watched')
    expect(verdict.findings.every((finding) => finding.cause?.kind === 'listener-not-watched')).toBe(true)
  })

  it('without a reading, or with the listener unknown, says why instead of a cause', async () => {
    const {port, snapshot, reactor} = await captured('unwatch-listener')
    expect(findAcceptCause({listeners: listenersOf(snapshot, port), reactor: null, missing: 'no owner shown', probe: null, probeNote: null})).toMatchObject({kind: 'unknown', summary: 'no owner shown'})
    const noInode = listenersOf(snapshot, port).map((listener) => ({...listener, inode: null}))
    expect(findAcceptCause({listeners: noInode, reactor, missing: null, probe: null, probeNote: null}).summary).toMatch(/^the listener's inode was not shown/)
  })
})

describe('the accept experiment, read', () => {
  it('tells one accept per wakeup, none, slow draining and the rest apart', () => {
    expect(classifyProbe(5, [5, 5, 5])).toBe('one-accept-per-wakeup')
    expect(classifyProbe(5, [6, 7, 8])).toBe('not-accepting')
    expect(classifyProbe(5, [4, 2, 0])).toBe('draining')
    expect(classifyProbe(5, [6, 5, 7])).toBe('unclear')
  })
})
