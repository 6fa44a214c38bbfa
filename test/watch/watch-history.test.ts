import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {diagnoseSockets} from '../../src/diagnose/verdict.js'
import type {SocketRecord, TcpState} from '../../src/probes/types.js'
import {keepForHistory, WatchHistory} from '../../src/watch/watch-history.js'
import {sampleOf, summarizeWatch} from '../../src/watch/watch-summary.js'
import {conn, listener, snap} from '../diagnose/build-snapshots.js'

const states: TcpState[] = ['LISTEN', 'ESTAB', 'CLOSE-WAIT', 'TIME-WAIT', 'FIN-WAIT-2']
// Few peers and two ports, so that sockets recur across readings and other ports are mixed in.
const socket: fc.Arbitrary<SocketRecord> = fc
  .record({
    state: fc.constantFrom(...states),
    localPort: fc.constantFrom(80, 80, 80, 81),
    peerPort: fc.integer({min: 5000, max: 5006}),
    recvQ: fc.oneof(fc.constant(0), fc.constant(0), fc.nat(300)),
    inode: fc.constantFrom(0, 7, null),
  })
  .map((g) => (g.state === 'LISTEN' ? listener(g.localPort, g.recvQ % 10, 8) : conn(g.localPort, g.peerPort, g.state, g.recvQ, g.inode)))
const readings = fc.array(fc.array(socket, {maxLength: 10}), {minLength: 1, maxLength: 10}).map((list) => list.map((sockets, i) => snap(i * 1500, sockets)))

describe('WatchHistory', () => {
  it('keeps whole only the first and the latest readings, thins the ones between', () => {
    const history = new WatchHistory(80)
    const full = [0, 1000, 2000, 3000].map((at) => snap(at, [listener(80, 1, 8), conn(80, 5000, 'ESTAB', 0, 7), conn(80, 5001, 'ESTAB', 5, 7), conn(80, 5002, 'CLOSE-WAIT', 1, 0)]))
    for (const reading of full) history.add(reading)
    expect(history.snapshots.map((reading) => reading.sockets.length)).toEqual([4, 3, 3, 4])
    expect(keepForHistory(full[1]!, 80).sockets.map((s) => `${s.state} ${s.peer.port}`)).toEqual(['LISTEN null', 'ESTAB 5001', 'CLOSE-WAIT 5002'])
  })

  it('gives the same lines, summary and verdict as every whole reading would', () => {
    fc.assert(
      fc.property(readings, (full) => {
        const history = new WatchHistory(80)
        for (const reading of full) history.add(reading)
        expect(history.samples).toEqual(full.map((reading, i) => sampleOf(reading, full[i - 1], 80, 0)))
        expect(summarizeWatch(history, 1500, 3000)).toEqual(summarizeWatch({port: 80, snapshots: full, samples: history.samples}, 1500, 3000))
        expect(diagnoseSockets({port: 80, snapshots: history.snapshots, stuckAfterMs: 3000})).toEqual(diagnoseSockets({port: 80, snapshots: full, stuckAfterMs: 3000}))
      }),
      {numRuns: 500},
    )
  })
})
