/**
 * `npm run perf`: one table of ratios, each side measured in this one run on this machine, with
 * Debian's ab, wrk and nginx when installed (a note in the table when not). Progress goes to
 * stderr; stdout is the markdown that docs/perf.md holds. Needs `npm run build` and root (the
 * probe figures run in a network namespace of their own: scripts/bench-probes.ts --json).
 * Takes about 2-3 minutes, half a minute of it waiting for ab to give up.
 */
import {existsSync, readFileSync} from 'node:fs'
import net from 'node:net'
import {availableParallelism, loadavg, release} from 'node:os'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import type {BenchReport, BenchRun} from '../src/bench/types.js'
import {DEFAULT_ENGINE, runLoad} from '../src/load/index.js'
import type {EngineName, LoadOptions, LoadResult} from '../src/load/types.js'
import {spawnOwned} from '../src/process/owned-process.js'
import {type ReferenceServer, type ReferenceServerMode, startReferenceServer} from '../src/targets/reference-server.js'
import type {ProbeFigures} from './bench-probes.js'
import {runAb} from './lib/ab.js'
import {burstSpanMs, startSynCapture} from './lib/syn-capture.js'
import {type Nginx, startNginx} from './lib/nginx.js'
import {interleave, median, medianRatio} from './lib/stats.js'
import {missingTool} from './lib/tools.js'
import {runWrk, wrkCommand} from './lib/wrk.js'

const ROUNDS = 7
const THROUGHPUT = {requests: 20_000, concurrency: 50}
const WRK = {threads: 1, connections: 50, seconds: 2}
const LT_ONE_THREAD: ReferenceServerMode = {trigger: 'lt', threads: 1, accept: 'drain', read: 'drain', backlog: 128}
/** The seed: ET listener, one accept per wakeup, 4 I/O threads; 50 µs per accept as `bench` uses by default. */
const SEED_MODE: ReferenceServerMode = {trigger: 'et', threads: 4, accept: 'once', read: 'drain', backlog: 128}
const SEED_FLAGS = ['--trigger', 'et', '--threads', '4', '--accept', 'once']
const SEED_ACCEPT_DELAY_US = 50
const CLI_RUNS = 3
/** ab -s 30 only gives up when the race shows; it shows in nearly every run at 50 µs per accept. */
const AB_GIVE_UP_TRIES = 3
const ROOT = fileURLToPath(new URL('..', import.meta.url))

interface Row {
  figure: string
  measured: string
  against: string
  ratio: string
  goal: string
}

const log = (line: string): void => console.error(line)

/** The engine the rows measure is bench's default; the Node ab engine is shown beside it. */
const ENGINE = DEFAULT_ENGINE
const NODE_ENGINE: EngineName = 'ab'
const engineLabel = (engine: EngineName): string => (engine === 'ab' ? 'Node ab engine' : `${engine} engine`)

async function main(): Promise<void> {
  // Every child is an owned process group or an execa child: exiting stops them all (owned-process
  // on 'exit', execa's cleanup). One handler, so the signal ends the run instead of one tool.
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) process.once(signal, () => process.exit(code))
  const loadAtStart = loadavg()[0]!
  // `--rows syn,throughput` runs only those rows (on a shared machine, measure only what changed).
  const sections: Record<string, () => Promise<Row[]>> = {throughput: throughputRows, burst: burstRows, syn: synBurstRows, seed: seedRows, probes: probeRows}
  const picked = rowsArgument() ?? Object.keys(sections)
  const unknown = picked.filter((name) => !(name in sections))
  if (unknown.length > 0) throw new Error(`--rows: unknown ${unknown.join(', ')}; rows are ${Object.keys(sections).join(', ')}`)
  const rows: Row[] = []
  for (const name of picked) rows.push(...(await sections[name]!()))
  console.log(renderMarkdown(rows, loadAtStart, loadavg()[0]!))
}

// --- requests/s: the default engine (and the Node one) against ab, wrk and the autocannon engine; the server against nginx

