// Figures for the socket probes (not a test): run with `npx tsx scripts/bench-probes.ts [--json]`.
// 1. One snapshot of one port on a host holding 10,000 other TCP sockets (5,000 loopback
//    connections, both ends here), median per source beside the bare `ss -tanH '( sport = :PORT )'`,
//    and the bare ss in the same namespace before those sockets exist.
// 2. CPU cost of sampling a port with 100 connections at 50 Hz: the bench's sampler, and a whole
//    snapshot from each source, beside a 50 Hz timer that does nothing.
// --json (for scripts/perf.ts): in the namespace sharing the host's hash table only, with fewer
// runs and only /proc for part 2; progress goes to stderr and the figures to stdout as one JSON line.
import {execFileSync} from 'node:child_process'
import {readFileSync, readdirSync} from 'node:fs'
import net from 'node:net'
import {execa} from 'execa'
import {startSampler} from '../src/bench/sampler.js'
import {ProcNetFile} from '../src/probes/proc-net-file.js'
import {resolveSource, takeSnapshot, type ResolvedSource} from '../src/probes/index.js'
import type {SourceName} from '../src/probes/types.js'
import {interleave, median, medianRatio} from './lib/stats.js'
import {missingTool} from './lib/tools.js'

const json = process.argv.includes('--json')
const otherConnections = 5000
const portConnections = 100
const runs = json ? 15 : 41
const neededFds = otherConnections * 2 + portConnections * 2 + 200

export interface ProbeFigures {
  tcpSockets: number
  runs: number
  /** Bare ss in the namespace before the 10,000 other sockets were opened. */
  bareSsEmptyMs: number
  bareSsMs: number
  /** The same bare ss run in a shell loop: the dump without the cost of Node spawning it. */
  bareSsShellMs: number
  /** null when the source's tool is not installed. */
  snapshots: Record<SourceName, SnapshotFigure | null>
  /** Measured after the 10,000 other sockets are closed again (the bench-sized port alone). */
  sampling: SamplingFigures
}

/** % of one core, each the median of interleaved rounds on the 100-connection port at 50 Hz. */
export interface SamplingFigures {
  rounds: number
  /** A 50 Hz timer that does nothing: what waking up 50 times a second costs at all. */
  floorPercent: number
  /** The sampler's queue loop alone: the LISTEN rows read from a kept-open /proc/net/tcp. */
  queueReadsPercent: number
  /** The bench's sampler: the LISTEN row every sample, the whole table now and then. */
  samplerPercent: number
  /** How many of the sampler's samples (all rounds) read the whole table. */
  samplerFullReads: number
  samplerSamples: number
  /** A whole-table snapshot every sample, per source measured (owners off). */
  wholeTablePercent: Partial<Record<SourceName, number>>
}

export interface SnapshotFigure {
  ms: number
  /** Median of per-run ratios to the bare ss of the same run. */
  ratio: number
  ownersMs: number
  ownersRatio: number
}

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
  for (const buckets of json ? [hostValue] : [hostValue, '16384']) {
    const env = {...process.env, BENCH_PROBES_REEXEC: buckets === hostValue ? 'shared hash table' : `own ${buckets}-bucket hash table`}
    // The namespace's own table is sized when it is created: set, create, restore.
    // The inner shell's parent stays in the host namespace: nsenter there to restore at once.
    const restore = `echo ${hostValue} > ${sysctl}`
    execFileSync('sh', ['-c', `echo ${buckets} > ${sysctl} && unshare --net sh -c 'nsenter --net=/proc/$PPID/ns/net sh -c "${restore}"; ${inner}'; ${restore}`], {stdio: 'inherit', env})
  }
  process.exit(0)
}

/** Human lines: stderr in --json mode, so stdout holds only the JSON line. */
const log = json ? (line: string) => console.error(line) : (line: string) => console.log(line)
log(`\n== network namespace with the ${process.env.BENCH_PROBES_REEXEC} ==`)

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

