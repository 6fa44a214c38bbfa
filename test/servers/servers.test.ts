// The deliberately buggy test servers (issue 11) really show their bug in the kernel's state:
// the accept queue, the epoll interest lists in /proc/PID/fdinfo, the threads' syscalls.
import {existsSync, readdirSync, readFileSync, readlinkSync} from 'node:fs'
import type net from 'node:net'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {afterEach, beforeAll, describe, expect, it} from 'vitest'
import {readListenQueue} from '../helpers/listen-queue.js'
import {connect, startTestServer, type TestServer} from '../helpers/test-servers.js'

const reactorBugs = fileURLToPath(new URL('build/reactor-bugs', import.meta.url))
const script = (name: string) => fileURLToPath(new URL(name, import.meta.url))

/** Connections each server serves correctly before its bug (--after). */
const K = 3
/** Connections opened once the bug is there. */
const EXTRA = 3
const request = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n'

const EPOLLIN = 0x1
const EPOLLOUT = 0x4
const EPOLLET = 0x80000000 // bit 31: above the int32 range of JS bit operations, see bits()
const EPOLLONESHOT = 0x40000000

/** Syscall numbers (the first field of /proc/PID/task/TID/syscall) on the architectures handled. */
const syscallTable: Record<string, {epollWait: number[]; sleep: number[]; poll: number[]}> = {
  // epoll_wait, epoll_pwait, epoll_pwait2 / clock_nanosleep, nanosleep / poll, ppoll
  x64: {epollWait: [232, 281, 441], sleep: [230, 35], poll: [7, 271]},
  // epoll_pwait, epoll_pwait2 / clock_nanosleep, nanosleep / ppoll (no poll on aarch64)
  arm64: {epollWait: [22, 441], sleep: [115, 101], poll: [73]},
}
/** Runs the thread syscall assertions where the numbers are known; says so where they are not. */
async function withSyscalls(check: (table: {epollWait: number[]; sleep: number[]; poll: number[]}) => Promise<void>): Promise<void> {
  const table = syscallTable[process.arch]
  if (table) await check(table)
  else console.warn(`skipping the thread syscall assertion: syscall numbers are known for x64 and arm64, not ${process.arch}`)
}

/** The bits of `mask` set in `events`, as an unsigned number (EPOLLET is bit 31). */
const bits = (events: number, mask: number) => (events & mask) >>> 0

beforeAll(() => {
  if (!existsSync(reactorBugs)) throw new Error(`${reactorBugs} is missing: run make -C test/servers (npm test does it)`)
})

const servers: TestServer[] = []
const clients: net.Socket[] = []
afterEach(async () => {
  for (const socket of clients.splice(0)) socket.destroy()
  await Promise.all(servers.splice(0).map((server) => server.stop()))
})

async function start(command: string, args: string[]): Promise<TestServer> {
  const server = await startTestServer(command, args)
  servers.push(server)
  return server
}

/** Polls `check` every 25 ms until it returns a value (not undefined), for at most `ms`. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** A keep-alive client connection that reads whole responses (head + Content-Length body). */
interface Client {
  socket: net.Socket
  localPort: number
  /** Sends one request. */
  send(): void
  /** The next whole response: its status and body length. */
  response(): Promise<{status: number; bodyLength: number}>
  /** Bytes received and not yet taken as a response. */
  pending(): number
}

