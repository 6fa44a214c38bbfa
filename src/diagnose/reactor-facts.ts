import {describeEvents} from '../probes/reactor/epoll-events.js'
import type {EpollInstance, EpollWatch, ProcessReactor, ReactorReading, ThreadReading} from '../probes/reactor/types.js'

/** Questions the cause rules ask of a reactor reading, answered from what /proc showed. */

export interface Holder {
  process: ProcessReactor
  fd: number
}

export interface PlacedWatch {
  process: ProcessReactor
  epoll: EpollInstance
  watch: EpollWatch
}

/** The processes (and fds) holding a socket inode. */
export function holdersOf(reading: ReactorReading, inode: number): Holder[] {
  return reading.processes.flatMap((process) => process.sockets.filter((s) => s.inode === inode).map((s) => ({process, fd: s.fd})))
}

/** Every interest-list entry, in any process read, that watches this inode. */
export function watchesOf(reading: ReactorReading, inode: number): PlacedWatch[] {
  return reading.processes.flatMap((process) =>
    process.epolls.flatMap((epoll) => epoll.watches.filter((watch) => watch.inode === inode).map((watch) => ({process, epoll, watch}))),
  )
}

/** Threads of the process blocked in epoll_wait/epoll_pwait/epoll_pwait2 on this epoll fd. */
export function waitersOn(process: ProcessReactor, epollFd: number): ThreadReading[] {
  return process.threads.filter((t) => t.activity.kind === 'syscall' && t.activity.family === 'epoll-wait' && t.activity.firstArg === epollFd)
}

/** "pid 4689 (reactor-server)" */
export function nameProcess(process: ProcessReactor): string {
  return `pid ${process.pid} (${process.name})`
}

/** "thread 4689 (reactor-server) in epoll_wait on fd 6" / "... running" / "... in clock_nanosleep" */
export function describeThread(thread: ThreadReading): string {
  const who = `thread ${thread.tid} (${thread.name})`
  const what = thread.activity
  if (what.kind === 'running') return `${who} running on a CPU`
  if (what.kind === 'in-kernel') return `${who} in the kernel, not in a system call (state ${thread.state})`
  if (what.kind === 'unseen') return `${who}: what it waits in could not be read (${what.reason})`
  const on = what.family === 'epoll-wait' ? ` on epoll fd ${what.firstArg}` : ''
  return `${who} in ${what.name}${on} (state ${thread.state})`
}

/** "fd 5 in epoll fd 7 as EPOLLIN|EPOLLERR|EPOLLHUP|EPOLLET (events 80000019)" */
export function describeWatch(placed: PlacedWatch): string {
  const {watch, epoll} = placed
  return `fd ${watch.tfd} in epoll fd ${epoll.fd} of ${nameProcess(placed.process)} as ${describeEvents(watch.events)} (events ${watch.events.toString(16)})`
}

/**
 * How a process without epoll instances waits, from its threads' system calls: "poll()",
 * "select()", "io_uring"; null when none of its threads is in one of those.
 */
export function otherWaitStyle(process: ProcessReactor): string | null {
  const families = new Set(process.threads.map((t) => (t.activity.kind === 'syscall' ? t.activity.family : null)))
  if (families.has('poll')) return 'poll()'
  if (families.has('select')) return 'select()'
  if (families.has('io-uring')) return 'io_uring'
  return null
}

/** Threads of a process, one line each, at most a few. */
export function describeThreads(process: ProcessReactor, limit = 6): string {
  const lines = process.threads.slice(0, limit).map(describeThread)
  if (process.threads.length > limit) lines.push(`and ${process.threads.length - limit} more threads`)
  return lines.join('; ')
}
