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
  const listening = acceptQueueOf(last, evidence.port)
  const queue = listening ?? 0
  // Without a LISTEN row (a state filter, an excerpt), a CLOSE-WAIT holding more than its FIN never
  // had its request read, nor the FIN: stuck whatever the listener shows.
  const unread = (socket: (typeof closeWait)[number]) => socket.queuesShown !== false && (queue > 0 ? socket.recvQ > 0 : listening === null && socket.recvQ > 1)
  const likely = closeWait.filter((socket) => ownershipOf(socket) === 'unknown' && unread(socket))
  const sockets = certain.length > 0 ? certain : likely
  if (sockets.length === 0) return null

  const bytes = sockets.map((socket) => socket.recvQ)
  const low = Math.min(...bytes)
  const high = Math.max(...bytes)
  const shown = sockets.every((socket) => socket.queuesShown !== false)
  const amount = !shown ? 'unread bytes not shown' : low === high ? `${plural(low, 'unread byte')} each` : `${low}-${high} unread bytes`
  const how = certain.length > 0 ? 'never accepted' : 'likely never accepted'
  const unknownWhy =
    listening === null
      ? `likely never accepted: neither the request nor the FIN was read (${last.source} shows no owner and no LISTEN row)`
      : `likely never accepted (${last.source} shows no owner; the LISTEN queue holds ${queue})`
  return {
    kind: 'never-accepted-abandoned',
    title: `${plural(sockets.length, 'CLOSE_WAIT socket')} ${how}, ${amount}${shown ? ' (the FIN counts one)' : ''}`,
    explanation:
      'Each client connected, sent its request and gave up waiting for an answer, closing its end. The server never accepted ' +
      'the connection, so nobody read the request: its bytes, plus one for the FIN, are still in the receive queue.',
    advice: acceptQueueAdvice,
    evidence: listSome(sockets.map((socket) => describeSocket(socket, certain.length > 0 ? undefined : unknownWhy))),
  }
}