async function client(port: number): Promise<Client> {
  const socket = await connect(port)
  clients.push(socket)
  let buffer = Buffer.alloc(0)
  let wake: (() => void) | undefined
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk])
    wake?.()
  })
  socket.on('error', () => {})
  socket.on('end', () => wake?.())
  socket.on('close', () => wake?.())
  const take = (): {status: number; bodyLength: number} | undefined => {
    const end = buffer.indexOf('\r\n\r\n')
    if (end < 0) return undefined
    const head = buffer.subarray(0, end).toString('latin1')
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
    if (buffer.length < end + 4 + length) return undefined
    buffer = buffer.subarray(end + 4 + length)
    return {status: Number(head.split(' ')[1]), bodyLength: length}
  }
  return {
    socket,
    localPort: socket.localPort!,
    send: () => socket.write(request),
    async response() {
      for (;;) {
        const response = take()
        if (response) return response
        if (socket.destroyed || socket.readableEnded) throw new Error('the server closed the connection')
        await new Promise<void>((resolve) => (wake = resolve))
      }
    },
    pending: () => buffer.length,
  }
}

/** K connections, each with one request answered 200 (the server works before its bug). */
async function servedClients(port: number, bodyLength: number): Promise<Client[]> {
  const served: Client[] = []
  for (let i = 0; i < K; i++) {
    const c = await client(port)
    c.send()
    expect(await c.response()).toEqual({status: 200, bodyLength})
    served.push(c)
  }
  return served
}

/** EXTRA more connections, each sending a request. */
async function extraClients(port: number): Promise<Client[]> {
  const extra: Client[] = []
  for (let i = 0; i < EXTRA; i++) {
    const c = await client(port)
    c.send()
    extra.push(c)
  }
  return extra
}

async function queueAtLeast(port: number, count: number): Promise<number> {
  return until(`${count} connections in the accept queue of port ${port}`, async () => {
    const queue = await readListenQueue(port)
    return queue && queue.recvQ >= count ? queue.recvQ : undefined
  })
}

interface Listener {
  pid: number
  fd: number
  inode: number
}

/** The listener's owner (pid, fd) and socket inode, as `ss -ltnpe` shows them. */
async function listenerOf(port: number): Promise<Listener> {
  const {stdout} = await execa('ss', ['-ltnpeH', `sport = :${port}`])
  const match = /pid=(\d+),fd=(\d+)\).*\bino:(\d+)/.exec(stdout)
  if (!match) throw new Error(`no owned listener on port ${port} in: ${stdout}`)
  return {pid: Number(match[1]), fd: Number(match[2]), inode: Number(match[3])}
}

/** The server-side socket of one client connection: Recv-Q and inode, from `ss -tne`. */
async function serverSocket(port: number, clientPort: number): Promise<{state: string; recvQ: number; inode: number} | undefined> {
  const {stdout} = await execa('ss', ['-tneH', `sport = :${port} and dport = :${clientPort}`])
  const fields = stdout.trim().split(/\s+/)
  const inode = /\bino:(\d+)/.exec(stdout)?.[1]
  if (fields.length < 3 || inode === undefined) return undefined
  return {state: fields[0]!, recvQ: Number(fields[1]), inode: Number(inode)}
}

/** fd -> readlink target of each of the process's open fds. */
function fdTargets(pid: number): Map<number, string> {
  const targets = new Map<number, string>()
  for (const name of readdirSync(`/proc/${pid}/fd`)) {
    try {
      targets.set(Number(name), readlinkSync(`/proc/${pid}/fd/${name}`))
    } catch {
      // closed meanwhile
    }
  }
  return targets
}

function eventpollFds(pid: number): number[] {
  return [...fdTargets(pid)].filter(([, target]) => target === 'anon_inode:[eventpoll]').map(([fd]) => fd)
}

interface Watched {
  tfd: number
  events: number
  inode: number
  line: string
}

/** The interest list of one epoll fd: its fdinfo `tfd: N events: HEX data: HEX pos:0 ino:HEX sdev:HEX` lines. */
function interestList(pid: number, epfd: number): Watched[] {
  return readFileSync(`/proc/${pid}/fdinfo/${epfd}`, 'utf8')
    .split('\n')
    .flatMap((line) => {
      const match = /^tfd:\s*(\d+)\s+events:\s*([0-9a-f]+)\s.*\bino:([0-9a-f]+)/.exec(line)
      return match ? [{tfd: Number(match[1]), events: parseInt(match[2]!, 16), inode: parseInt(match[3]!, 16), line}] : []
    })
}

