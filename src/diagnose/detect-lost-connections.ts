import type {LoadResult} from '../load/types.js'
import type {Snapshot} from '../probes/types.js'
import {describeClientSocket, findServerSide} from './describe-client-socket.js'
import {listSome, plural} from './describe.js'
import {ownershipOf} from '../probes/socket-evidence.js'
import type {Finding} from './types.js'
import {acceptQueueAdvice} from './detect-accept-queue.js'

/**
 * Client connections that never received a single byte while the load ran: the server lost them.
 * Matched by the client's local port to the server-side socket in the final snapshot, which tells
 * where each one is (still in the accept queue, abandoned in CLOSE-WAIT, accepted but silent).
 */
export function detectLostConnections(load: LoadResult, finalSnapshot: Snapshot, targetPort: number, host: string): Finding | null {
  const lost = load.connections.filter((c) => c.firstByteAtMs === null && c.requestsSent > 0)
  if (lost.length === 0) return null

  const sockets = finalSnapshot.sockets
  const neverAccepted = lost.filter((c) => {
    const server = findServerSide(c, targetPort, sockets)
    return server !== undefined && ownershipOf(server) === 'never-accepted'
  }).length
  const lines = listSome(lost.map((c) => describeClientSocket(c, host, targetPort, sockets)))
  const served = load.connections.length - lost.length
  lines.unshift(
    `${lost.length} of ${load.connections.length} client connections never got a byte; ${served} ${served === 1 ? 'was' : 'were'} served` +
      `; ${load.completed} of ${load.requested ?? load.sent} requests completed (load ${load.end})`,
  )

  const explanation =
    neverAccepted > 0
      ? 'The connections completed the TCP handshake and waited in the kernel accept queue, but the server never accept()ed them.'
      : 'The connections were made but the server never sent a byte on them.'
  const advice =
    neverAccepted > 0
      ? acceptQueueAdvice
      : 'Possible causes, none of them seen here: a connection not registered with the event loop, or registered without EPOLLIN; run reactor-doctor where it can read the server\'s /proc to see which.'
  return {
    kind: 'lost-connections',
    title: `${plural(lost.length, 'connection')} lost: ${lost.length === 1 ? 'the client' : 'clients'} never got a byte`,
    explanation,
    advice,
    evidence: lines,
  }
}
