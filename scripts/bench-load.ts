/**
 * Load-engine benchmark (not a test): the ab engine's requests/s against Debian's ab, wrk and
 * the autocannon engine, all on the same keep-alive server in one run, plus the time the ab
 * engine takes to open its 94-connection burst. Server: nginx with one worker when installed,
 * else the reference server (LT, one I/O thread).
 * Usage: npx tsx scripts/bench-load.ts [rounds] [nginx|reference]
 */
import {spawn, execFile, type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {connect, createServer, type AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {promisify} from 'node:util'
import {runLoad} from '../src/load/index.js'
import type {EngineName, LoadResult} from '../src/load/types.js'

const run = promisify(execFile)
const REQUESTS = 20_000
const CONCURRENCY = 50
const ROUNDS = Number(process.argv[2] ?? 5)
const SERVER_CHOICE = process.argv[3]
const REFERENCE_SERVER = new URL('../reference-server/build/reactor-server', import.meta.url).pathname

interface Server {
  name: string
  port: number
  child: ChildProcess
  cleanup: () => Promise<void>
}

interface Row {
  tool: string
  rps: number[]
}

async function main(): Promise<void> {
  const server = await startServer()
  const stopOnSignal = (): void => {
    void stopServer(server).then(() => process.exit(130))
  }
  process.once('SIGINT', stopOnSignal)
  process.once('SIGTERM', stopOnSignal)
  try {
    console.log(`server: ${server.name} on 127.0.0.1:${server.port}; ${REQUESTS} requests, ${CONCURRENCY} connections, keep-alive, median of ${ROUNDS} rounds`)
    await engineRps('ab', server.port) // warm the JIT before anything is measured
    const rows = await measureThroughput(server.port)
    const bursts = await measureBursts(server.port)
    console.log(renderTable(rows, bursts))
  } finally {
    await stopServer(server)
  }
}

/** Interleaves the tools round by round, so a slow moment of the machine hits all of them. */
async function measureThroughput(port: number): Promise<Row[]> {
  const tools: Array<[string, () => Promise<number | null>]> = [
    ['ab engine', () => engineRps('ab', port)],
    ['Debian ab -k', () => abRps(port)],
    ['wrk -t1', () => wrkRps(port)],
    ['autocannon engine', () => engineRps('autocannon', port)],
  ]
  const rows: Row[] = tools.map(([tool]) => ({tool, rps: []}))
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, [, measure]] of tools.entries()) {
      const rps = await measure()
      if (rps !== null) rows[index].rps.push(rps)
    }
  }
  return rows.filter((row) => row.rps.length > 0)
}

async function engineRps(engine: EngineName, port: number): Promise<number> {
  const result = await runLoad(engine, loadOptions(port, REQUESTS, CONCURRENCY))
  assertComplete(result, REQUESTS)
  return result.requestsPerSecond
}

function loadOptions(port: number, requests: number, concurrency: number) {
  return {host: '127.0.0.1', port, path: '/', requests, concurrency, keepAlive: true, stallMs: 2000, timeoutMs: 60_000}
}

function assertComplete(result: LoadResult, requests: number): void {
  if (result.completed !== requests) throw new Error(`${result.engine} completed ${result.completed} of ${requests} (${result.end})`)
}

async function abRps(port: number): Promise<number | null> {
  const output = await tool('ab', ['-q', '-k', '-n', String(REQUESTS), '-c', String(CONCURRENCY), `http://127.0.0.1:${port}/`])
  const match = output && /Requests per second:\s+([\d.]+)/.exec(output)
  return match ? Number(match[1]) : null
}

/** wrk runs for a time, not a count: about as long as ab needs for the same requests. */
async function wrkRps(port: number): Promise<number | null> {
  const output = await tool('wrk', ['-t1', `-c${CONCURRENCY}`, '-d1s', `http://127.0.0.1:${port}/`])
  const match = output && /Requests\/sec:\s+([\d.]+)/.exec(output)
  return match ? Number(match[1]) : null
}