/** Every thread's syscall line: the number it is blocked in first, then its arguments ("running" when running). */
function threadSyscalls(pid: number): string[][] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => readFileSync(`/proc/${pid}/task/${tid}/syscall`, 'utf8').trim().split(/\s+/))
}

/** Waits until every thread is blocked in one of `numbers`; returns the syscall lines. */
async function threadsIn(pid: number, numbers: number[], what: string): Promise<string[][]> {
  return until(`every thread of ${pid} in ${what}`, () => {
    const lines = threadSyscalls(pid)
    return lines.every((fields) => numbers.includes(Number(fields[0]))) ? lines : undefined
  })
}

describe('reactor-bugs --bug unwatch-listener', () => {
  it(`after ${K} accepts the listener leaves every interest list, connections queue, served ones are still served`, async () => {
    const {port} = await start(reactorBugs, ['--bug', 'unwatch-listener', '--after', String(K), '--port', '0'])
    const listener = await listenerOf(port)
    const served = await servedClients(port, 3)
    await extraClients(port)
    expect(await queueAtLeast(port, EXTRA)).toBeGreaterThanOrEqual(EXTRA)

    const epfds = eventpollFds(listener.pid)
    expect(epfds).toHaveLength(1)
    const watched = interestList(listener.pid, epfds[0]!)
    expect(watched.map((w) => w.inode)).not.toContain(listener.inode)
    // The served connections are still watched for EPOLLIN, and still answered.
    const sockets = fdTargets(listener.pid)
    const connectionInodes = watched.map((w) => sockets.get(w.tfd))
    expect(connectionInodes.filter((target) => target?.startsWith('socket:'))).toHaveLength(K)
    for (const w of watched) expect(bits(w.events, EPOLLIN)).toBe(EPOLLIN)
    served[0]!.send()
    expect(await served[0]!.response()).toEqual({status: 200, bodyLength: 3})

    await withSyscalls(async (table) => {
      const [thread] = await threadsIn(listener.pid, table.epollWait, 'epoll_wait')
      expect(Number(thread![1])).toBe(epfds[0])
    })
  })
})

describe('reactor-bugs --bug oneshot-listener', () => {
  it(`after ${K} accepts the EPOLLONESHOT listener is never re-armed: fdinfo events 40000000, connections queue`, async () => {
    const {port} = await start(reactorBugs, ['--bug', 'oneshot-listener', '--after', String(K), '--port', '0'])
    const listener = await listenerOf(port)
    const armed = interestList(listener.pid, eventpollFds(listener.pid)[0]!).find((w) => w.inode === listener.inode)
    // Armed: EPOLLIN (the kernel adds EPOLLERR|EPOLLHUP) with EPOLLONESHOT.
    expect(bits(armed!.events, EPOLLONESHOT | EPOLLIN)).toBe(EPOLLONESHOT | EPOLLIN)

    await servedClients(port, 3)
    await extraClients(port)
    expect(await queueAtLeast(port, EXTRA)).toBeGreaterThanOrEqual(EXTRA)

    const epfds = eventpollFds(listener.pid)
    expect(epfds).toHaveLength(1)
    const fired = interestList(listener.pid, epfds[0]!).filter((w) => w.inode === listener.inode)
    expect(fired).toHaveLength(1)
    expect(fired[0]!.tfd).toBe(listener.fd)
    expect(fired[0]!.events).toBe(EPOLLONESHOT)
    expect(fired[0]!.line).toMatch(/events:\s*40000000\b/)

    await withSyscalls(async (table) => {
      const [thread] = await threadsIn(listener.pid, table.epollWait, 'epoll_wait')
      expect(Number(thread![1])).toBe(epfds[0])
    })
  })
})