/** ms of each action, per run; one warm-up call each first, runs interleaved. */
async function time<K extends string>(actions: Record<K, () => Promise<unknown>>): Promise<Record<K, number[]>> {
  for (const action of Object.values<() => Promise<unknown>>(actions)) await action()
  const timed = Object.fromEntries(
    Object.entries<() => Promise<unknown>>(actions).map(([name, action]) => [
      name,
      async () => {
        const start = performance.now()
        await action()
        return performance.now() - start
      },
    ]),
  ) as Record<K, () => Promise<number>>
  return interleave(runs, timed)
}

/** CPU time of this process's threads (CFS runtime, ns precision) in ms. */
function ownCpuMs(): number {
  let ns = 0
  for (const task of readdirSync('/proc/self/task')) {
    try {
      ns += Number(readFileSync(`/proc/self/task/${task}/schedstat`, 'utf8').split(' ')[0])
    } catch {
      // The thread ended between readdir and read.
    }
  }
  return ns / 1e6
}

/** CPU of reaped children (cutime+cstime in /proc/self/stat), in ms: ss and netstat runs. */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[13]) + Number(fields[14])) * 10 // USER_HZ is 100 on Linux
}

/** % of one core that `run` costs this process and its children while it runs for `seconds`. */
async function cpuShare(seconds: number, run: (until: number) => Promise<void>): Promise<number> {
  const own = ownCpuMs()
  const children = childrenCpuMs()
  const start = Date.now()
  await run(start + seconds * 1000)
  const elapsed = Date.now() - start
  return ((ownCpuMs() - own + childrenCpuMs() - children) / elapsed) * 100
}

/** A sample every 20 ms until `until`, each by `sample`. */
async function every20ms(until: number, sample: () => Promise<unknown>): Promise<void> {
  for (let next = Date.now(); Date.now() < until; ) {
    await sample()
    next += 20
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())))
  }
}

/** ms per bare ss from a shell loop of `count` (one sh start spread over them). */
async function shellLoopMs(filter: string, count: number): Promise<number> {
  const start = performance.now()
  await execa('sh', ['-c', `i=0; while [ $i -lt ${count} ]; do ss -tanH "$0" >/dev/null; i=$((i+1)); done`, filter])
  return (performance.now() - start) / count
}

function countTcpSockets(): number {
  return ['/proc/net/tcp', '/proc/net/tcp6'].reduce((sum, file) => sum + readFileSync(file, 'utf8').split('\n').length - 2, 0)
}

/** The sources whose tool is here (/proc always is); the others are logged and skipped. */
function availableSources(): Partial<Record<SourceName, ResolvedSource>> {
  const sources: Partial<Record<SourceName, ResolvedSource>> = {proc: resolveSource('proc')}
  for (const name of ['ss', 'netstat'] as const) {
    const missing = missingTool(name)
    if (missing) log(missing)
    else sources[name] = resolveSource(name)
  }
  return sources
}

async function measureSnapshots(port: number, bareSsEmptyMs: number, sources: Partial<Record<SourceName, ResolvedSource>>): Promise<Omit<ProbeFigures, 'sampling'>> {
  const filter = `( sport = :${port} )`
  const actions: Record<string, () => Promise<unknown>> = {bare: () => execa('ss', ['-tanH', filter])}
  for (const [name, source] of Object.entries(sources)) {
    actions[name] = () => takeSnapshot({port, source, owners: false})
    actions[`${name} owners`] = () => takeSnapshot({port, source, owners: true})
  }
  const ms = await time(actions)
  const figure = (name: string): SnapshotFigure | null =>
    ms[name]
      ? {ms: median(ms[name]), ratio: medianRatio(ms[name], ms.bare!), ownersMs: median(ms[`${name} owners`]!), ownersRatio: medianRatio(ms[`${name} owners`]!, ms.bare!)}
      : null
  return {
    tcpSockets: countTcpSockets(),
    runs,
    bareSsEmptyMs,
    bareSsMs: median(ms.bare!),
    bareSsShellMs: await shellLoopMs(filter, 50),
    snapshots: {ss: figure('ss'), netstat: figure('netstat'), proc: figure('proc')},
  }
}

