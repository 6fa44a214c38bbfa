// Figures for reading a server's reactor (not a test): `npx tsx scripts/reactor-cost.ts`.
// A reference server (lt, 1 I/O thread) holds 1,000 connections from this process, each one in
// its epoll interest list, while 10,000 other TCP sockets (5,000 loopback connections, both ends
// here) exist on the host. Interleaved runs, medians, of:
//  - the reactor read of that server (/proc/PID/fd, fdinfo of its epoll fds, its threads);
//  - a reading with owners from the server's process tree (what bench does) beside one with
//    `ss -p` (a scan of every process) and the bare `ss -tanH '( sport = :PORT )'`;
//  - what the stalled reading adds to a bench run: one reading with owners plus the reactor read.
import net from 'node:net'
import {execa} from 'execa'
import {resolveSource, takeSnapshot} from '../src/probes/index.js'
import {readReactor} from '../src/probes/reactor/collect-reactor.js'
import {readPortReactor} from '../src/probes/reactor/read-port-reactor.js'
import {startReferenceServer} from '../src/targets/reference-server.js'
import {interleave, median, medianRatio} from './lib/stats.js'

const RUNS = 31
const WATCHED = 1000
const OTHER_CONNECTIONS = 5000
const log = (line: string): void => console.error(line)

async function main(): Promise<void> {
  const server = await startReferenceServer({trigger: 'lt', threads: 1, accept: 'drain', read: 'drain', backlog: 4096}, {statsIntervalMs: 0})
  const sockets: net.Socket[] = []
  const other = net.createServer((socket) => sockets.push(socket))
  try {
    log(`opening ${WATCHED} connections to the server and ${OTHER_CONNECTIONS} other loopback connections`)
    await connectMany(server.port, WATCHED, sockets)
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
    await connectMany((other.address() as net.AddressInfo).port, OTHER_CONNECTIONS, sockets)
    const watched = (await readReactor({pids: [server.pid]})).processes[0]!.epolls.reduce((sum, e) => sum + e.watches.length, 0)
    log(`the server's epoll instances watch ${watched} files; ${RUNS} interleaved runs`)
    const source = resolveSource('ss')
    const port = server.port
    const time = async (work: () => Promise<unknown>) => {
      const start = performance.now()
      await work()
      return performance.now() - start
    }
    const ms = await interleave(RUNS, {
      reactor: () => time(() => readReactor({pids: [server.pid]})),
      bareSs: () => time(() => execa('ss', ['-tanH', `( sport = :${port} )`])),
      treeOwners: () => time(() => takeSnapshot({port, source, owners: true, ownerTree: [server.pid]})),
      ssOwners: () => time(() => takeSnapshot({port, source, owners: true})),
      stalledReading: () =>
        time(async () => readPortReactor(await takeSnapshot({port, source, owners: true, ownerTree: [server.pid]}), port, [server.pid])),
    })
    const f = (values: number[]) => `${median(values).toFixed(1)} ms`
    const rows = [
      ['reading the reactor of a server with ' + watched + ' watched files (fds, fdinfo, threads)', f(ms.reactor), '', '', '< 20 ms'],
      ['reading with owners from the server\'s process tree vs bare `ss -tanH \'( sport = :PORT )\'`', f(ms.treeOwners), f(ms.bareSs), `${medianRatio(ms.treeOwners, ms.bareSs).toFixed(2)}x`, '≤ 1.5x'],
      ['reading with owners from `ss -p` (every process) vs bare ss', f(ms.ssOwners), f(ms.bareSs), `${medianRatio(ms.ssOwners, ms.bareSs).toFixed(2)}x`, 'context'],
      ['what the stalled reading adds to a run (reading with owners + reactor)', f(ms.stalledReading), '', '', 'context'],
    ]
    console.log('| figure | measured | against | ratio | goal |\n|---|---|---|---|---|')
    for (const row of rows) console.log(`| ${row.join(' | ')} |`)
    console.log(`\n${RUNS} interleaved runs, medians; ${1000 + OTHER_CONNECTIONS * 2 + WATCHED} TCP sockets held by this process, ${new Date().toISOString()}.`)
  } finally {
    for (const socket of sockets) socket.destroy()
    other.close()
    await server.stop()
  }
}

async function connectMany(port: number, count: number, into: net.Socket[]): Promise<void> {
  for (let i = 0; i < count; i += 200) {
    await Promise.all(
      Array.from({length: Math.min(200, count - i)}, () =>
        new Promise<void>((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1', () => resolve())
          socket.once('error', reject)
          into.push(socket)
        }),
      ),
    )
  }
}

await main()
