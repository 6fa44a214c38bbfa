/** A server's reactor as /proc shows it: processes -> threads and epoll instances -> watched fds. */

/** One line of an epoll fd's fdinfo: a file in the interest list and its registered mask. */
export interface EpollWatch {
  /** The fd number the watched file was registered with (in the process that registered it). */
  tfd: number
  /** The registered event mask (EPOLLIN, EPOLLET, ...; see epoll-events.ts). */
  events: number
  /** The watched file's inode: a socket's inode as ss -e and /proc/net/tcp show it. */
  inode: number
}

export interface EpollInstance {
  /** The epoll fd in its process. */
  fd: number
  watches: EpollWatch[]
}

export type SyscallFamily = 'epoll-wait' | 'poll' | 'select' | 'io-uring' | 'sleep' | 'lock' | 'accept' | 'read' | 'other'

/** What a thread was doing when read (/proc/PID/task/TID/syscall). */
export type ThreadActivity =
  | {kind: 'running'}
  /** In the kernel but not in a system call (a page fault, ...). */
  | {kind: 'in-kernel'}
  | {kind: 'syscall'; nr: number; name: string; family: SyscallFamily; firstArg: number}
  | {kind: 'unseen'; reason: string}

export interface ThreadReading {
  tid: number
  /** comm: the thread's name. */
  name: string
  /** stat field 3: R running, S sleeping, D disk sleep, T stopped, Z zombie, ... */
  state: string
  activity: ThreadActivity
}

export interface SocketFd {
  fd: number
  inode: number
}

export interface ProcessReactor {
  pid: number
  name: string
  sockets: SocketFd[]
  epolls: EpollInstance[]
  threads: ThreadReading[]
  /** What could not be read in this process, each with how to see it. */
  unseen: string[]
}

export interface ReactorReading {
  /** Milliseconds since the epoch. */
  at: number
  /** The machine whose syscall numbers were decoded (x86_64, aarch64, or another: then unknown). */
  arch: string
  processes: ProcessReactor[]
  /** What could not be read at all (a process gone or not readable), with how to see it. */
  unseen: string[]
}
