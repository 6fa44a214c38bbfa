import type {SocketRecord} from '../probes/types.js'
import type {Finding} from './types.js'
import {describeSocket, listSome, plural, seconds} from './describe.js'
import {ownershipOf, type SocketEvidence} from '../probes/socket-evidence.js'
import {trackSockets} from './track-sockets.js'

const isOwnedUnread = (socket: SocketRecord) => socket.state === 'ESTAB' && socket.recvQ > 0 && ownershipOf(socket) === 'accepted'

/**
 * Data left unread: an accepted ESTAB socket whose Recv-Q stays above zero for stuckAfterMs.
 * Bytes waiting for a moment are normal under load, so one reading never fires this.
 */
export function detectDataLeftUnread(evidence: SocketEvidence): Finding | null {
  if (evidence.snapshots.length < 2) return null
  const stuck = trackSockets(evidence.snapshots, evidence.port, isOwnedUnread).filter(
    (tracked) => tracked.presentAtEnd && tracked.lastAt - tracked.firstAt >= evidence.stuckAfterMs,
  )
  if (stuck.length === 0) return null
  return {
    kind: 'data-left-unread',
    title: `${plural(stuck.length, 'accepted connection')} on port ${evidence.port} with request bytes nobody reads`,
    explanation:
      'The application accepted these connections, but bytes stay in their receive queues: with EPOLLET, a handler that reads ' +
      'once per wakeup leaves the rest unread, and no new edge comes until the client sends more.',
    advice: 'With EPOLLET, read until read() fails with EAGAIN; or register the connection level-triggered.',
    evidence: listSome(stuck.map((tracked) => `${describeSocket(tracked.socket)}, for ${seconds(tracked.lastAt - tracked.firstAt)}`)),
  }
}
