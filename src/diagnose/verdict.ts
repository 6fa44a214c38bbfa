import type {Diagnosis, Finding, Verdict} from './types.js'
import {isCannotJudge, type Detector, type DetectorResult, type Evidence} from './evidence.js'
import {detectServerExited} from './detect-server-exited.js'
import {detectLostConnections} from './detect-lost-connections.js'
import {detectLoadStalled} from './detect-load-stalled.js'
import {explainFindings, unseenServer, type ServerView} from './explain-findings.js'
import {detectAcceptQueueNotDrained} from './detect-accept-queue.js'
import {detectAcceptedNeverClosed} from './detect-accepted-never-closed.js'
import {detectDataLeftUnread} from './detect-data-left-unread.js'
import {detectListenOverflow} from './detect-listen-overflow.js'
import {detectNeverAcceptedAbandoned} from './detect-never-accepted.js'
import {acceptQueueOf, ownershipOf, portSockets, queueHidden, type SocketEvidence} from '../probes/socket-evidence.js'

/**
 * Every detector, one list, in the order their findings are shown: what ended the run, what the
 * clients saw, the server side, the stall. A new finding kind is a detector here and a row of
 * findingKindTable. Detectors of the client's view answer null outside a bench run.
 */
export const detectors: readonly Detector[] = [
  detectServerExited,
  detectLostConnections,
  detectAcceptQueueNotDrained,
  detectNeverAcceptedAbandoned,
  detectListenOverflow,
  detectAcceptedNeverClosed,
  detectDataLeftUnread,
  detectLoadStalled,
]

/**
 * The one place results become a Verdict: any finding -> findings; otherwise any reason the
 * data cannot support "healthy" -> inconclusive; otherwise healthy. Notes keep both, and say
 * what could not be judged.
 */
export function foldVerdict(
  results: DetectorResult[],
  inconclusiveReasons: string[],
  notes: string[] = [],
  explain: (findings: Finding[]) => Diagnosis[] = () => [],
): Verdict {
  const findings = results.filter((result): result is Finding => result !== null && !isCannotJudge(result))
  const notJudged = results.filter(isCannotJudge).map((result) => `not judged (${result.kind}): ${result.cannotJudge}`)
  const status = findings.length > 0 ? 'findings' : inconclusiveReasons.length > 0 ? 'inconclusive' : 'healthy'
  return {status, findings, diagnoses: findings.length > 0 ? explain(findings) : [], notes: [...inconclusiveReasons, ...notes, ...notJudged]}
}

/**
 * All detectors on one evidence object, folded with what the data lacks; the findings are
 * explained from what was seen of the server. `extra` is what a bench run adds (the load's gaps,
 * the mode's caveats).
 */
export function diagnose(evidence: Evidence, view: ServerView, extra: {gaps: string[]; caveats: string[]} = {gaps: [], caveats: []}): Verdict {
  return foldVerdict(
    detectors.map((detect) => detect(evidence)),
    [...extra.gaps, ...findSocketDataGaps(evidence)],
    [...findSocketCaveats(evidence), ...extra.caveats],
    (findings) => explainFindings(findings, evidence, view),
  )
}

/** A port's readings alone (sockets): nothing of the server is seen for a saved file. */
export function diagnoseSockets(evidence: SocketEvidence, view: ServerView = unseenServer('only the socket table was read')): Verdict {
  return diagnose(evidence, view)
}

/** Reasons a clean result would not mean healthy: no data, or no LISTEN socket to judge. */
export function findSocketDataGaps(evidence: SocketEvidence): string[] {
  const {port, snapshots} = evidence
  if (snapshots.length === 0) return ['no reading of the port was taken']
  if (snapshots.every((snapshot) => acceptQueueOf(snapshot, port) === null)) {
    const any = snapshots.some((snapshot) => portSockets(snapshot, port).length > 0)
    return [
      any
        ? `no LISTEN socket on port ${port} in the data (nothing listens, or the excerpt lacks the LISTEN row): the accept queue cannot be judged`
        : `no socket with local port ${port} in the data: nothing listens there`,
    ]
  }
  const hidden = queueHidden(snapshots.at(-1)!, port)
  return hidden === null ? [] : [hidden]
}

/** Caveats on what the source could see. */
export function findSocketCaveats(evidence: SocketEvidence): string[] {
  const last = evidence.snapshots.at(-1)
  if (!last) return []
  const unknown = portSockets(last, evidence.port).filter(
    (socket) => (socket.state === 'ESTAB' || socket.state === 'CLOSE-WAIT') && ownershipOf(socket) === 'unknown',
  )
  const noQueues = portSockets(last, evidence.port).some((socket) => socket.queuesShown === false && socket.state !== 'LISTEN')
  const unread = noQueues ? [`the source shows no Recv-Q for connections (${last.source}): unread bytes cannot be judged`] : []
  if (unknown.length === 0) return unread
  return [
    ...unread,
    `${unknown.length} ESTAB/CLOSE-WAIT socket(s) with no owner or inode shown (${last.source}): accepted or not cannot be told; ` +
      'save `ss -tanpe` or `netstat -tanpe` as root instead',
  ]
}