async function throughputRows(): Promise<Row[]> {
  const server = await startReferenceServer(LT_ONE_THREAD, {statsIntervalMs: 0})
  let nginx: Nginx | null = null
  try {
    nginx = missingTool('nginx') ? null : await startNginx()
    log(`throughput: ${ROUNDS} interleaved rounds on the reference server (lt, 1 I/O thread)${nginx ? ' and nginx' : ''}`)
    // Warm the JIT before anything is measured: with one warm-up run the Node engine's first
    // rounds still ran 25-30% slower than its later ones.
    await engineRps(ENGINE, server)
    for (let i = 0; i < 3; i++) await engineRps(NODE_ENGINE, server)
    await engineRps('autocannon', server)
    const measures: Record<string, () => Promise<number>> = {
      engine: () => engineRps(ENGINE, server),
      node: () => engineRps(NODE_ENGINE, server),
      autocannon: () => engineRps('autocannon', server),
    }
    if (!missingTool('ab')) measures.ab = () => abRps(server.url)
    if (!missingTool('wrk')) measures.wrk = () => runWrk(server.url, WRK)
    const nginxUrl = nginx?.url
    if (nginxUrl && !missingTool('wrk')) measures.nginx = () => runWrk(nginxUrl, WRK)
    const rps = await interleave(ROUNDS, measures)
    logSamples('req/s', rps)
    return [
      vsTool(ENGINE, 'Debian `ab -k`', 'ab', rps.ab, rps.engine!, '≥ 1.0x'),
      vsTool(NODE_ENGINE, 'Debian `ab -k`', 'ab', rps.ab, rps.node!, '-'),
      vsTool(ENGINE, `\`${wrkCommand(WRK)}\``, 'wrk', rps.wrk, rps.engine!, '-'),
      vsTool(ENGINE, 'the autocannon engine', null, rps.autocannon, rps.engine!, '-'),
      nginxRow(rps.wrk, rps.nginx, nginx),
    ]
  } finally {
    await nginx?.stop()
    await server.stop()
  }
}

/** Every round's figure on stderr: the spread behind each median, on a machine that may be busy. */
function logSamples(unit: string, samples: Record<string, number[]>): void {
  for (const [name, values] of Object.entries(samples)) log(`  ${unit} ${name}: ${values.map((value) => value.toFixed(value < 100 ? 1 : 0)).join(' ')}`)
}

function loadOptions(server: ReferenceServer, requests: number, concurrency: number): LoadOptions {
  return {host: server.host, port: server.port, path: '/', requests, concurrency, keepAlive: true, stallMs: 2000, timeoutMs: 60_000}
}

async function engineRps(engine: EngineName, server: ReferenceServer): Promise<number> {
  const result = await runLoad(engine, loadOptions(server, THROUGHPUT.requests, THROUGHPUT.concurrency))
  assertComplete(result)
  return result.requestsPerSecond
}

function assertComplete(result: LoadResult): void {
  if (result.completed !== result.requested) throw new Error(`${result.engine} engine completed ${result.completed} of ${result.requested} (${result.end})`)
}

async function abRps(url: string): Promise<number> {
  const result = await runAb(url, THROUGHPUT)
  if (result.requestsPerSecond === null || result.completed !== THROUGHPUT.requests) throw new Error(`ab did not complete:\n${result.output}`)
  return result.requestsPerSecond
}

function vsTool(engineName: EngineName, name: string, tool: string | null, theirs: number[] | undefined, engine: number[], goal: string): Row {
  const figure = `requests/s: ${engineLabel(engineName)} vs ${name} (${THROUGHPUT.requests.toLocaleString('en-US')} requests, ${THROUGHPUT.concurrency} connections, keep-alive)`
  if (!theirs) return {figure, measured: rps(engine), against: missingTool(tool!) ?? 'not measured', ratio: '-', goal}
  const ratio = medianRatio(engine, theirs)
  return {figure, measured: rps(engine), against: rps(theirs), ratio: times(ratio), goal: goal === '-' ? goal : `${goal}: ${ratio >= 1 ? 'met' : 'not met'}`}
}

function nginxRow(reference: number[] | undefined, nginxRps: number[] | undefined, nginx: Nginx | null): Row {
  const figure = `requests/s: reference server (lt, 1 I/O thread) vs nginx (1 worker, \`return 200\`), same \`${wrkCommand(WRK)}\``
  if (!reference || !nginxRps) {
    return {figure, measured: reference ? rps(reference) : '-', against: missingTool('wrk') ?? missingTool('nginx') ?? (nginx ? '-' : 'nginx not started'), ratio: '-', goal: '-'}
  }
  return {figure, measured: rps(reference), against: rps(nginxRps), ratio: times(medianRatio(reference, nginxRps)), goal: '-'}
}

// --- the 94-connection burst

/**
 * ab's burst is not observable from outside without slowing ab (strace), so the reference is the
 * floor: 93 bare net.connect() calls from Node at once, on the same server.
 */
