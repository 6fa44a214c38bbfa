import type {LoadResult} from '../load/types.js'
import type {Finding} from './types.js'

/**
 * The load stopped making progress with requests outstanding. On its own this says the server
 * hung; next to a socket finding it is a symptom, and the fold keeps it as evidence only.
 */
export function detectLoadStalled(load: LoadResult): Finding | null {
  if (load.end !== 'stalled' && load.end !== 'timeout') return null
  const waiting = load.connections.filter((c) => c.requestsSent > c.responses).length
  const how =
    load.end === 'stalled'
      ? `no response for ${load.stallMs ?? '?'} ms with ${waiting} request${waiting === 1 ? '' : 's'} outstanding`
      : `the run hit its time limit with ${waiting} request${waiting === 1 ? '' : 's'} outstanding`
  return {
    kind: 'load-stalled',
    title: `load stalled: ${load.completed} of ${load.requested ?? load.sent} requests completed`,
    explanation:
      'Requests were sent and never answered. ab in this situation waits for its 30 s timeout and prints ' +
      '"apr_pollset_poll: The timeout specified has expired"; reactor-doctor stops early to look at the sockets.',
    advice: 'Read the socket findings: they say where the unanswered requests are sitting.',
    evidence: [how, `${load.sent} requests sent over ${load.connections.length} connections in ${Math.round(load.durationMs)} ms`],
  }
}
