import {readlinkSync} from 'node:fs'
import {readdir, readFile} from 'node:fs/promises'
import {machine} from 'node:os'
import {classifyFdLink, parseEpollFdinfo} from './parse-fdinfo.js'
import {parseTaskStat, parseTaskSyscall} from './parse-task.js'
import type {EpollInstance, ProcessReactor, ReactorReading, SocketFd, ThreadReading} from './types.js'

export interface ReactorOptions {
  /** Processes to read; their descendants are read too (forked workers, a wrapper's server). */
  pids: number[]
  /** Keep only processes holding one of these socket inodes (the port's); all when empty. */
  inodes?: ReadonlySet<number>
  /** /proc, or a copy of one (tests). */
  procRoot?: string
}

const howToSee = 'run reactor-doctor as root or as the user the server runs as'

/**
 * Reads each process's reactor from /proc without attaching to it: its socket fds, the interest
 * list of each epoll fd, and what each thread waits in. What cannot be read is said, never filled.
 */
export async function readReactor(options: ReactorOptions): Promise<ReactorReading> {
  const at = Date.now()
  const proc = options.procRoot ?? '/proc'
  const arch = machine()
  const unseen: string[] = []
  const pids = await withDescendants(proc, options.pids)
  const read = await Promise.all(pids.map((pid) => readProcess(proc, pid, arch)))
  const processes: ProcessReactor[] = []
  for (const [index, result] of read.entries()) {
    if (typeof result === 'string') unseen.push(`pid ${pids[index]}: ${result}`)
    else if (!options.inodes?.size || result.unseen.length > 0 || result.sockets.some((s) => options.inodes!.has(s.inode))) processes.push(result)
  }
  return {at, arch, processes, unseen}
}

/** The pids and every descendant, from /proc/PID/task/TID/children (each pid once, parents first). */
export async function withDescendants(proc: string, roots: number[]): Promise<number[]> {
  const seen = new Set<number>()
  const queue = [...roots]
  while (queue.length > 0) {
    const pid = queue.shift()!
    if (seen.has(pid)) continue
    seen.add(pid)
    for (const tid of await list(`${proc}/${pid}/task`)) {
      const children = await readText(`${proc}/${pid}/task/${tid}/children`)
      if (children) queue.push(...children.trim().split(/\s+/).filter(Boolean).map(Number))
    }
  }
  return [...seen]
}

async function readProcess(proc: string, pid: number, arch: string): Promise<ProcessReactor | string> {
  const stat = parseTaskStat((await readText(`${proc}/${pid}/stat`)) ?? '')
  if (!stat) return 'the process is gone'
  const unseen: string[] = []
  const sockets: SocketFd[] = []
  const epolls: EpollInstance[] = []
  let fds: string[]
  try {
    fds = await readdir(`${proc}/${pid}/fd`)
  } catch (error) {
    fds = []
    unseen.push(`its open files and epoll interest lists (/proc/${pid}/fd: ${code(error)}): ${howToSee}`)
  }
  // Synchronous on purpose: a thousand readlinks through libuv's thread pool cost ten times the
  // syscalls themselves (docs/perf.md); this runs a few times per bench, never while sampling.
  for (const name of fds) {
    const fd = Number(name)
    const link = classifyFdLink(readLinkSync(`${proc}/${pid}/fd/${name}`) ?? '')
    if (link.kind === 'socket') sockets.push({fd, inode: link.inode})
    if (link.kind !== 'eventpoll') continue
    const watches = parseEpollFdinfo((await readText(`${proc}/${pid}/fdinfo/${name}`)) ?? '')
    if (watches) epolls.push({fd, watches})
    else unseen.push(`the interest list of epoll fd ${fd} (/proc/${pid}/fdinfo/${fd} not readable): ${howToSee}`)
  }
  sockets.sort((a, b) => a.fd - b.fd)
  epolls.sort((a, b) => a.fd - b.fd)
  const threads = await readThreads(proc, pid, arch)
  if (threads.some((thread) => thread.activity.kind === 'unseen')) {
    unseen.push(`what its threads wait in (/proc/${pid}/task/*/syscall needs ptrace access; see kernel.yama.ptrace_scope): run as root`)
  }
  return {pid, name: stat.name, sockets, epolls, threads, unseen}
}

async function readThreads(proc: string, pid: number, arch: string): Promise<ThreadReading[]> {
  const tids = (await list(`${proc}/${pid}/task`)).map(Number).sort((a, b) => a - b)
  const threads = await Promise.all(
    tids.map(async (tid): Promise<ThreadReading | null> => {
      const base = `${proc}/${pid}/task/${tid}`
      const stat = parseTaskStat((await readText(`${base}/stat`)) ?? '')
      if (!stat) return null
      let activity: ThreadReading['activity']
      try {
        activity = parseTaskSyscall(await readFile(`${base}/syscall`, 'utf8'), arch) ?? {kind: 'unseen', reason: 'unreadable syscall line'}
      } catch (error) {
        activity = {kind: 'unseen', reason: code(error)}
      }
      return {tid, name: stat.name, state: stat.state, activity}
    }),
  )
  return threads.filter((thread): thread is ThreadReading => thread !== null)
}

async function list(path: string): Promise<string[]> {
  try {
    return await readdir(path)
  } catch {
    return []
  }
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    return null
  }
}

export function readLinkSync(path: string): string | null {
  try {
    return readlinkSync(path)
  } catch {
    return null
  }
}

function code(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error)
}