async function burstRows(): Promise<Row[]> {
  const server = await startReferenceServer(LT_ONE_THREAD, {statsIntervalMs: 0})
  try {
    log(`burst: ${ROUNDS} interleaved rounds`)
    const ms = await interleave(ROUNDS, {engine: () => engineBurstMs(server), bare: () => bareBurstMs(server, 93)})
    logSamples('burst ms', ms)
    return [
      {
        figure: `94-connection burst: ${engineLabel(ENGINE)} (first response → 93rd other connect) vs 93 bare Node \`net.connect()\` at once`,
        measured: `${median(ms.engine).toFixed(1)} ms`,
        against: `${median(ms.bare).toFixed(1)} ms`,
        ratio: times(medianRatio(ms.engine, ms.bare)),
        goal: '-',
      },
    ]
  } finally {
    await server.stop()
  }
}

/** ab's pattern: one connection, then the other 93 in a burst once its first response is in. */
async function engineBurstMs(server: ReferenceServer): Promise<number> {
  const result = await runLoad(ENGINE, loadOptions(server, 1000, 94))
  assertComplete(result)
  const [first, ...rest] = result.connections
  return Math.max(...rest.map((connection) => connection.connectedAtMs ?? Number.NaN)) - (first!.firstByteAtMs ?? Number.NaN)
}

async function bareBurstMs(server: ReferenceServer, count: number): Promise<number> {
  const start = performance.now()
  const sockets = await Promise.all(
    Array.from({length: count}, () => new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect(server.port, server.host, () => resolve(socket))
      socket.once('error', reject)
    })),
  )
  const elapsed = performance.now() - start
  for (const socket of sockets) socket.destroy()
  return elapsed
}

function rowsArgument(): string[] | null {
  const at = process.argv.indexOf('--rows')
  return at < 0 ? null : (process.argv[at + 1] ?? '').split(',').filter(Boolean)
}

// --- the burst's SYNs on loopback, the engine against ab, seen the same way for both

const SYN_BURST = {requests: 1000, concurrency: 94}
/** One burst is a few ms and a busy moment of the machine moves it by 10 ms: more rounds than the other rows. */
const SYN_ROUNDS = 15

/**
 * The span of the burst's SYNs on loopback (tcpdump), from the 2nd to the 94th: the 1st
 * connection goes alone, and both clients open the other 93 after its first response. The same
 * capture for both, so neither is slowed by being watched. Interleaved rounds; the engine runs
 * in this process (one wave: ab's one burst), ab as Debian's binary.
 */
async function synBurstRows(): Promise<Row[]> {
  const figure = `${SYN_BURST.concurrency}-connection burst, span of its SYNs on loopback (2nd to ${SYN_BURST.concurrency}th, \`tcpdump -i lo\`): ${engineLabel(ENGINE)} vs \`ab -n ${SYN_BURST.requests} -c ${SYN_BURST.concurrency} -k\``
  const missing = missingTool('tcpdump') ?? missingTool('ab')
  if (missing) return [{figure, measured: '-', against: missing, ratio: '-', goal: '≤ 1.0x'}]
  if (process.getuid?.() !== 0) return [{figure, measured: '-', against: 'not measured: tcpdump needs root', ratio: '-', goal: '≤ 1.0x'}]
  const server = await startReferenceServer(LT_ONE_THREAD, {statsIntervalMs: 0})
  try {
    log(`syn burst: ${SYN_ROUNDS} interleaved rounds, tcpdump on lo`)
    await engineSynSpan(server)
    const rates = {engine: [] as number[], ab: [] as number[]}
    const ms = await interleave(SYN_ROUNDS, {engine: () => engineSynSpan(server, rates.engine), ab: () => abSynSpan(server, rates.ab)})
    logSamples('syn span ms', ms)
    logSamples('syn run req/s', rates)
    const ratio = medianRatio(ms.engine, ms.ab)
    const rateRatio = medianRatio(rates.engine, rates.ab)
    return [
      {
        figure: `${figure}; and requests/s of the same runs`,
        measured: `${median(ms.engine).toFixed(2)} ms; ${rps(rates.engine)}`,
        against: `${median(ms.ab).toFixed(2)} ms; ${rps(rates.ab)}`,
        ratio: `${times(ratio)}; ${times(rateRatio)}`,
        goal: `span ≤ 1.0x: ${ratio <= 1 ? 'met' : 'not met'}; req/s ≥ 1.0x: ${rateRatio >= 1 ? 'met' : 'not met'}`,
      },
    ]
  } finally {
    await server.stop()
  }
}

async function engineSynSpan(server: ReferenceServer, rates: number[] = []): Promise<number> {
  const capture = await startSynCapture(server.port)
  const result = await runLoad(ENGINE, {...loadOptions(server, SYN_BURST.requests, SYN_BURST.concurrency), waves: 1})
  assertComplete(result)
  rates.push(result.requestsPerSecond)
  return burstSpanMs(await capture.stop(), SYN_BURST.concurrency)
}

