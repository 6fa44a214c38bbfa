import type {Finding} from './types.js'
import {acceptQueueAdvice} from './detect-accept-queue.js'
import {describeSocket, listSome, plural} from './describe.js'
import {acceptQueueOf, ownershipOf, portSockets, type SocketEvidence} from '../probes/socket-evidence.js'

/**
 * Never-accepted connections abandoned: CLOSE-WAIT with no owner (inode 0) in the last reading.
 * The client sent its request and gave up; the bytes plus one for the FIN sit unread. When the
 * source shows no owners (netstat -an), a CLOSE-WAIT with unread bytes on a port whose accept
 * queue is not empty is likely one of the queued connections: said as "likely".
 */
export function detectNeverAcceptedAbandoned(evidence: SocketEvidence): Finding | null {
  const last = evidence.snapshots.at(-1)
  if (!last) return null
  const closeWait = portSockets(last, evidence.port).filter((socket) => socket.state === 'CLOSE-WAIT')
  const certain = closeWait.filter((socket) => ownershipOf(socket) === 'never-accepted')
  const queue = acceptQueueOf(last, evidence.port) ?? 0
  const likely = queue > 0 ? closeWait.filter((socket) => ownershipOf(socket) === 'unknown' && socket.recvQ > 0) : []
  const sockets = certain.length > 0 ? certain : likely
  if (sockets.length === 0) return null

  const bytes = sockets.map((socket) => socket.recvQ)
  const low = Math.min(...bytes)
  const high = Math.max(...bytes)
  const amount = low === high ? `${plural(low, 'unread byte')} each` : `${low}-${high} unread bytes`
  const how = certain.length > 0 ? 'never accepted' : 'likely never accepted'
  const unknownWhy = `likely never accepted (${last.source} shows no owner; the LISTEN queue holds ${queue})`
  return {
    kind: 'never-accepted-abandoned',
    title: `${plural(sockets.length, 'CLOSE_WAIT socket')} ${how}, ${amount} (the FIN counts one)`,
    explanation:
      'Each client connected, sent its request and gave up waiting for an answer, closing its end. The server never accepted ' +
      'the connection, so nobody read the request: its bytes, plus one for the FIN, are still in the receive queue.',
    advice: acceptQueueAdvice,
    evidence: listSome(sockets.map((socket) => describeSocket(socket, certain.length > 0 ? undefined : unknownWhy))),
  }
}