describe('reactor-bugs --bug epollout-only', () => {
  it('after a partial write the connection is watched for EPOLLOUT only: the next request sits unread', async () => {
    const body = 256 * 1024
    const {port} = await start(reactorBugs, ['--bug', 'epollout-only', '--after', String(K), '--port', '0'])
    const listener = await listenerOf(port)
    // The first K connections get EPOLLIN back after the large write: a second request is answered.
    for (const c of await servedClients(port, body)) {
      c.send()
      expect(await c.response()).toEqual({status: 200, bodyLength: body})
    }

    const epfd = eventpollFds(listener.pid)[0]!
    for (let i = 0; i < EXTRA; i++) {
      const c = await client(port)
      c.send()
      expect(await c.response()).toEqual({status: 200, bodyLength: body})
      c.send()
      const stuck = await until(`request bytes unread by the server on client port ${c.localPort}`, async () => {
        const socket = await serverSocket(port, c.localPort)
        return socket && socket.recvQ === request.length ? socket : undefined
      })
      expect(stuck.state).toBe('ESTAB')
      // Owned by the server, watched by its epoll fd with EPOLLOUT|EPOLLET and without EPOLLIN.
      expect([...fdTargets(listener.pid).values()]).toContain(`socket:[${stuck.inode}]`)
      const watched = interestList(listener.pid, epfd).filter((w) => w.inode === stuck.inode)
      expect(watched).toHaveLength(1)
      expect(bits(watched[0]!.events, EPOLLIN)).toBe(0)
      expect(bits(watched[0]!.events, EPOLLOUT | EPOLLET)).toBe((EPOLLOUT | EPOLLET) >>> 0)
      expect(c.pending()).toBe(0)
    }
    // The listener is still watched, level-triggered: the bug is in the connections only.
    const watchedListener = interestList(listener.pid, epfd).find((w) => w.inode === listener.inode)
    expect(bits(watchedListener!.events, EPOLLIN | EPOLLET)).toBe(EPOLLIN)
    expect((await readListenQueue(port))!.recvQ).toBe(0)
  })
})

describe('blocking-acceptor.py', () => {
  it(`after ${K} connections its one thread sleeps instead of waiting in epoll_wait, connections queue`, async () => {
    const {port} = await start('python3', [script('blocking-acceptor.py'), '--after', String(K), '--port', '0'])
    const listener = await listenerOf(port)
    await servedClients(port, 3)
    await extraClients(port)
    expect(await queueAtLeast(port, EXTRA)).toBeGreaterThanOrEqual(EXTRA)

    // The listener is still watched (level-triggered EPOLLIN): the acceptor is just not waiting.
    const epfds = eventpollFds(listener.pid)
    expect(epfds).toHaveLength(1)
    const watched = interestList(listener.pid, epfds[0]!).find((w) => w.inode === listener.inode)
    expect(bits(watched!.events, EPOLLIN | EPOLLET | EPOLLONESHOT)).toBe(EPOLLIN)

    await withSyscalls(async (table) => {
      expect(await threadsIn(listener.pid, table.sleep, 'clock_nanosleep/nanosleep')).toHaveLength(1)
    })
  })
})

describe('poll-stop.py', () => {
  it(`after ${K} accepts the listener leaves the poll set: no epoll fd, its thread waits in poll(), connections queue`, async () => {
    const {port} = await start('python3', [script('poll-stop.py'), '--after', String(K), '--port', '0'])
    const listener = await listenerOf(port)
    const served = await servedClients(port, 3)
    await extraClients(port)
    expect(await queueAtLeast(port, EXTRA)).toBeGreaterThanOrEqual(EXTRA)

    expect(eventpollFds(listener.pid)).toEqual([])
    served[1]!.send()
    expect(await served[1]!.response()).toEqual({status: 200, bodyLength: 3})

    await withSyscalls(async (table) => {
      expect(await threadsIn(listener.pid, table.poll, 'poll/ppoll')).toHaveLength(1)
    })
  })
})