async function abSynSpan(server: ReferenceServer, rates: number[]): Promise<number> {
  const capture = await startSynCapture(server.port)
  const result = await runAb(server.url, SYN_BURST)
  if (result.completed !== SYN_BURST.requests || result.requestsPerSecond === null) throw new Error(`ab did not complete:\n${result.output}`)
  rates.push(result.requestsPerSecond)
  return burstSpanMs(await capture.stop(), SYN_BURST.concurrency)
}

// --- the seed scenario: time to a verdict against ab's time to give up

async function seedRows(): Promise<Row[]> {
  const figure = `seed scenario: \`reactor-doctor bench ${SEED_FLAGS.join(' ')}\` to its verdict vs \`ab -n 1000 -c 94 -k -s 30\` giving up`
  const goal = '-'
  const cli = await cliTimeToVerdict()
  if (!cli.ok) return [{figure, measured: cli.note, against: '-', ratio: '-', goal}]
  const measured = `${seconds(median(cli.wallMs))} (${cli.note})`
  const missingAb = missingTool('ab')
  if (missingAb) return [{figure, measured, against: missingAb, ratio: '-', goal}]
  const ab = await abTimeToGiveUp()
  const against = ab.gaveUp ? `${seconds(ab.wallMs)} (${ab.note})` : ab.note
  return [{figure, measured, against, ratio: ab.gaveUp ? times(median(cli.wallMs) / ab.wallMs) : '-', goal}]
}

type CliTimes = {ok: true; wallMs: number[]; note: string} | {ok: false; note: string}

/** Wall time of the built CLI, node start to exit, as a user or a CI job waits for it. */
async function cliTimeToVerdict(): Promise<CliTimes> {
  if (!existsSync(`${ROOT}dist/commands/bench.js`)) return {ok: false, note: 'not measured: run `npm run build` first'}
  log(`seed: ${CLI_RUNS} runs of the built CLI`)
  const wallMs: number[] = []
  const runMs: number[] = []
  let flagged = 0
  for (let run = 0; run < CLI_RUNS; run++) {
    const start = performance.now()
    const result = await execa(process.execPath, ['bin/run.js', 'bench', ...SEED_FLAGS, '--json'], {cwd: ROOT, reject: false})
    wallMs.push(performance.now() - start)
    const report = parseRun(String(result.stdout))
    if (report) runMs.push(report.durationMs)
    if (result.exitCode === 1 && report?.verdict.findings.some((finding) => finding.kind === 'lost-connections')) flagged++
  }
  const inside = runMs.length > 0 ? `; ${seconds(median(runMs))} of it from server start to verdict` : ''
  return {ok: true, wallMs, note: `median of ${CLI_RUNS}; exit 1 with lost connections in ${flagged} of ${CLI_RUNS}${inside}`}
}

function parseRun(stdout: string): BenchRun | null {
  try {
    const report = JSON.parse(stdout) as BenchReport
    return report.kind === 'single' ? report.run : null
  } catch {
    return null // not a report: a usage or tool error
  }
}

/** ab against the reference server in the seed's mode, until a run shows the race (ab gives up). */
async function abTimeToGiveUp(): Promise<{gaveUp: boolean; wallMs: number; note: string}> {
  for (let attempt = 1; attempt <= AB_GIVE_UP_TRIES; attempt++) {
    log(`seed: ab -n 1000 -c 94 -k -s 30, try ${attempt} (waits for ab's 30 s timeout when the race shows)`)
    const server = await startReferenceServer(SEED_MODE, {statsIntervalMs: 0, acceptDelayUs: SEED_ACCEPT_DELAY_US})
    try {
      const ab = await runAb(server.url, {requests: 1000, concurrency: 94, timeoutS: 30})
      if (ab.timedOut) return {gaveUp: true, wallMs: ab.wallMs, note: `exit ${ab.exitCode}, "Total of ${ab.completed} requests completed"`}
    } finally {
      await server.stop()
    }
  }
  return {gaveUp: false, wallMs: 0, note: `ab completed in each of ${AB_GIVE_UP_TRIES} tries: the race did not show`}
}

// --- one probe snapshot per source, 10,000 other sockets, in a namespace of its own

