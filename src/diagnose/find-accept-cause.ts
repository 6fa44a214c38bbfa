import type {AcceptProbe} from '../probes/accept-experiment.js'
import {EPOLLET, has, isFiredOneshot} from '../probes/reactor/epoll-events.js'
import type {ProcessReactor, ReactorReading} from '../probes/reactor/types.js'
import type {SocketRecord} from '../probes/types.js'
import type {Cause} from './types.js'
import {describeThreads, describeWatch, holdersOf, nameProcess, otherWaitStyle, waitersOn, watchesOf} from './reactor-facts.js'

export interface AcceptCauseInput {
  /** The port's LISTEN sockets in the reading the finding came from. */
  listeners: SocketRecord[]
  /** The server's reactor read at that moment; null with `missing` saying why. */
  reactor: ReactorReading | null
  missing: string | null
  /** The accept experiment, if one ran; else `probeNote` says why not. */
  probe: AcceptProbe | null
  probeNote: string | null
}

/**
 * Why connections stay in the accept queue, from what the reactor and the experiment showed:
 * the listener in no interest list, a spent ONESHOT, no thread waiting on its epoll instance,
 * or an EPOLLET registration with a waiting thread (one accept per wakeup). Anything else, or
 * anything not seen, is `unknown` with the reason.
 */
export function findAcceptCause(input: AcceptCauseInput): Cause {
  const {reactor} = input
  if (!reactor) return unknown(input.missing ?? 'the server\'s reactor was not read')
  const inodes = input.listeners.map((l) => l.inode).filter((inode): inode is number => inode !== null && inode > 0)
  if (inodes.length === 0) return unknown('the listener\'s inode was not shown, so it cannot be found in the server\'s epoll interest lists; read the port with ss (iproute2)')
  const holders = inodes.flatMap((inode) => holdersOf(reactor, inode))
  if (holders.length === 0) return unknown(notFound(reactor, inodes))
  const processes = [...new Map(holders.map((h) => [h.process.pid, h.process])).values()]
  const listenerFds = holders.map((h) => `fd ${h.fd} of ${nameProcess(h.process)}`).join(', ')
  const withoutEpoll = processes.filter((p) => p.epolls.length === 0)
  if (withoutEpoll.length === processes.length) return noEpoll(processes)

  const watches = inodes.flatMap((inode) => watchesOf(reactor, inode))
  if (watches.length === 0) {
    const instances = processes.flatMap((p) => p.epolls.map((e) => `epoll fd ${e.fd} of ${nameProcess(p)} (${e.watches.length} watched)`))
    return {
      kind: 'listener-not-watched',
      summary: `the listener (${listenerFds}) is in none of the server's epoll interest lists: ${instances.join(', ')}`,
      evidence: [`listening socket inode ${inodes.join(', ')}: ${listenerFds}`, ...instances.map((line) => `${line}: does not watch it`)],
      inferred: false,
    }
  }
  const armed = watches.filter((placed) => !isFiredOneshot(placed.watch.events))
  if (armed.length === 0) {
    return {
      kind: 'oneshot-not-rearmed',
      summary: `the listener is registered EPOLLONESHOT and has fired without being re-armed: ${watches.map(describeWatch).join('; ')}`,
      evidence: watches.map((placed) => `${describeWatch(placed)}: only the flag bits are left, so no more events come`),
      inferred: false,
    }
  }
  const waiting = armed.map((placed) => ({placed, threads: waitersOn(placed.process, placed.epoll.fd)}))
  const served = waiting.filter((w) => w.threads.length > 0)
  if (served.length === 0) {
    const running = armed.some((placed) => placed.process.threads.some((t) => t.activity.kind === 'running'))
    return {
      kind: 'acceptor-not-waiting',
      summary:
        `the listener is registered (${armed.map(describeWatch).join('; ')}), but no thread waits on that epoll instance` +
        (running ? '; a thread was running when read, so read again (sockets --port) to confirm' : ''),
      evidence: [...armed.map(describeWatch), ...processes.map((p) => `${nameProcess(p)} threads: ${describeThreads(p)}`)],
      inferred: running,
    }
  }
  const edge = served.filter((w) => has(w.placed.watch.events, EPOLLET))
  if (edge.length === served.length) {
    const first = edge[0]!
    const facts = `${describeWatch(first.placed)}, which ${first.threads.map((t) => `thread ${t.tid}`).join(', ')} ${first.threads.length === 1 ? 'waits' : 'wait'} on`
    const probe = input.probe
    if (probe?.outcome === 'one-accept-per-wakeup') {
      return {
        kind: 'edge-triggered-accept-once',
        summary: `listener ${facts}; ${describeProbe(probe)}: one accept per wakeup`,
        evidence: [facts, describeProbe(probe)],
        inferred: false,
      }
    }
    if (!probe) {
      return {
        kind: 'edge-triggered-accept-once',
        summary: `listener ${facts}; the queue stays although the thread waits: likely one accept() per wakeup (${input.probeNote ?? 'no accept experiment ran'}; the experiment would confirm it)`,
        evidence: [facts],
        inferred: true,
      }
    }
    return unknown(`listener ${facts}, yet ${describeProbe(probe)}: not the one-accept-per-wakeup pattern`, [facts, describeProbe(probe)])
  }
  const facts = served.map((w) => describeWatch(w.placed))
  return unknown(
    `the listener is registered level-triggered and a thread waits on it (${facts.join('; ')}), which should drain the queue; ` +
      (input.probe ? describeProbe(input.probe) : 'run the accept experiment (sockets --port P --probe)'),
    facts,
  )
}

/** "3 probe connections, one at a time, left the queue at 50, 50, 50 (from 50)" */
export function describeProbe(probe: AcceptProbe): string {
  const n = probe.queueAfter.length
  const series = probe.queueAfter.join(', ')
  const early = probe.stoppedEarly ? ` (then stopped: ${probe.stoppedEarly})` : ''
  return `${n} probe connection${n === 1 ? '' : 's'}, one at a time ${probe.waitMs} ms apart, left the queue at ${series} (from ${probe.queueBefore})${early}`
}

export function unknown(reason: string, evidence: string[] = []): Cause {
  return {kind: 'unknown', summary: reason, evidence, inferred: false}
}

function noEpoll(processes: ProcessReactor[]): Cause {
  const lines = processes.map((p) => {
    const style = otherWaitStyle(p)
    return style
      ? `${nameProcess(p)} has no epoll instance; its threads wait in ${style}, whose interest set /proc does not show`
      : `${nameProcess(p)} has no epoll instance; its threads: ${describeThreads(p)}`
  })
  const style = processes.map(otherWaitStyle).find((s) => s !== null)
  const how = style ? `; \`strace -f -e trace=poll,ppoll,select,pselect6,accept,accept4 -p PID\` shows whether it still asks for the listener` : ''
  return unknown(`the server does not use epoll${style ? ` (it uses ${style})` : ''}: ${lines.join('; ')}${how}`, lines)
}

function notFound(reactor: ReactorReading, inodes: number[]): string {
  const read = reactor.processes.map(nameProcess).join(', ') || 'none'
  const unseen = reactor.unseen.length > 0 || reactor.processes.some((p) => p.unseen.length > 0)
  return unseen
    ? `the listener could not be found: ${[...reactor.unseen, ...reactor.processes.flatMap((p) => p.unseen.map((u) => `${nameProcess(p)}: ${u}`))].join('; ')}`
    : `no process read (${read}) holds the listening socket (inode ${inodes.join(', ')})`
}
