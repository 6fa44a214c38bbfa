import type {Snapshot, SocketRecord} from '../probes/types.js'
import {pairKey} from '../probes/socket-evidence.js'

/** One connection followed across snapshots by its address pair, while it matched a condition. */
export interface TrackedSocket {
  key: string
  /** The latest reading of it. */
  socket: SocketRecord
  firstAt: number
  lastAt: number
  /** Still there (and still matching) in the last snapshot. */
  presentAtEnd: boolean
}

/**
 * Follows the port's sockets that match `keep` (say CLOSE-WAIT) by address pair: from the first
 * snapshot where one matched to the last. Gaps are not checked: a pair that matched at both ends
 * is taken to have matched in between, which holds for CLOSE-WAIT (it never goes back).
 */
export function trackSockets(snapshots: Snapshot[], port: number, keep: (socket: SocketRecord) => boolean): TrackedSocket[] {
  const tracked = new Map<string, TrackedSocket>()
  const last = snapshots.at(-1)
  for (const snapshot of snapshots) {
    for (const socket of snapshot.sockets) {
      if (socket.local.port !== port || !keep(socket)) continue
      const key = pairKey(socket)
      const seen = tracked.get(key)
      if (seen) Object.assign(seen, {socket, lastAt: snapshot.at, presentAtEnd: snapshot === last})
      else tracked.set(key, {key, socket, firstAt: snapshot.at, lastAt: snapshot.at, presentAtEnd: snapshot === last})
    }
  }
  return [...tracked.values()]
}
