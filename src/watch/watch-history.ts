import {ownershipOf} from '../probes/socket-evidence.js'
import type {Snapshot, SocketRecord} from '../probes/types.js'
import {sampleOf, type WatchSample} from './watch-summary.js'

/**
 * What a --watch keeps of its readings. A port with a thousand keep-alive connections read every
 * second for an hour would hold millions of socket records. So each sample's line is taken as its
 * reading arrives, and only the first and the latest readings stay whole; the ones between keep
 * the rows the diagnosis follows over time (keepForHistory).
 */
export class WatchHistory {
  readonly samples: WatchSample[] = []
  readonly snapshots: Snapshot[] = []

  constructor(readonly port: number) {}

  /** Adds a reading; returns its line (counts, and sockets new and gone since the last one). */
  add(snapshot: Snapshot): WatchSample {
    const previous = this.snapshots.at(-1)
    const sample = sampleOf(snapshot, previous, this.port, this.snapshots[0]?.at ?? snapshot.at)
    // The latest reading stayed whole to tell what is new in this one; now it can be thinned.
    if (previous !== undefined && this.snapshots.length > 1) this.snapshots[this.snapshots.length - 1] = keepForHistory(previous, this.port)
    this.snapshots.push(snapshot)
    this.samples.push(sample)
    return sample
  }
}

/**
 * The rows of a reading that the diagnosis and the summary follow over time: the port's LISTEN
 * rows (queue, backlog, drops), connections still in the accept queue (never more than the
 * backlog), CLOSE-WAIT sockets, and any socket with unread bytes. An accepted connection with an
 * empty receive queue only counts in its sample's line. A reading with no LISTEN row for the
 * port stays whole: with no listener anywhere, the report says whether the port had any socket.
 */
export function keepForHistory(snapshot: Snapshot, port: number): Snapshot {
  const ofPort = (socket: SocketRecord) => socket.local.port === port
  if (!snapshot.sockets.some((socket) => ofPort(socket) && socket.state === 'LISTEN')) return snapshot
  const followed = (socket: SocketRecord) =>
    socket.state === 'LISTEN' || socket.state === 'CLOSE-WAIT' || socket.recvQ > 0 || ownershipOf(socket) === 'never-accepted'
  return {...snapshot, sockets: snapshot.sockets.filter((socket) => ofPort(socket) && followed(socket))}
}
