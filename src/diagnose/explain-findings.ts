import type {AcceptProbe} from '../probes/accept-experiment.js'
import type {ReactorReading} from '../probes/reactor/types.js'
import {listenersOf, ownershipOf, portSockets, unreadAtStall, type SocketEvidence} from '../probes/socket-evidence.js'
import type {SocketRecord} from '../probes/types.js'
import {causeKindTable} from './cause-kinds.js'
import {findAcceptCause, unknown} from './find-accept-cause.js'
import {findReadCauses} from './find-read-cause.js'
import type {Cause, Diagnosis, Finding, FindingKind} from './types.js'

/** What was seen of the server itself, beside its sockets. */
export interface ServerView {
  /** The server's reactor at the stall (clients still connected) and at the end. */
  reactorAtStall: ReactorReading | null
  reactorAtEnd: ReactorReading | null
  /** Why the reactor was not read (a saved file, another host, ...); null when it was. */
  missing: string | null
  probe: AcceptProbe | null
  /** Why no accept experiment ran (--no-probe, an empty queue, ...). */
  probeNote: string | null
}

/** A view of a server that could not be looked at, and why. */
export function unseenServer(reason: string): ServerView {
  return {reactorAtStall: null, reactorAtEnd: null, missing: reason, probe: null, probeNote: null}
}

/** What the accept side explains: connections the server did not take from its queue. */
const acceptSymptoms: ReadonlySet<FindingKind> = new Set(['accept-queue-not-drained', 'never-accepted-abandoned', 'lost-connections', 'listen-overflow'])

/**
 * One diagnosis per root cause: the accept-side symptoms share the listener's cause, the
 * read-side ones get theirs socket by socket; a stall joins the cause of where its requests
 * sit. Each finding gets its diagnosis's cause. Mutates the findings' `cause`.
 */
export function explainFindings(findings: Finding[], evidence: SocketEvidence, view: ServerView): Diagnosis[] {
  const kinds = new Set(findings.map((f) => f.kind))
  const groups: Array<{cause: Cause; symptoms: FindingKind[]}> = []
  const add = (cause: Cause, symptom: FindingKind) => {
    const same = groups.find((g) => sameCause(g.cause, cause))
    if (same) {
      if (!same.symptoms.includes(symptom)) same.symptoms.push(symptom)
      same.cause.evidence.push(...cause.evidence.filter((line) => !same.cause.evidence.includes(line)))
    } else groups.push({cause, symptoms: [symptom]})
  }

  if (kinds.has('server-exited')) add({kind: 'server-exited', summary: 'the server process exited before it was stopped', evidence: [], inferred: false}, 'server-exited')
  const last = evidence.snapshots.at(-1)
  const queueStuck = kinds.has('accept-queue-not-drained') || kinds.has('never-accepted-abandoned')
  if (queueStuck && last) {
    const cause = findAcceptCause({listeners: listenersOf(last, evidence.port), reactor: view.reactorAtEnd, missing: view.missing, probe: view.probe, probeNote: view.probeNote})
    for (const kind of [...acceptSymptoms].filter((k) => kinds.has(k))) add(cause, kind)
  } else if (kinds.has('listen-overflow')) {
    add({kind: 'backlog-too-small', summary: 'the queue reached its limit and did not stay stuck afterwards', evidence: [], inferred: true}, 'listen-overflow')
  }

  const read: Array<{symptom: FindingKind; sockets: SocketRecord[]; reactor: ReactorReading | null}> = []
  if (evidence.stalled) read.push({symptom: 'data-left-unread', sockets: unreadAtStall(evidence.stalled, evidence.port), reactor: view.reactorAtStall})
  if (last && kinds.has('data-left-unread')) read.push({symptom: 'data-left-unread', sockets: ownedWhere(last, evidence.port, (s) => s.state === 'ESTAB' && s.recvQ > 0), reactor: view.reactorAtEnd})
  if (last && kinds.has('accepted-never-closed')) read.push({symptom: 'accepted-never-closed', sockets: ownedWhere(last, evidence.port, (s) => s.state === 'CLOSE-WAIT'), reactor: view.reactorAtEnd})
  for (const {symptom, sockets, reactor} of read) {
    if (!kinds.has(symptom)) continue
    for (const cause of findReadCauses(sockets, reactor, view.missing)) add(cause, symptom)
  }

  // A lost connection or a stall with no cause of its own joins the first one found.
  for (const kind of ['lost-connections', 'load-stalled'] as const) {
    if (!kinds.has(kind) || groups.some((g) => g.symptoms.includes(kind))) continue
    if (groups.length > 0 && groups[0]!.cause.kind !== 'server-exited') groups[0]!.symptoms.push(kind)
    else add(unknown(view.missing ?? 'the sockets show no request left unread and no connection left unaccepted: the server read the requests and did not answer them (an application-level hang; a stack dump of the server, e.g. `gdb -p PID -batch -ex "thread apply all bt"`, shows where it waits)'), kind)
  }
  const diagnoses = groups.map((group) => toDiagnosis(group.cause, group.symptoms, findings))
  for (const finding of findings) finding.cause = diagnoses.find((d) => d.symptoms.includes(finding.kind))?.cause
  return diagnoses
}

function toDiagnosis(cause: Cause, symptoms: FindingKind[], findings: Finding[]): Diagnosis {
  const row = causeKindTable[cause.kind]
  const first = findings.find((f) => f.kind === symptoms[0])
  if (cause.kind === 'unknown' && first) return {cause, symptoms, title: `${first.title} (cause not seen)`, explanation: first.explanation, advice: first.advice}
  return {cause, symptoms, title: row.title, explanation: row.explanation, advice: row.advice}
}

/** Blocked loop threads: the listener's and its connections' are one root cause, not two. */
const oneLoopBlocked = new Set(['acceptor-not-waiting', 'loop-not-waiting'])

function sameCause(a: Cause, b: Cause): boolean {
  if (oneLoopBlocked.has(a.kind) && oneLoopBlocked.has(b.kind)) return true
  return a.kind === b.kind && (a.kind !== 'unknown' || a.summary === b.summary)
}

function ownedWhere(snapshot: SocketEvidence['snapshots'][number], port: number, test: (s: SocketRecord) => boolean): SocketRecord[] {
  return portSockets(snapshot, port).filter((s) => test(s) && ownershipOf(s) === 'accepted')
}
