import type {SocketRecord} from '../probes/types.js'
import type {Finding} from './types.js'
import {describeSocket, listSome, plural, seconds} from './describe.js'
import {ownershipOf, portSockets, unreadAtStall, type SocketEvidence} from '../probes/socket-evidence.js'
import type {CannotJudge} from './evidence.js'
import {trackSockets} from './track-sockets.js'

const isOwnedUnread = (socket: SocketRecord) => socket.state === 'ESTAB' && socket.recvQ > 0 && ownershipOf(socket) === 'accepted'

/**
 * Data left unread: an accepted ESTAB socket whose Recv-Q stays above zero for stuckAfterMs, or
 * that held its client's unanswered request through a whole stall of the load (the reading taken
 * before the clients closed). Bytes waiting for a moment are normal, so one plain reading never fires this.
 */
export function detectDataLeftUnread(evidence: SocketEvidence): Finding | CannotJudge | null {
  const stuck =
    evidence.snapshots.length < 2
      ? []
      : trackSockets(evidence.snapshots, evidence.port, isOwnedUnread).filter(
          (tracked) => tracked.presentAtEnd && tracked.lastAt - tracked.firstAt >= evidence.stuckAfterMs,
        )
  const atStall = evidence.stalled ? unreadAtStall(evidence.stalled, evidence.port) : []
  if (stuck.length === 0 && atStall.length === 0) {
    const last = evidence.snapshots.at(-1)
    const holding = evidence.snapshots.length === 1 && !evidence.stalled && last ? portSockets(last, evidence.port).filter(isOwnedUnread) : []
    if (holding.length === 0) return null
    return {
      kind: 'data-left-unread',
      cannotJudge: `${plural(holding.length, 'accepted connection')} held unread bytes in the one reading; bytes in flight look the same once: watch the port (sockets --watch) to tell`,
    }
  }
  const stall = evidence.stalled ? seconds(evidence.stalled.stalledForMs) : ''
  const lines = [
    ...atStall.map((socket) => `${describeSocket(socket)}, its client waiting for an answer through the whole ${stall} stall`),
    ...stuck.map((tracked) => `${describeSocket(tracked.socket)}, for ${seconds(tracked.lastAt - tracked.firstAt)} after the load`),
  ]
  const count = Math.max(atStall.length, stuck.length)
  return {
    kind: 'data-left-unread',
    title: `${plural(count, 'accepted connection')} on port ${evidence.port} with request bytes nobody reads`,
    explanation: 'The application accepted these connections, but bytes stay in their receive queues: nothing reads them.',
    advice:
      'Possible causes, none of them seen here: with EPOLLET, a handler that reads once per wakeup (read until EAGAIN); a connection registered ' +
      'without EPOLLIN (after a partial write, say); an event loop blocked elsewhere. Run reactor-doctor where it can read the server\'s /proc to see which.',
    evidence: listSome(lines),
  }
}