async function probeRows(): Promise<Row[]> {
  const figures = await runBenchProbes()
  const figure = (source: string): string => `probe snapshot, ${source} source, 10,000 other sockets: owners off (owners on) vs bare \`ss -tanH '( sport = :PORT )'\``
  const goal = '-'
  if (typeof figures === 'string') return [{figure: figure('each'), measured: figures, against: '-', ratio: '-', goal}]
  const bare = ms(figures.bareSsMs)
  const rows: Row[] = [
    {
      figure: 'bare `ss -tanH \'( sport = :PORT )\'` with 10,000 other sockets vs in the same namespace before they were opened',
      measured: bare,
      against: ms(figures.bareSsEmptyMs),
      ratio: times(figures.bareSsMs / figures.bareSsEmptyMs),
      goal: 'context',
    },
    {
      figure: 'bare `ss -tanH \'( sport = :PORT )\'` with 10,000 other sockets: spawned by Node vs in a shell loop',
      measured: bare,
      against: ms(figures.bareSsShellMs),
      ratio: times(figures.bareSsMs / figures.bareSsShellMs),
      goal: 'context',
    },
  ]
  for (const [source, snapshot] of Object.entries(figures.snapshots)) {
    rows.push(
      snapshot
        ? {figure: figure(source), measured: `${ms(snapshot.ms)} (${ms(snapshot.ownersMs)})`, against: bare, ratio: `${times(snapshot.ratio)} (${times(snapshot.ownersRatio)})`, goal}
        : {figure: figure(source), measured: missingTool(source) ?? '-', against: bare, ratio: '-', goal},
    )
  }
  const {sampling} = figures
  const percent = (value: number) => `${value.toFixed(1)}% of one core`
  const wholeTable = sampling.wholeTablePercent.proc!
  rows.push({
    figure: `sampling a 100-connection port at 50 Hz: bench's sampler (LISTEN row every sample, whole table in ${sampling.samplerFullReads} of ${sampling.samplerSamples}) vs a /proc snapshot every sample`,
    measured: `${percent(sampling.samplerPercent)} (a 50 Hz timer alone ${sampling.floorPercent.toFixed(1)}%; with the queue reads ${sampling.queueReadsPercent.toFixed(1)}%)`,
    against: percent(wholeTable),
    ratio: times(sampling.samplerPercent / wholeTable),
    goal: `< 5%: ${sampling.samplerPercent < 5 ? 'met' : 'not met'}`,
  })
  return rows
}

/** The figures bench-probes.ts --json prints, or why there are none. Needs root for unshare. */
async function runBenchProbes(): Promise<ProbeFigures | string> {
  log('probes: 10,000 other sockets in a network namespace (scripts/bench-probes.ts --json)')
  const script = fileURLToPath(new URL('bench-probes.ts', import.meta.url))
  // An owned process group: the namespace's shell and node go with it on every path.
  const child = spawnOwned(process.execPath, [...process.execArgv, script, '--json'])
  const lines: string[] = []
  child.onStdoutLine((line) => lines.push(line))
  child.onStderrLine(log)
  try {
    const exit = await child.exited
    const json = lines.find((line) => line.startsWith('{'))
    if (exit.code === 0 && json) return JSON.parse(json) as ProbeFigures
    return `not measured: ${child.stderrTail.at(-1) ?? `exit ${exit.code}`}${process.getuid?.() === 0 ? '' : ' (needs root)'}`
  } finally {
    await child.stop()
  }
}

// --- rendering

function rps(samples: number[]): string {
  return Math.round(median(samples)).toLocaleString('en-US')
}

function times(ratio: number): string {
  return `${ratio.toFixed(2)}x`
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`
}

function seconds(valueMs: number): string {
  return `${(valueMs / 1000).toFixed(2)} s`
}

function renderMarkdown(rows: Row[], loadAtStart: number, loadAtEnd: number): string {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU'
  const date = new Date().toISOString().replace('T', ' ').slice(0, 16)
  return [
    `Measured ${date} UTC on ${availableParallelism()} CPUs (${cpu}), Linux ${release()}, Node ${process.version}; ` +
      `1-minute load average ${loadAtStart.toFixed(2)} at the start, ${loadAtEnd.toFixed(2)} at the end.`,
    '',
    '| figure | measured | against | ratio | goal |',
    '|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.figure} | ${row.measured} | ${row.against} | ${row.ratio} | ${row.goal} |`),
    '',
    `Ratio = measured ÷ against. Requests/s and the burst: median of ${ROUNDS} interleaved rounds, the ratio the median of per-round ratios. ` +
      'Probe snapshots: medians of interleaved runs, the ratio the median of per-run ratios. ' +
        'Sampling: CPU time of all the process\'s threads (schedstat), median of 5 interleaved rounds of 2 s, after the 10,000 other sockets are closed.',
  ].join('\n')
}

await main()
