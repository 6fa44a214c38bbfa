// Figures for the socket probes (not a test): run with `npx tsx scripts/bench-probes.ts`.
// 1. One snapshot of one port on a host holding 10,000 other TCP sockets (5,000 loopback
//    connections, both ends here), median per source beside the bare `ss -tanH '( sport = :PORT )'`.
// 2. CPU cost of sampling a port with 100 connections at 50 Hz, for each cheap source.
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import net from 'node:net'
import {execa} from 'execa'
import {resolveSource, takeSnapshot, type ResolvedSource} from '../src/probes/index.js'

const otherConnections = 5000
const portConnections = 100
const runs = 41
const neededFds = otherConnections * 2 + portConnections * 2 + 200

// Node cannot raise its own fd limit, so each measurement re-execs under a shell that does, in
// a network namespace of its own (root: unshare -n) so the sockets are ours alone. It runs twice:
// in a namespace sharing the host's TCP hash table (a 2 MiB, 262,144-bucket table on this
// 24 GiB machine, which every dump walks whole), then in one with its own small table
// (net.ipv4.tcp_child_ehash_entries, read when a namespace is created; restored at once).
if (!process.env.BENCH_PROBES_REEXEC) {
  const args = [...process.execArgv, ...process.argv.slice(1)].map((arg) => `"${arg}"`).join(' ')
  const inner = `ip link set lo up && ulimit -n ${neededFds + 1000} && exec "${process.execPath}" ${args}`
  const sysctl = '/proc/sys/net/ipv4/tcp_child_ehash_entries'
  const hostValue = readFileSync(sysctl, 'utf8').trim()
  for (const buckets of [hostValue, '16384']) {
    const env = {...process.env, BENCH_PROBES_REEXEC: buckets === hostValue ? 'shared hash table' : `own ${buckets}-bucket hash table`}
    // The namespace's own table is sized when it is created: set, create, restore.
    // The inner shell's parent stays in the host namespace: nsenter there to restore at once.
    const restore = `echo ${hostValue} > ${sysctl}`
    execFileSync('sh', ['-c', `echo ${buckets} > ${sysctl} && unshare --net sh -c 'nsenter --net=/proc/$PPID/ns/net sh -c "${restore}"; ${inner}'; ${restore}`], {stdio: 'inherit', env})
  }
  process.exit(0)
}
console.log(`\n== network namespace with the ${process.env.BENCH_PROBES_REEXEC} ==`)

interface Holder {
  server: net.Server
  port: number
  sockets: net.Socket[]
}

async function openConnections(count: number): Promise<Holder> {
  const sockets: net.Socket[] = []
  const server = net.createServer((socket) => sockets.push(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', 1024, resolve))
  const port = (server.address() as net.AddressInfo).port
  for (let done = 0; done < count; done += 200) {
    const batch = Array.from({length: Math.min(200, count - done)}, () => new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(socket))
      socket.once('error', reject)
    }))
    sockets.push(...(await Promise.all(batch)))
  }
  return {server, port, sockets}
}

/** Closes with RST, so no TIME-WAIT sockets stay behind to slow the next measurement. */
async function close(holder: Holder): Promise<void> {
  for (const socket of holder.sockets) socket.resetAndDestroy()
  holder.sockets.length = 0
  await new Promise((resolve) => holder.server.close(resolve))
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

async function time(action: () => Promise<unknown>): Promise<number> {
  await action() // warm up
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    await action()
    samples.push(performance.now() - start)
  }
  return median(samples)
}

/** CPU of this process plus reaped children (utime+stime, cutime+cstime in /proc/self/stat). */
function cpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')
  const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])
  return ticks * 10 // USER_HZ is 100 on Linux
}

async function sampleCost(source: ResolvedSource, port: number, seconds: number): Promise<number> {
  const before = cpuMs()
  const usageBefore = process.cpuUsage()
  const start = Date.now()
  let next = start
  while (Date.now() - start < seconds * 1000) {
    await takeSnapshot({port, source, owners: false})
    next += 20
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())))
  }
  const elapsed = Date.now() - start
  const usage = process.cpuUsage(usageBefore)
  // Own CPU from cpuUsage (µs, finer than ticks); children from /proc/self/stat.
  const own = (usage.user + usage.system) / 1000
  const children = cpuMs() - before - Math.round(own / 10) * 10
  return ((own + Math.max(0, children)) / elapsed) * 100
}

const others = await openConnections(otherConnections)
const target = await openConnections(portConnections)
try {
  const total = readFileSync('/proc/net/tcp', 'utf8').split('\n').length - 2 + readFileSync('/proc/net/tcp6', 'utf8').split('\n').length - 2
  console.log(`TCP sockets on this host: ${total}; target port ${target.port} holds ${portConnections} connections + LISTEN`)
  const filter = `( sport = :${target.port} )`
  const bare = await time(() => execa('ss', ['-tanH', filter]))
  console.log(`bare ss -tanH '${filter}': ${bare.toFixed(2)} ms (median of ${runs})`)
  const sources = {ss: resolveSource('ss'), netstat: resolveSource('netstat'), proc: resolveSource('proc')}
  for (const [name, source] of Object.entries(sources)) {
    for (const owners of [false, true]) {
      const ms = await time(() => takeSnapshot({port: target.port, source, owners}))
      console.log(`takeSnapshot ${name.padEnd(7)} owners=${String(owners).padEnd(5)}: ${ms.toFixed(2).padStart(8)} ms  (${(ms / bare).toFixed(2)}x bare)`)
    }
  }
  await close(others)
  const left = readFileSync('/proc/net/tcp', 'utf8').split('\n').length - 2
  console.log(`\n${left} TCP sockets left. Sampling the ${portConnections}-connection port at 50 Hz for 5 s (owners off), % of one core:`)
  for (const [name, source] of Object.entries(sources)) {
    console.log(`  ${name.padEnd(7)}: ${(await sampleCost(source, target.port, 5)).toFixed(1)} %`)
  }
} finally {
  await close(others).catch(() => undefined)
  await close(target)
}
