/**
 * `npx tsx scripts/engine-vs-ab.ts [rounds] [requests]`: bench's default engine (native: rd-load)
 * and the Node ab engine against Debian's `ab -k` on one reference server (lt, 1 I/O thread), 50
 * keep-alive connections, in interleaved rounds (native, Node, ab, native...). Prints each round's
 * requests/s and the CPU each side used per request (the client's user and system time: this
 * whole Node process for the engines, plus the rd-load child's for the native one; ab's own for
 * ab; the server's total), then the median of the per-round ratios. On 2 cores shared
 * by client and server, CPU per request is what decides requests/s. Needs `npm run build`, ab
 * (apache2-utils) and /usr/bin/time (time). A quicker, narrower cut of `npm run perf`'s first row.
 */
import {existsSync, readFileSync} from 'node:fs'
import {loadavg} from 'node:os'
import {execa} from 'execa'
import {DEFAULT_ENGINE, runLoad} from '../src/load/index.js'
import type {EngineName} from '../src/load/types.js'
import {type ReferenceServer, startReferenceServer} from '../src/targets/reference-server.js'
import {median, medianRatio} from './lib/stats.js'
import {missingTool} from './lib/tools.js'

const ROUNDS = Number(process.argv[2] ?? 9)
const REQUESTS = Number(process.argv[3] ?? 20_000)
const CONCURRENCY = 50
/** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100

interface Round {
  rps: number
  /** CPU µs per request: the load client's (user and system) and the server's. */
  clientUserUs: number
  clientSystemUs: number
  serverUs: number
}

/** The server's user + system CPU so far, in µs, from /proc/PID/stat. */
function serverCpuUs(server: ReferenceServer): number {
  const stat = readFileSync(`/proc/${server.pid}/stat`, 'latin1')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND
}

/** CPU of the children this process has waited for (rd-load under rd-launch), in µs: cutime, cstime. */
function childrenCpuUs(): {user: number; system: number} {
  const stat = readFileSync('/proc/self/stat', 'latin1')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return {user: (Number(fields[13]) * 1e6) / TICKS_PER_SECOND, system: (Number(fields[14]) * 1e6) / TICKS_PER_SECOND}
}

async function engineRound(engine: EngineName, server: ReferenceServer): Promise<Round> {
  const serverBefore = serverCpuUs(server)
  const cpuBefore = process.cpuUsage()
  const childrenBefore = childrenCpuUs()
  const result = await runLoad(engine, {host: server.host, port: server.port, path: '/', requests: REQUESTS, concurrency: CONCURRENCY, keepAlive: true, stallMs: 2000, timeoutMs: 60_000})
  const cpu = process.cpuUsage(cpuBefore)
  const children = childrenCpuUs()
  const user = cpu.user + children.user - childrenBefore.user
  const system = cpu.system + children.system - childrenBefore.system
  if (result.completed !== REQUESTS) throw new Error(`${engine} engine completed ${result.completed} of ${REQUESTS} (${result.end})`)
  return {rps: result.requestsPerSecond, clientUserUs: user / REQUESTS, clientSystemUs: system / REQUESTS, serverUs: (serverCpuUs(server) - serverBefore) / REQUESTS}
}

/** ab under /usr/bin/time, whose last stderr line is ab's user and system seconds. */
async function abRound(server: ReferenceServer): Promise<Round> {
  const serverBefore = serverCpuUs(server)
  const args = ['-f', '%U %S', 'ab', '-q', '-k', '-n', String(REQUESTS), '-c', String(CONCURRENCY), '-s', '10', server.url]
  const result = await execa('/usr/bin/time', args, {reject: false, timeout: 60_000})
  const serverUs = serverCpuUs(server) - serverBefore
  const rps = /Requests per second:\s+([\d.]+)/.exec(result.stdout)
  const complete = /Complete requests:\s+(\d+)/.exec(result.stdout)
  if (!rps || Number(complete?.[1]) !== REQUESTS) throw new Error(`ab did not complete:\n${result.stdout}\n${result.stderr}`)
  const [user, system] = result.stderr.trim().split('\n').at(-1)!.split(' ').map(Number)
  return {rps: Number(rps[1]), clientUserUs: (user! * 1e6) / REQUESTS, clientSystemUs: (system! * 1e6) / REQUESTS, serverUs: serverUs / REQUESTS}
}

function line(name: string, rounds: Round[]): string {
  const figures = (label: string, values: number[], digits: number): string =>
    `${name} ${label.padEnd(16)} ${values.map((value) => value.toFixed(digits)).join(' ')}  (median ${median(values).toFixed(digits)})`
  return [
    figures('req/s', rounds.map((round) => round.rps), 0),
    figures('client user µs', rounds.map((round) => round.clientUserUs), 1),
    figures('client sys µs', rounds.map((round) => round.clientSystemUs), 1),
    figures('server µs', rounds.map((round) => round.serverUs), 1),
  ].join('\n')
}

async function main(): Promise<void> {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) process.once(signal, () => process.exit(code))
  const missing = missingTool('ab') ?? (existsSync('/usr/bin/time') ? null : '/usr/bin/time not installed (apt-get install time)')
  if (missing) throw new Error(missing)
  const loadAtStart = loadavg()[0]!
  const server = await startReferenceServer({trigger: 'lt', threads: 1, accept: 'drain', read: 'drain', backlog: 128}, {statsIntervalMs: 0})
  const engine: Round[] = []
  const node: Round[] = []
  const ab: Round[] = []
  try {
    await engineRound(DEFAULT_ENGINE, server)
    await engineRound('ab', server) // warm the JIT
    for (let round = 0; round < ROUNDS; round++) {
      engine.push(await engineRound(DEFAULT_ENGINE, server))
      node.push(await engineRound('ab', server))
      ab.push(await abRound(server))
    }
  } finally {
    await server.stop()
  }
  console.log(`${ROUNDS} interleaved rounds, ${REQUESTS} requests, ${CONCURRENCY} keep-alive connections; load average ${loadAtStart.toFixed(2)} -> ${loadavg()[0]!.toFixed(2)}`)
  console.log(line(DEFAULT_ENGINE.padEnd(6), engine))
  console.log(line('node  ', node))
  console.log(line('ab    ', ab))
  for (const [name, rounds] of [[DEFAULT_ENGINE, engine], ['node', node]] as const) {
    const ratios = rounds.map((round, i) => round.rps / ab[i]!.rps)
    console.log(`${name}/ab ratios: ${ratios.map((ratio) => ratio.toFixed(2)).join(' ')}`)
    console.log(`${name}/ab: median ratio ${medianRatio(rounds.map((r) => r.rps), ab.map((r) => r.rps)).toFixed(2)}x (range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`)
  }
}

await main()