/** stdout of a tool, or null when it is not installed. */
async function tool(command: string, args: string[]): Promise<string | null> {
  try {
    const {stdout} = await run(command, args, {timeout: 60_000})
    return stdout
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/** ms from the first response (which starts the burst) until the last of 93 connections is up. */
async function measureBursts(port: number): Promise<number[]> {
  const bursts: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const result = await runLoad('ab', loadOptions(port, 1000, 94))
    assertComplete(result, 1000)
    const [first, ...rest] = result.connections
    const lastConnected = Math.max(...rest.map((connection) => connection.connectedAtMs ?? Number.NaN))
    bursts.push(lastConnected - (first.firstByteAtMs ?? Number.NaN))
  }
  return bursts
}

/** Ratios are paired per round (same moment of the machine), then the median is taken. */
function renderTable(rows: Row[], bursts: number[]): string {
  const engine = rows[0].rps
  const lines = ['', 'tool                 req/s (median)   ab engine ÷ tool (median of rounds)   rounds (req/s)']
  for (const row of rows) {
    const ratios = row.rps.map((rps, round) => engine[round] / rps)
    const ratio = `${median(ratios).toFixed(2)}x`
    lines.push(`${row.tool.padEnd(20)} ${median(row.rps).toFixed(0).padStart(14)}   ${ratio.padStart(35)}   ${row.rps.map((r) => r.toFixed(0)).join(' ')}`)
  }
  for (const missing of ['Debian ab -k', 'wrk -t1'].filter((name) => !rows.some((row) => row.tool === name))) {
    lines.push(`${missing.padEnd(20)} not installed`)
  }
  const burstRounds = bursts.map((burst) => burst.toFixed(2)).join(' ')
  lines.push('', `94-connection burst (ab engine, first response -> last of 93 connects): median ${median(bursts).toFixed(2)} ms; rounds ${burstRounds}`)
  return lines.join('\n')
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

async function startServer(): Promise<Server> {
  if (SERVER_CHOICE === 'reference') return startReferenceServer()
  if (SERVER_CHOICE === 'nginx' || (await tool('nginx', ['-v'])) !== null) return startNginx()
  return startReferenceServer()
}

/** nginx, one worker, `return 200`, from a temporary config; stdio ignored except errors. */
async function startNginx(): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-load-'))
  const port = await freePort()
  const config = join(dir, 'nginx.conf')
  await writeFile(
    config,
    `daemon off; master_process on; user root; worker_processes 1; error_log stderr; pid ${dir}/nginx.pid;\n` +
      `events {} http { access_log off; server { listen 127.0.0.1:${port}; location / { return 200 "ok\\n"; } } }\n`,
  )
  const child = spawn('nginx', ['-c', config, '-p', dir], {stdio: ['ignore', 'ignore', 'inherit']})
  const cleanup = (): Promise<void> => rm(dir, {recursive: true, force: true})
  try {
    await waitForPort(port, child)
  } catch (error) {
    await stopServer({name: 'nginx', port, child, cleanup})
    throw error
  }
  return {name: 'nginx 1 worker', port, child, cleanup}
}

async function startReferenceServer(): Promise<Server> {
  const child = spawn(REFERENCE_SERVER, ['--trigger', 'lt', '--threads', '1', '--port', '0'], {stdio: ['ignore', 'pipe', 'inherit']})
  const server: Server = {name: 'reference server (lt, 1 I/O thread)', port: 0, child, cleanup: async () => {}}
  try {
    const lines = createInterface({input: child.stdout!})
    const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit')])) as [string]
    server.port = (JSON.parse(line) as {port: number}).port
    lines.on('line', () => {}) // keep draining its stats lines
    return server
  } catch (error) {
    await stopServer(server)
    throw new Error(`cannot start ${REFERENCE_SERVER} (run npm run build:c): ${String(error)}`)
  }
}

async function stopServer(server: Server): Promise<void> {
  const {child} = server
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    await exited
  }
  await server.cleanup()
}

async function freePort(): Promise<number> {
  const probe = createServer()
  probe.listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const {port} = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

/** Polls until something accepts on the port, or fails if the child exits first. */
async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`)
    const connected = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (connected) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`nothing listening on port ${port} after 5 s`)
}

await main()
