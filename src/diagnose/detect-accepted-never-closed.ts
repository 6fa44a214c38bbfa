import type {SocketRecord} from '../probes/types.js'
import type {Finding} from './types.js'
import {describeSocket, listSome, plural, seconds} from './describe.js'
import {ownershipOf, portSockets, type SocketEvidence} from '../probes/socket-evidence.js'
import {trackSockets} from './track-sockets.js'

const isOwnedCloseWait = (socket: SocketRecord) => socket.state === 'CLOSE-WAIT' && ownershipOf(socket) === 'accepted'

/**
 * Accepted but never closed: a CLOSE-WAIT the application owns, still there after stuckAfterMs
 * (a healthy server closes within milliseconds of read() returning 0). From a single reading
 * its age is unknown, but an owned CLOSE-WAIT is rare enough to report, saying so.
 */
export function detectAcceptedNeverClosed(evidence: SocketEvidence): Finding | null {
  const {port, snapshots} = evidence
  const last = snapshots.at(-1)
  if (!last) return null
  let lines: string[]
  if (snapshots.length === 1) {
    lines = portSockets(last, port).filter(isOwnedCloseWait).map((socket) => describeSocket(socket))
  } else {
    lines = trackSockets(snapshots, port, isOwnedCloseWait)
      .filter((tracked) => tracked.presentAtEnd && tracked.lastAt - tracked.firstAt >= evidence.stuckAfterMs)
      .map((tracked) => `${describeSocket(tracked.socket)}, for ${seconds(tracked.lastAt - tracked.firstAt)}`)
  }
  if (lines.length === 0) return null
  const caveat = snapshots.length === 1 ? ['seen in one reading: watch it (sockets --watch) to see how long they stay'] : []
  return {
    kind: 'accepted-never-closed',
    title: `${plural(lines.length, 'accepted connection')} left in CLOSE_WAIT on port ${port}`,
    explanation:
      'The peer closed its side (FIN) and the application still holds the socket open: it has not seen the end of stream, or saw it and did not close.',
    advice:
      'Possible causes, none of them seen here: no close() after read() returns 0; with EPOLLET, a read that did not drain the socket so the end of stream was never seen; ' +
      'a socket no longer watched. Run reactor-doctor where it can read the server\'s /proc to see which.',
    evidence: [...listSome(lines), ...caveat],
  }
}
