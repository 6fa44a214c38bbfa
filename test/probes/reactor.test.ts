import {readFileSync, readdirSync} from 'node:fs'
import net from 'node:net'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {describeEvents, EPOLLET, EPOLLIN, has, isFiredOneshot, watchesInput} from '../../src/probes/reactor/epoll-events.js'
import {classifyFdLink, parseEpollFdinfo} from '../../src/probes/reactor/parse-fdinfo.js'
import {parseTaskStat, parseTaskSyscall} from '../../src/probes/reactor/parse-task.js'
import {nameSyscall} from '../../src/probes/reactor/syscalls.js'
import {readReactor} from '../../src/probes/reactor/collect-reactor.js'
import {readListenQueue} from '../helpers/listen-queue.js'
import {useReferenceServers} from '../helpers/reference-servers.js'

const dir = new URL('../fixtures/reactor/', import.meta.url)
const fixture = (name: string) => readFileSync(new URL(`${name}.txt`, dir), 'utf8')
const command = (name: string) => readFileSync(new URL(`${name}.cmd`, dir), 'utf8').trim()

describe('epoll fdinfo (captured from the reference server, et accept once, 2 I/O threads)', () => {
  const fdinfos = readdirSync(dir).filter((name) => /^et-accept-once-fdinfo-\d+\.txt$/.test(name)).map((name) => name.replace('.txt', ''))

  it('reads every tfd line with its mask and inode', () => {
    expect(fdinfos.length).toBe(3)
    for (const name of fdinfos) {
      const text = fixture(name)
      const watches = parseEpollFdinfo(text)!
      expect(watches.length).toBe(text.split('\n').filter((line) => line.startsWith('tfd:')).length)
      expect(command(name)).toMatch(/^cat \/proc\/\d+\/fdinfo\/\d+$/)
    }
  })

  it('finds the listener from ss -e registered EPOLLIN|EPOLLERR|EPOLLHUP|EPOLLET', () => {
    const ss = fixture('et-accept-once-ss')
    const listenerInode = Number(/^LISTEN .* ino:(\d+)/m.exec(ss)![1])
    const all = fdinfos.flatMap((name) => parseEpollFdinfo(fixture(name))!)
    const listener = all.filter((watch) => watch.inode === listenerInode)
    expect(listener).toHaveLength(1)
    expect(listener[0]!.events).toBe(0x80000019)
    expect(describeEvents(listener[0]!.events)).toBe('EPOLLIN|EPOLLERR|EPOLLHUP|EPOLLET')
    expect(has(listener[0]!.events, EPOLLET)).toBe(true)
  })

  it('is null for text that is not an fdinfo, and skips lines it does not know', () => {
    expect(parseEpollFdinfo('')).toBeNull()
    expect(parseEpollFdinfo('hello\nworld')).toBeNull()
    expect(parseEpollFdinfo('pos:\t0\nflags:\t02\ntfd: x events: zz\n')).toEqual([])
  })
})

describe('event masks', () => {
  it('tells a spent ONESHOT registration from an armed one', () => {
    expect(isFiredOneshot(0x40000000)).toBe(true)
    expect(isFiredOneshot(0xc0000000)).toBe(true)
    expect(isFiredOneshot(0x40000019)).toBe(false)
    expect(isFiredOneshot(0x19)).toBe(false)
    expect(watchesInput(0x40000000)).toBe(false)
    expect(watchesInput(0x80000004)).toBe(false)
    expect(watchesInput(0x80000001)).toBe(true)
    expect(describeEvents(0x80000004)).toBe('EPOLLOUT|EPOLLET')
    expect(describeEvents(0)).toBe('none')
    expect(describeEvents(0x100 | EPOLLIN)).toBe('EPOLLIN|0x100')
  })
})

