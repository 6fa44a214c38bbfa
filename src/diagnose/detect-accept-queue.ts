import {formatEndpoint} from '../probes/address.js'
import type {Finding} from './types.js'
import {describeSocket, listSome, plural, seconds} from './describe.js'
import {acceptQueueOf, backlogOf, listenersOf, ownershipOf, portSockets, settledSnapshots, type SocketEvidence} from '../probes/socket-evidence.js'

export const acceptQueueExplanation =
  'The kernel completed these handshakes, but the application has not called accept() for them: ' +
  'it is not being told of them (the listener is not watched, or its wakeup was spent), or it is not listening for them.'

/** Where the server could not be looked at: the possibilities, said as such. */
export const acceptQueueAdvice =
  'Possible causes, none of them seen here: an EPOLLET listener with one accept() per wakeup (accept until EAGAIN), ' +
  'a listener removed from epoll or a spent EPOLLONESHOT (re-arm it), an acceptor thread blocked elsewhere. ' +
  'Where reactor-doctor can read the server\'s /proc (on its host, as root or its user: sockets --port P --probe), it says which.'

/**
 * Accept queue not drained: LISTEN Recv-Q > 0 in every reading since the load ended, for at least
 * stuckAfterMs (a busy server drains within milliseconds once the load stops). A single reading
 * can only show the queue at one moment; the evidence says so.
 */
export function detectAcceptQueueNotDrained(evidence: SocketEvidence): Finding | null {
  const {port} = evidence
  const window = settledSnapshots(evidence).filter((snapshot) => acceptQueueOf(snapshot, port) !== null)
  const last = window.at(-1)
  if (!last) return null
  const queues = window.map((snapshot) => acceptQueueOf(snapshot, port)!)
  const spanMs = last.at - window[0]!.at
  if (Math.min(...queues) === 0 || (window.length > 1 && spanMs < evidence.stuckAfterMs)) return null

  const queued = queues.at(-1)!
  const backlog = backlogOf(last, port)
  const lines = listenersOf(last, port).map((listener) => {
    const limit = backlog === null ? `backlog not shown by ${last.source}` : `backlog ${listener.sendQ}`
    if (listener.queuesShown === false) return `LISTEN ${formatEndpoint(listener.local)}: no Recv-Q shown; ${plural(queued, 'ownerless connection')} of the port listed (${limit})`
    return `LISTEN ${formatEndpoint(listener.local)}: ${plural(listener.recvQ, 'connection')} in the accept queue (${limit})`
  })
  if (window.length === 1) lines.push('seen in one reading: watch it (sockets --watch) to see whether it drains')
  else {
    const low = Math.min(...queues)
    const high = Math.max(...queues)
    const range = low === high ? `at ${low}` : `between ${low} and ${high}`
    lines.push(`the queue stayed ${range} for ${seconds(spanMs)}${evidence.loadEndedAt === undefined ? '' : ' after the load ended'}`)
  }
  // Queued connections whose client still waits; abandoned ones (CLOSE-WAIT) have their own finding.
  const waiting = portSockets(last, port).filter((socket) => socket.state === 'ESTAB' && ownershipOf(socket) === 'never-accepted')
  lines.push(...listSome(waiting.map((socket) => describeSocket(socket))))
  return {
    kind: 'accept-queue-not-drained',
    title: `Accept queue not drained: ${plural(queued, 'connection')} waiting in port ${port}'s accept queue`,
    explanation: acceptQueueExplanation,
    advice: acceptQueueAdvice,
    evidence: lines,
  }
}
