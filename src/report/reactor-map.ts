import {describeEvents} from '../probes/reactor/epoll-events.js'
import type {EpollInstance, ProcessReactor, ReactorReading} from '../probes/reactor/types.js'
import {describeThread, waitersOn} from '../diagnose/reactor-facts.js'

/**
 * The server's reactor map in lines: per process, its threads and what each waits in, then each
 * epoll instance with who waits on it and what it watches (the port's listener with its flags,
 * its connections counted by flags, other files), then the port's sockets no instance watches,
 * then what could not be read.
 */
export function renderReactorMap(reading: ReactorReading, inodes: {listeners: number[]; connections: number[]}, port: number): string[] {
  const listeners = new Set(inodes.listeners)
  const connections = new Set(inodes.connections)
  const lines: string[] = []
  for (const process of reading.processes) {
    const held = process.sockets.filter((s) => listeners.has(s.inode) || connections.has(s.inode))
    lines.push(`pid ${process.pid} (${process.name}): ${count(process.threads.length, 'thread')}, ${count(process.epolls.length, 'epoll instance')}, ${count(held.length, `socket`)} of port ${port}`)
    for (const line of describeThreadsGrouped(process)) lines.push(`  ${line}`)
    for (const epoll of process.epolls) lines.push(`  ${describeInstance(process, epoll, listeners, connections)}`)
    const watched = new Set(process.epolls.flatMap((e) => e.watches.map((w) => w.inode)))
    const unwatched = held.filter((s) => !watched.has(s.inode) && !reading.processes.some((p) => p.epolls.some((e) => e.watches.some((w) => w.inode === s.inode))))
    if (unwatched.length > 0 && process.epolls.length > 0) {
      const names = unwatched.map((s) => `${listeners.has(s.inode) ? 'listener ' : ''}fd ${s.fd}`)
      lines.push(`  in no epoll interest list: ${names.slice(0, 12).join(', ')}${names.length > 12 ? `, and ${names.length - 12} more` : ''}`)
    }
    for (const unseen of process.unseen) lines.push(`  not seen: ${unseen}`)
  }
  for (const unseen of reading.unseen) lines.push(`not seen: ${unseen}`)
  if (reading.processes.length === 0 && reading.unseen.length === 0) lines.push(`no process holding a socket of port ${port} was found`)
  return lines
}

function describeInstance(process: ProcessReactor, epoll: EpollInstance, listeners: Set<number>, connections: Set<number>): string {
  const waiters = waitersOn(process, epoll.fd)
  const who = waiters.length === 0 ? 'no thread waits on it' : `waited on by ${waiters.map((t) => `thread ${t.tid}`).join(', ')}`
  const parts: string[] = []
  for (const watch of epoll.watches.filter((w) => listeners.has(w.inode))) parts.push(`listener fd ${watch.tfd} as ${describeEvents(watch.events)}`)
  const byMask = (test: (inode: number) => boolean, what: string) => {
    const masks = new Map<number, number>()
    for (const watch of epoll.watches.filter((w) => test(w.inode))) masks.set(watch.events, (masks.get(watch.events) ?? 0) + 1)
    for (const [events, n] of masks) parts.push(`${count(n, what)} as ${describeEvents(events)}`)
  }
  byMask((inode) => connections.has(inode), 'connection')
  byMask((inode) => !listeners.has(inode) && !connections.has(inode), 'other file')
  return `epoll fd ${epoll.fd}, ${who}: ${parts.length === 0 ? 'watches nothing' : parts.join('; ')}`
}

function count(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`
}

/**
 * Threads waiting on an epoll instance one per line (they are the reactor); the others grouped
 * by what they do ("9 threads (node) in futex"), since a runtime may have dozens.
 */
function describeThreadsGrouped(process: ProcessReactor): string[] {
  const lines: string[] = []
  const groups = new Map<string, number[]>()
  for (const thread of process.threads) {
    if (thread.activity.kind === 'syscall' && thread.activity.family === 'epoll-wait') {
      lines.push(describeThread(thread))
      continue
    }
    const what = describeThread(thread).replace(`thread ${thread.tid} `, '')
    groups.set(what, [...(groups.get(what) ?? []), thread.tid])
  }
  for (const [what, tids] of groups) lines.push(tids.length === 1 ? `thread ${tids[0]} ${what}` : `${tids.length} threads ${what} (${tids.join(', ')})`)
  return lines
}
