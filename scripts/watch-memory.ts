// Memory a long `sockets --watch` holds (not a test): run with `npx tsx --expose-gc scripts/watch-memory.ts [readings] [connections]`.
// Readings of a port with that many accepted keep-alive connections (each a fresh record, as each
// reading parses afresh) go through WatchHistory, against keeping every reading whole.
import type {Snapshot, SocketRecord} from '../src/probes/types.js'
import {WatchHistory} from '../src/watch/watch-history.js'

const readings = Number(process.argv[2] ?? 3600)
const connections = Number(process.argv[3] ?? 1000)
const port = 443

function reading(at: number): Snapshot {
  const listener: SocketRecord = {state: 'LISTEN', recvQ: 0, sendQ: 511, local: {address: '0.0.0.0', port}, peer: {address: '0.0.0.0', port: null}, owners: null, inode: 1}
  const sockets = [listener]
  for (let i = 0; i < connections; i++) {
    sockets.push({state: 'ESTAB', recvQ: 0, sendQ: 0, local: {address: '10.0.0.1', port}, peer: {address: `10.0.${i >> 8}.${i & 255}`, port: 40_000 + i}, owners: null, inode: 1000 + i})
  }
  return {at, source: 'ss', sockets}
}

function heapMb(): number {
  globalThis.gc?.()
  return process.memoryUsage().heapUsed / 1024 / 1024
}

if (!globalThis.gc) console.error('run with --expose-gc for exact figures')
const before = heapMb()
const history = new WatchHistory(port)
for (let i = 0; i < readings; i++) history.add(reading(i * 1000))
const withHistory = heapMb() - before
const whole: Snapshot[] = []
for (let i = 0; i < readings; i++) whole.push(reading(i * 1000))
const withWhole = heapMb() - before - withHistory
console.log(`${readings} readings of a port with ${connections} connections:`)
console.log(`  WatchHistory (what sockets --watch keeps): ${withHistory.toFixed(1)} MB`)
console.log(`  every reading whole:                       ${withWhole.toFixed(1)} MB`)
console.log(`  kept ${history.snapshots.reduce((sum, snapshot) => sum + snapshot.sockets.length, 0)} of ${whole.reduce((sum, snapshot) => sum + snapshot.sockets.length, 0)} socket records`)
