import {EPOLLET, has, isFiredOneshot, watchesInput} from '../probes/reactor/epoll-events.js'
import type {ReactorReading} from '../probes/reactor/types.js'
import type {SocketRecord} from '../probes/types.js'
import type {CauseKind} from './cause-kinds.js'
import {describeSocket, listSome} from './describe.js'
import {unknown} from './find-accept-cause.js'
import type {Cause} from './types.js'
import {describeThreads, describeWatch, holdersOf, nameProcess, otherWaitStyle, waitersOn, watchesOf} from './reactor-facts.js'

/** One socket's verdict: a cause kind and the line that shows it. */
interface SocketCause {
  kind: CauseKind
  line: string
  inferred: boolean
  /** For `unknown`: why. */
  reason?: string
}

/**
 * Why accepted sockets hold bytes (or a FIN) nobody reads, socket by socket, from the reactor
 * read at the moment they were seen: not in any interest list, a spent ONESHOT, registered
 * without EPOLLIN, no thread waiting on their epoll instance, or EPOLLET with a waiting thread.
 * Sockets with the same cause become one Cause.
 */
export function findReadCauses(sockets: SocketRecord[], reactor: ReactorReading | null, missing: string | null): Cause[] {
  if (sockets.length === 0) return []
  if (!reactor) return [unknown(missing ?? 'the server\'s reactor was not read')]
  const byKind = new Map<string, SocketCause[]>()
  for (const socket of sockets) {
    const cause = causeOf(socket, reactor)
    const key = cause.kind === 'unknown' ? `unknown:${cause.reason}` : cause.kind
    byKind.set(key, [...(byKind.get(key) ?? []), cause])
  }
  return [...byKind.values()].map((causes) => {
    const {kind, reason} = causes[0]!
    const evidence = listSome(causes.map((c) => c.line))
    const inferred = causes.some((c) => c.inferred)
    if (kind === 'unknown') return unknown(reason!, evidence)
    const summary =
      kind === 'edge-triggered-read-once'
        ? `${causes.length} socket(s) registered with EPOLLET, a thread waiting on their epoll instance, bytes still unread: likely one read() per wakeup (strace -e trace=read,recvfrom on the loop thread would confirm it)`
        : `${causes.length} socket(s): ${causes[0]!.line}${causes.length > 1 ? ', and the same for the others' : ''}`
    return {kind, summary, evidence, inferred}
  })
}

function causeOf(socket: SocketRecord, reactor: ReactorReading): SocketCause {
  const seen = describeSocket(socket)
  if (socket.inode === null || socket.inode === 0) return {kind: 'unknown', line: seen, inferred: false, reason: 'the socket\'s inode was not shown, so it cannot be matched to the server\'s epoll interest lists'}
  const holders = holdersOf(reactor, socket.inode)
  if (holders.length === 0) {
    const why = [...reactor.unseen, ...reactor.processes.flatMap((p) => p.unseen)].join('; ')
    return {kind: 'unknown', line: seen, inferred: false, reason: why ? `the server's sockets could not be read: ${why}` : 'no process read holds these sockets'}
  }
  const process = holders[0]!.process
  const fd = `fd ${holders[0]!.fd} of ${nameProcess(process)}`
  if (process.epolls.length === 0) {
    const style = otherWaitStyle(process)
    return {kind: 'unknown', line: seen, inferred: false, reason: style ? `the server does not use epoll (it waits in ${style}), whose interest set /proc does not show` : `${nameProcess(process)} has no epoll instance (its threads: ${describeThreads(process)})`}
  }
  const watches = watchesOf(reactor, socket.inode)
  if (watches.length === 0) return {kind: 'fd-not-watched', line: `${seen}: ${fd}, in none of its ${process.epolls.length} epoll instance(s)`, inferred: false}
  const armed = watches.filter((w) => !isFiredOneshot(w.watch.events))
  if (armed.length === 0) return {kind: 'oneshot-not-rearmed', line: `${seen}: ${watches.map(describeWatch).join('; ')}, fired and not re-armed`, inferred: false}
  const reading = armed.filter((w) => watchesInput(w.watch.events))
  if (reading.length === 0) return {kind: 'read-interest-missing', line: `${seen}: ${armed.map(describeWatch).join('; ')}, without EPOLLIN`, inferred: false}
  const waited = reading.filter((w) => waitersOn(w.process, w.epoll.fd).length > 0)
  if (waited.length === 0) {
    return {kind: 'loop-not-waiting', line: `${seen}: ${reading.map(describeWatch).join('; ')}; no thread waits on it (${describeThreads(process)})`, inferred: process.threads.some((t) => t.activity.kind === 'running')}
  }
  if (waited.every((w) => has(w.watch.events, EPOLLET))) {
    const threads = waitersOn(waited[0]!.process, waited[0]!.epoll.fd).map((t) => `thread ${t.tid}`).join(', ')
    return {kind: 'edge-triggered-read-once', line: `${seen}: ${describeWatch(waited[0]!)}, which ${threads} waits on`, inferred: true}
  }
  return {kind: 'unknown', line: `${seen}: ${describeWatch(waited[0]!)}`, inferred: false, reason: 'the sockets are registered level-triggered for EPOLLIN and a thread waits on them, which should read them: the reactor does not show why not'}
}
