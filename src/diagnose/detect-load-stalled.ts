import type {LoadResult} from '../load/types.js'
import type {StalledReading} from '../probes/socket-evidence.js'
import {findServerSide} from './describe-client-socket.js'
import {describeSocket, listSome, plural} from './describe.js'
import type {Evidence} from './evidence.js'
import type {Finding} from './types.js'

/**
 * The load stopped making progress with requests outstanding. On its own this says the server
 * hung; next to a socket finding it is a symptom, and the fold keeps it as evidence only.
 */
export function detectLoadStalled(evidence: Evidence): Finding | null {
  if (!evidence.bench) return null
  const {load, target} = evidence.bench
  const {stalled} = evidence
  const {port, host} = target
  if (load.end !== 'stalled' && load.end !== 'timeout') return null
  const waiting = load.connections.filter((c) => c.requestsSent > c.responses).length
  // A client still in connect() (its SYN dropped by a full listener) has no request out yet.
  const connecting = load.connections.filter((c) => !c.connected && c.error === null).length
  const pending = `${plural(waiting, 'request')} outstanding${connecting > 0 ? `, ${plural(connecting, 'connection')} still connecting` : ''}`
  const how = load.end === 'stalled' ? `no response for ${load.stallMs ?? '?'} ms with ${pending}` : `the run hit its time limit with ${pending}`
  return {
    kind: 'load-stalled',
    title: `load stalled: ${load.completed} of ${load.requested ?? load.sent} requests completed`,
    explanation:
      'Requests were sent and never answered. ab in this situation waits for its 30 s timeout and prints ' +
      '"apr_pollset_poll: The timeout specified has expired"; reactor-doctor stops early to look at the sockets.',
    advice: 'Read the socket findings: they say where the unanswered requests are sitting.',
    evidence: [how, `${load.sent} requests sent over ${load.connections.length} connections in ${Math.round(load.durationMs)} ms`, ...placeUnanswered(load, stalled, port, host)],
  }
}

/** Where each unanswered request sat while the load was stalled, from the reading taken then. */
function placeUnanswered(load: LoadResult, stalled: StalledReading | undefined, port: number | undefined, host: string): string[] {
  if (!stalled || port === undefined) return []
  const waiting = load.connections.filter((c) => c.requestsSent > c.responses)
  if (waiting.length === 0) return []
  const lines = waiting.map((c) => {
    const unanswered = `${plural(c.requestsSent - c.responses, 'request')} unanswered`
    if (!c.connected) return `${host}:${c.localPort ?? '?'}: never connected${c.error ? ` (${c.error})` : ''}`
    const server = findServerSide(c, port, stalled.snapshot.sockets)
    return server ? `${describeSocket(server)}; ${unanswered}` : `${host}:${c.localPort ?? '?'}: no server-side socket (the server closed it); ${unanswered}`
  })
  return [`while stalled, before the clients closed (${stalled.snapshot.source}):`, ...listSome(lines)]
}
