import {describe, expect, it} from 'vitest'
import {parseSs} from '../../src/probes/ss.js'
import type {Snapshot} from '../../src/probes/types.js'
import {followCloseWait, listenerFigures, ownerAddress, splitByListener} from '../../src/watch/listener-gauges.js'
import {keepServerSide} from '../../src/watch/read-listeners.js'
import {ListenerTracker} from '../../src/watch/watch-listeners.js'
import {readFixture} from '../probes/fixtures.js'

/**
 * The captured scene (test/fixtures/ss/tanpe.{cmd,txt}, `ss -tanpe`, iproute2 6.1): four
 * listeners, found by shape since the ports differ per capture:
 *   A 127.0.0.1, queue 3 of backlog 8: 1 queued ESTAB, 2 queued CLOSE-WAIT with 114 bytes;
 *   B *, dual-stack: an accepted v4-mapped ESTAB with 5 unread bytes, an accepted [::1] CLOSE-WAIT;
 *   C [::1], queue 1: 1 queued ESTAB;  D 127.0.0.1%lo, nothing.
 */
function scene(at: number): Snapshot {
  return {at, source: 'ss', sockets: keepServerSide(parseSs(readFixture('ss/tanpe.txt')), null)}
}
const sockets = scene(0).sockets
const listenerPort = (address: string, recvQ: number) => sockets.find((s) => s.state === 'LISTEN' && s.local.address === address && s.recvQ === recvQ)!.local.port!
const A = listenerPort('127.0.0.1', 3)
const B = listenerPort('*', 0)
const C = listenerPort('::1', 1)
const D = listenerPort('127.0.0.1', 0)

describe('splitByListener on a captured ss -tanpe', () => {
  it('keeps the server side of the four listeners and gives each its own connections', () => {
    const slices = splitByListener(scene(0))
    expect([...slices.keys()].sort()).toEqual([`${A}|127.0.0.1`, `${B}|*`, `${C}|::1`, `${D}|127.0.0.1`].sort())
    const states = (key: string) => slices.get(key)!.sockets.map((s) => `${s.state} ${s.local.address}`).sort()
    expect(states(`${A}|127.0.0.1`)).toEqual(['CLOSE-WAIT 127.0.0.1', 'CLOSE-WAIT 127.0.0.1', 'ESTAB 127.0.0.1', 'LISTEN 127.0.0.1'])
    // The dual-stack wildcard takes the v4-mapped connection and the IPv6 one.
    expect(states(`${B}|*`)).toEqual(['CLOSE-WAIT ::1', 'ESTAB ::ffff:127.0.0.1', 'LISTEN *'])
    expect(states(`${C}|::1`)).toEqual(['ESTAB ::1', 'LISTEN ::1'])
    expect(states(`${D}|127.0.0.1`)).toEqual(['LISTEN 127.0.0.1'])
  })

  it('keeps client sockets out: only ports with a LISTEN row, or the ports asked for', () => {
    expect(sockets.some((s) => s.state === 'FIN-WAIT-2')).toBe(false)
    expect(new Set(keepServerSide(parseSs(readFixture('ss/tanpe.txt')), [A]).map((s) => s.local.port))).toEqual(new Set([A]))
  })
})

describe('ownerAddress', () => {
  it('the exact address first, then the wildcard of the family', () => {
    expect(ownerAddress('127.0.0.1', ['0.0.0.0', '127.0.0.1'])).toBe('127.0.0.1')
    expect(ownerAddress('10.0.0.5', ['0.0.0.0', '::'])).toBe('0.0.0.0')
    expect(ownerAddress('10.0.0.5', ['::'])).toBe('::')
    expect(ownerAddress('::ffff:10.0.0.5', ['0.0.0.0', '::'])).toBe('::')
    expect(ownerAddress('fe80::1', ['0.0.0.0'])).toBeNull()
  })
})

describe('listenerFigures', () => {
  it('listener A: the queue, the never-accepted sockets, the abandoned requests', () => {
    const slice = splitByListener(scene(0)).get(`${A}|127.0.0.1`)!
    const figures = listenerFigures({port: A, address: '127.0.0.1', snapshot: slice, closeWaitFirstSeen: followCloseWait(new Map(), slice), stuckAfterMs: 5000, process: 'x', findings: []})
    expect(figures).toEqual({
      port: A,
      address: '127.0.0.1',
      process: 'x',
      acceptQueue: 3,
      backlog: 8,
      neverAccepted: 3,
      closeWait: 2,
      stuckCloseWait: 0,
      oldestCloseWaitSeconds: 0,
      ownerlessCloseWaitUnread: 2,
      drops: null,
      findings: [],
    })
  })

  it('listener B: an accepted CLOSE-WAIT with only the FIN unread is not an abandoned request', () => {
    const slice = splitByListener(scene(0)).get(`${B}|*`)!
    const figures = listenerFigures({port: B, address: '*', snapshot: slice, closeWaitFirstSeen: new Map(), stuckAfterMs: 5000, process: '', findings: []})
    expect([figures.neverAccepted, figures.closeWait, figures.ownerlessCloseWaitUnread]).toEqual([0, 1, 0])
  })
})

describe('ListenerTracker over readings 3 s apart', () => {
  it('ages CLOSE-WAIT sockets, marks them stuck after --stuck-after, and reports finding kinds', () => {
    const tracker = new ListenerTracker(5000, 20_000)
    const processOf = (inodes: number[]) => (inodes.length > 0 ? 'scene' : '')
    // Not diagnosed before it has been followed for --stuck-after: one reading is no finding.
    expect(tracker.update(scene(1000), processOf).flatMap((f) => f.findings)).toEqual([])
    expect(tracker.update(scene(4000), processOf).flatMap((f) => f.findings)).toEqual([])
    const figures = tracker.update(scene(7000), processOf)
    expect(figures.map((f) => `${f.port}|${f.address}`)).toEqual(
      [`${A}|127.0.0.1`, `${B}|*`, `${C}|::1`, `${D}|127.0.0.1`].sort((x, y) => Number(x.split('|')[0]) - Number(y.split('|')[0]) || x.localeCompare(y)),
    )
    const a = figures.find((f) => f.port === A)!
    expect([a.closeWait, a.stuckCloseWait, a.oldestCloseWaitSeconds, a.process]).toEqual([2, 2, 6, 'scene'])
    expect(a.findings).toEqual(['accept-queue-not-drained', 'never-accepted-abandoned'])
    const b = figures.find((f) => f.port === B)!
    expect(b.findings).toEqual(['accepted-never-closed', 'data-left-unread'])
    expect(figures.find((f) => f.port === D)!.findings).toEqual([])
  })

  it('forgets a listener that is gone and a CLOSE-WAIT that was closed', () => {
    const tracker = new ListenerTracker(5000, 20_000)
    tracker.update(scene(0), () => '')
    const without = scene(10_000)
    without.sockets = without.sockets.filter((s) => s.local.port !== C && !(s.local.port === A && s.state === 'CLOSE-WAIT'))
    const figures = tracker.update(without, () => '')
    expect(figures.some((f) => f.port === C)).toBe(false)
    expect(figures.find((f) => f.port === A)!.oldestCloseWaitSeconds).toBe(0)
    // Back again later: its CLOSE-WAIT ages start over.
    const again = tracker.update(scene(12_000), () => '')
    expect(again.find((f) => f.port === A)!.oldestCloseWaitSeconds).toBe(0)
  })
})
