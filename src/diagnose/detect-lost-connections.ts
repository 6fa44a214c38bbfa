import type {LoadResult} from '../load/types.js'
import {isLostConnection} from '../load/connection-record.js'
import type {ServerStats} from '../targets/reference-server.js'
import {describeClientSocket, findServerSide} from './describe-client-socket.js'
import {listSome, plural} from './describe.js'
import {ownershipOf} from '../probes/socket-evidence.js'
import type {Evidence} from './evidence.js'
import type {Finding} from './types.js'
import {acceptQueueAdvice} from './detect-accept-queue.js'

/**
 * Client connections that never received a single byte while the load ran: the server lost them.
 * Matched by the client's local port to the server-side socket in the final snapshot, which tells
 * where each one is (still in the accept queue, abandoned in CLOSE-WAIT, accepted but silent).
 */
export function detectLostConnections(evidence: Evidence): Finding | null {
  const finalSnapshot = evidence.snapshots.at(-1)
  if (!evidence.bench || !finalSnapshot) return null
  const {load, target, serverStats} = evidence.bench
  const {port: targetPort, host} = target
  const lost = load.connections.filter(isLostConnection)
  if (lost.length === 0) return null

  const sockets = finalSnapshot.sockets
  const neverAccepted = lost.filter((c) => {
    const server = findServerSide(c, targetPort, sockets)
    return server !== undefined && ownershipOf(server) === 'never-accepted'
  }).length
  const lines = listSome(lost.map((c) => describeClientSocket(c, host, targetPort, sockets)))
  const served = load.connections.filter((c) => c.bytesReceived > 0).length
  if (serverStats) lines.push(describeServerCounters(load, serverStats))
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

/** The reference server's own view: how many it accepted, how often the listener woke it. */
function describeServerCounters(load: LoadResult, stats: ServerStats): string {
  const connected = load.connections.filter((c) => c.connected).length
  return (
    `the server's own counters: accepted ${stats.accepted} of ${connected} connected clients; ` +
    `listener reported ready ${stats.listenWakeups} times; accept() hit EAGAIN ${stats.acceptEagain} times`
  )
}