describe('threads', () => {
  const tasks = [0, 1, 2].map((i) => ({stat: fixture(`et-accept-once-task${i}-stat`), syscall: fixture(`et-accept-once-task${i}-syscall`)}))

  it('reads each thread waiting in epoll_wait on its own epoll fd (x86_64 numbers)', () => {
    const waits = tasks.map((task) => parseTaskSyscall(task.syscall, 'x86_64'))
    expect(waits.map((w) => (w?.kind === 'syscall' ? [w.name, w.family] : w?.kind))).toEqual([
      ['epoll_wait', 'epoll-wait'],
      ['epoll_wait', 'epoll-wait'],
      ['epoll_wait', 'epoll-wait'],
    ])
    const epfds = waits.map((w) => (w?.kind === 'syscall' ? w.firstArg : null))
    const fdinfoFds = readdirSync(dir).flatMap((name) => /^et-accept-once-fdinfo-(\d+)\.txt$/.exec(name)?.[1] ?? []).map(Number)
    expect([...epfds].sort()).toEqual([...fdinfoFds].sort())
    expect(parseTaskStat(tasks[0]!.stat)).toMatchObject({name: 'reactor-server', state: 'S'})
  })

  it('reads names with spaces and parentheses, running threads, and refuses junk', () => {
    expect(parseTaskStat('42 (a (b) c) R 1 2 3')).toEqual({tid: 42, name: 'a (b) c', state: 'R'})
    expect(parseTaskStat('nonsense')).toBeNull()
    expect(parseTaskSyscall('running\n', 'x86_64')).toEqual({kind: 'running'})
    expect(parseTaskSyscall('-1 0x7ffc 0x7f00\n', 'x86_64')).toEqual({kind: 'in-kernel'})
    expect(parseTaskSyscall('', 'x86_64')).toBeNull()
  })

  it('names aarch64 numbers and says when an arch is not known', () => {
    expect(nameSyscall('aarch64', 22)).toEqual({name: 'epoll_pwait', family: 'epoll-wait'})
    expect(nameSyscall('aarch64', 73)).toEqual({name: 'ppoll', family: 'poll'})
    expect(nameSyscall('x86_64', 7)).toEqual({name: 'poll', family: 'poll'})
    expect(nameSyscall('riscv64', 22)).toEqual({name: 'syscall 22 (unknown on riscv64)', family: 'other'})
  })

  it('classifies fd links', () => {
    const lines = fixture('et-accept-once-fd').trim().split('\n')
    const kinds = lines.map((line) => classifyFdLink(line.split(' -> ')[1]!).kind)
    expect(kinds.filter((kind) => kind === 'eventpoll')).toHaveLength(3)
    expect(kinds.filter((kind) => kind === 'socket').length).toBeGreaterThan(10)
    expect(classifyFdLink('socket:[8912]')).toEqual({kind: 'socket', inode: 8912})
    expect(classifyFdLink('/dev/null')).toEqual({kind: 'other'})
  })
})

describe('readReactor on a live reference server', () => {
  const start = useReferenceServers()
  const clients: net.Socket[] = []
  afterEach(() => clients.splice(0).forEach((socket) => socket.destroy()))

  it('maps the waiting thread -> its epoll fd -> the EPOLLET listener while connections are queued', async () => {
    // A slow accept (2 ms) lets arrivals coalesce into one edge every time.
    const server = await start({trigger: 'et', accept: 'once', threads: 1}, {acceptDelayUs: 2000})
    // One burst of connections: with one accept per wakeup some stay in the queue.
    for (let i = 0; i < 40; i++) clients.push(net.connect(server.port, '127.0.0.1'))
    await vi.waitFor(async () => expect((await readListenQueue(server.port))!.recvQ).toBeGreaterThan(0), {timeout: 10_000, interval: 50})
    const reading = await readReactor({pids: [server.pid]})
    expect(reading.unseen).toEqual([])
    const [proc] = reading.processes
    expect(proc!.pid).toBe(server.pid)
    expect(proc!.threads.length).toBe(2)
    const listenerWatch = proc!.epolls.flatMap((epoll) => epoll.watches.map((watch) => ({epoll, watch}))).filter(({watch}) =>
      proc!.sockets.some((socket) => socket.inode === watch.inode && socket.fd === watch.tfd && has(watch.events, EPOLLET)),
    )
    expect(listenerWatch.length).toBeGreaterThan(0)
    await vi.waitFor(async () => {
      const again = await readReactor({pids: [server.pid]})
      const waiting = again.processes[0]!.threads.filter((t) => t.activity.kind === 'syscall' && t.activity.family === 'epoll-wait')
      expect(waiting.length).toBe(2)
    }, {timeout: 10_000, interval: 50})
  })

  it('says what it could not read for a pid that is gone', async () => {
    const reading = await readReactor({pids: [2 ** 22 + 7]})
    expect(reading.processes).toEqual([])
    expect(reading.unseen).toEqual([`pid ${2 ** 22 + 7}: the process is gone`])
  })
})
