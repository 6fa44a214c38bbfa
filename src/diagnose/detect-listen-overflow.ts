import {formatEndpoint} from '../probes/address.js'
import type {Finding} from './types.js'
import type {CannotJudge} from './evidence.js'
import {plural} from './describe.js'
import {listenersOf, type SocketEvidence} from '../probes/socket-evidence.js'

/**
 * Listen queue overflow, only from evidence about this port's listener: its queue at backlog+1
 * (the kernel's "full": ss only, the others do not show the backlog) or its drops (ss -m skmem d)
 * non-zero. TcpExt ListenOverflows/ListenDrops count the whole network namespace, so another
 * program's listener moves them: they are one context line on a finding, never a finding alone.
 */
export function detectListenOverflow(evidence: SocketEvidence): Finding | CannotJudge | null {
  const {port, snapshots} = evidence
  const lines: string[] = []
  const full = new Map<string, number>()
  for (const snapshot of snapshots) {
    if (snapshot.source !== 'ss') continue
    for (const listener of listenersOf(snapshot, port)) {
      if (listener.sendQ > 0 && listener.recvQ > listener.sendQ) full.set(formatEndpoint(listener.local), listener.sendQ)
    }
  }
  for (const [address, backlog] of full) lines.push(`LISTEN ${address}: queue reached ${backlog + 1}, backlog ${backlog} + 1: full`)

  const first = snapshots[0]
  const last = snapshots.at(-1)
  for (const listener of last ? listenersOf(last, port) : []) {
    if (listener.drops === undefined || listener.drops === 0) continue
    const before = first ? listenersOf(first, port).find((socket) => formatEndpoint(socket.local) === formatEndpoint(listener.local))?.drops : undefined
    const rose = before !== undefined && snapshots.length > 1 ? `, +${listener.drops - before} while watched` : ''
    lines.push(`LISTEN ${formatEndpoint(listener.local)}: ${plural(listener.drops, 'drop')} (ss -m skmem d)${rose}`)
  }

  if (lines.length === 0) {
    // Without ss there is no backlog to compare the queue with (and no per-socket drops).
    const listening = last !== undefined && listenersOf(last, port).length > 0
    if (listening && !snapshots.some((snapshot) => snapshot.source === 'ss')) {
      return {kind: 'listen-overflow', cannotJudge: `${last.source} shows no backlog limit, so a full accept queue cannot be told from a long one: read the port with ss (iproute2)`}
    }
    return null
  }
  const {countersBefore: before, countersAfter: after} = evidence
  if (before && after) {
    const overflows = after.listenOverflows - before.listenOverflows
    const drops = after.listenDrops - before.listenDrops
    if (overflows > 0 || drops > 0) {
      lines.push(`TcpExt ListenOverflows +${overflows}, ListenDrops +${drops} meanwhile (the whole network namespace: other ports count too)`)
    }
  }
  return {
    kind: 'listen-overflow',
    title: `Listen queue overflowed on port ${port}`,
    explanation:
      'The accept queue reached its limit (backlog + 1), so the kernel dropped further completed handshakes; those clients ' +
      'retransmit after 1 s, 3 s, 7 s, which shows as latency spikes or failed connections.',
    advice: 'Accept faster (in a loop until EAGAIN) and raise the listen() backlog together with net.core.somaxconn.',
    evidence: lines,
  }
}