function logFigures(figures: Omit<ProbeFigures, 'sampling'>, port: number): void {
  log(`TCP sockets on this host: ${figures.tcpSockets}; target port ${port} holds ${portConnections} connections + LISTEN`)
  log(`bare ss -tanH '( sport = :${port} )': ${figures.bareSsMs.toFixed(2)} ms (median of ${runs}); ${figures.bareSsEmptyMs.toFixed(2)} ms before the other sockets were opened; ${figures.bareSsShellMs.toFixed(2)} ms in a shell loop`)
  for (const [name, figure] of Object.entries(figures.snapshots)) {
    if (!figure) continue
    log(`takeSnapshot ${name.padEnd(7)} owners=false: ${figure.ms.toFixed(2).padStart(8)} ms  (${figure.ratio.toFixed(2)}x bare)`)
    log(`takeSnapshot ${name.padEnd(7)} owners=true : ${figure.ownersMs.toFixed(2).padStart(8)} ms  (${figure.ownersRatio.toFixed(2)}x bare)`)
  }
}

const samplingRounds = 5
const samplingSeconds = 2

/** The floor, the bench's sampler and whole-table snapshots at 50 Hz, in interleaved rounds. */
async function measureSampling(port: number, sources: Partial<Record<SourceName, ResolvedSource>>): Promise<SamplingFigures> {
  const shares: Record<string, number[]> = {}
  let fullReads = 0
  let samples = 0
  for (let round = 0; round < samplingRounds; round++) {
    const measure = async (name: string, run: (until: number) => Promise<void>) => (shares[name] ??= []).push(await cpuShare(samplingSeconds, run))
    await measure('floor', (until) => every20ms(until, async () => undefined))
    await measure('queue reads', async (until) => {
      const file = ProcNetFile.open('/proc/net/tcp')!
      try {
        await every20ms(until, async () => file.readListenSection(port).acceptQueue)
      } finally {
        file.close()
      }
    })
    await measure('sampler', async (until) => {
      const running = await startSampler({port, intervalMs: 20, completed: () => 0})
      await new Promise((resolve) => setTimeout(resolve, until - Date.now()))
      const points = await running.stop()
      fullReads += points.filter((point) => point.estab !== null).length
      samples += points.length
    })
    for (const [name, source] of Object.entries(sources)) {
      await measure(name, (until) => every20ms(until, () => takeSnapshot({port, source, owners: false})))
    }
  }
  return {
    rounds: samplingRounds,
    floorPercent: median(shares.floor!),
    queueReadsPercent: median(shares['queue reads']!),
    samplerPercent: median(shares.sampler!),
    samplerFullReads: fullReads,
    samplerSamples: samples,
    wholeTablePercent: Object.fromEntries(Object.keys(sources).map((name) => [name, median(shares[name]!)])),
  }
}

function logSampling(sampling: SamplingFigures): void {
  log(`\n${countTcpSockets()} TCP sockets left. Sampling the ${portConnections}-connection port at 50 Hz, % of one core (median of ${sampling.rounds} rounds of ${samplingSeconds} s):`)
  log(`  floor: a 50 Hz timer doing nothing: ${sampling.floorPercent.toFixed(1)} %`)
  log(`  the sampler's queue reads alone (LISTEN rows of a kept-open /proc/net/tcp): ${sampling.queueReadsPercent.toFixed(1)} %`)
  log(`  bench sampler (LISTEN row every sample, whole table in ${sampling.samplerFullReads} of ${sampling.samplerSamples} samples): ${sampling.samplerPercent.toFixed(1)} %`)
  for (const [name, share] of Object.entries(sampling.wholeTablePercent)) {
    log(`  takeSnapshot ${name.padEnd(7)} (whole table every sample, owners off): ${share.toFixed(1)} %`)
  }
}

const target = await openConnections(portConnections)
const {bare: bareEmpty} = await time({bare: () => execa('ss', ['-tanH', `( sport = :${target.port} )`])})
const others = await openConnections(otherConnections)
try {
  const sources = availableSources()
  const figures = await measureSnapshots(target.port, median(bareEmpty), sources)
  logFigures(figures, target.port)
  await close(others)
  const sampling = await measureSampling(target.port, json ? {proc: sources.proc} : sources)
  logSampling(sampling)
  if (json) console.log(JSON.stringify({...figures, sampling}))
} finally {
  await close(others).catch(() => undefined)
  await close(target)
}
