import type {Snapshot, SocketRecord, SourceName} from '../../src/probes/types.js'
import {WatchHistory} from '../../src/watch/watch-history.js'

/** Terse socket rows for detector tests: ss-like records on 127.0.0.1:port. */
export function listener(port: number, queue: number, backlog = 128): SocketRecord {
  return {state: 'LISTEN', recvQ: queue, sendQ: backlog, local: {address: '127.0.0.1', port}, peer: {address: '0.0.0.0', port: null}, owners: [{name: 'srv', pid: 10, fd: 3}], inode: 100}
}

export function conn(port: number, peerPort: number, state: SocketRecord['state'], recvQ: number, inode: number | null): SocketRecord {
  const owners = inode === null ? null : inode === 0 ? [] : [{name: 'srv', pid: 10, fd: 7}]
  return {state, recvQ, sendQ: 0, local: {address: '127.0.0.1', port}, peer: {address: '127.0.0.1', port: peerPort}, owners, inode}
}

export function snap(at: number, sockets: SocketRecord[], source: SourceName = 'ss'): Snapshot {
  return {at, source, sockets}
}

/** A --watch's history of these readings, as the command builds it one reading at a time. */
export function historyOf(port: number, snapshots: Snapshot[]): WatchHistory {
  const history = new WatchHistory(port)
  for (const snapshot of snapshots) history.add(snapshot)
  return history
}
