/**
 * The human bench report: the verdict in one line first, then the findings with their evidence,
 * then the numbers behind them. Fixed-width layout that reads the same with or without colour.
 */
import type {BenchReport, BenchRun, MatrixReport, MatrixRow, RepeatReport, TimelinePoint} from '../bench/types.js'
import type {Verdict, VerdictStatus} from '../diagnose/types.js'
import type {LoadResult} from '../load/types.js'
import {isLostConnection} from '../load/connection-record.js'
import type {ServerStats} from '../targets/reference-server.js'
import {drawBarChart, formatMs} from './ascii-chart.js'
import {paintVerdict, type Style} from './style.js'
import {formatEndpoint} from '../probes/address.js'
import {plural} from '../diagnose/describe.js'
import {renderDiagnosisLines} from './render-diagnoses.js'
import {renderReactorMap} from './reactor-map.js'
import {portInodes} from '../probes/socket-evidence.js'
import {LABEL_WIDTH, LINE_WIDTH, wrapWords} from './text-layout.js'

const CHART_WIDTH = 60
const CHART_HEIGHT = 4

export interface Headline {
  status: VerdictStatus
  text: string
}

export function renderBenchText(report: BenchReport, style: Style): string {
  const lines =
    report.kind === 'single' ? renderRunLines(report.run, style) : report.kind === 'repeat' ? renderRepeatLines(report.repeat, style) : renderMatrixLines(report.matrix, style)
  return `${lines.map((line) => line.trimEnd()).join('\n')}\n`
}

/** The one-line verdict of a run, shared by the text and HTML reports. */
export function describeRun(run: BenchRun): Headline {
  const {verdict, load} = run
  if (verdict.status === 'healthy') {
    const asked = load.requested ?? load.sent
    const queue = lastAcceptQueue(run.timeline) === 0 ? ', accept queue drained' : ''
    return {status: 'healthy', text: `HEALTHY: ${load.completed}/${asked} requests${queue}`}
  }
  const silent = countSilentClients(load)
  if (verdict.status === 'findings' && silent > 0) {
    return {status: 'findings', text: `LOST CONNECTIONS: ${silent} of ${load.connections.length} clients never got a byte`}
  }
  return describeVerdict(verdict)
}

/** The one-line verdict when there is no load to count clients from (sockets --watch). */
export function describeVerdict(verdict: Verdict): Headline {
  switch (verdict.status) {
    case 'healthy':
      return {status: 'healthy', text: 'HEALTHY: no finding'}
    case 'findings': {
      const more = verdict.findings.length > 1 ? ` (+${verdict.findings.length - 1} more)` : ''
      return {status: 'findings', text: `FINDINGS: ${verdict.findings[0]?.title ?? 'see below'}${more}`}
    }
    case 'inconclusive':
      return {status: 'inconclusive', text: `INCONCLUSIVE: ${verdict.notes[0] ?? 'not enough data to decide'}`}
  }
}

export function describeMatrix(matrix: MatrixReport): Headline {
  const runs = sum(matrix.rows.map((row) => row.runs))
  const lossyRuns = sum(matrix.rows.map((row) => row.lossyRuns))
  const lossyModes = matrix.rows.filter((row) => row.lossyRuns > 0).length
  if (lossyModes === 0) {
    return {status: 'healthy', text: `HEALTHY: no connection lost in ${runs} runs of ${matrix.rows.length} modes`}
  }
  return {
    status: 'findings',
    text: `LOST CONNECTIONS: ${lossyRuns} of ${runs} runs, in ${lossyModes} of ${matrix.rows.length} modes`,
  }
}

/** --repeat on one target: how many of its runs lost connections. */
export function describeRepeat(repeat: RepeatReport): Headline {
  const total = repeat.runs.length
  if (repeat.lossyRuns > 0) return {status: 'findings', text: `LOST CONNECTIONS in ${repeat.lossyRuns} of ${total} runs`}
  const inconclusive = repeat.runs.filter((run) => run.verdict.status === 'inconclusive').length
  if (inconclusive > 0) return {status: 'inconclusive', text: `INCONCLUSIVE: ${inconclusive} of ${total} runs could not tell; no connection lost in the others`}
  const findings = repeat.runs.filter((run) => run.verdict.status === 'findings').length
  if (findings > 0) return {status: 'findings', text: `FINDINGS in ${findings} of ${total} runs; no connection lost`}
  return {status: 'healthy', text: `HEALTHY: no connection lost in ${total} runs`}
}

/** The run a repeat's report shows whole: the first that lost connections, else the first with findings, else the last. */
export function repeatShownRun(repeat: RepeatReport): number {
  const lossy = repeat.runs.findIndex((run) => countSilentClients(run.load) > 0 || run.verdict.status === 'findings')
  return lossy >= 0 ? lossy : repeat.runs.length - 1
}

function renderRepeatLines(repeat: RepeatReport, style: Style): string[] {
  const headline = describeRepeat(repeat)
  const shown = repeatShownRun(repeat)
  const cells = repeat.runs.map((run, index) => {
    const waves = run.load.waves
    return [
      String(index + 1),
      describeRun(run).text,
      waves === undefined ? '-' : `${waves.started}/${waves.requested}`,
      formatMs(run.durationMs),
    ]
  })
  const table = alignColumns([['run', 'result', 'waves', 'time'], ...cells], [true, false, true, true]).map((columns) => columns.join('  '))
  return [
    paintVerdict(style, headline.status, headline.text),
    style.dim(`${repeat.runs[0]?.target.description ?? ''}, a fresh server for each run`),
    '',
    style.bold(table[0]!),
    ...table.slice(1).map((line, index) => (repeat.runs[index]!.verdict.status === 'findings' ? style.red(line) : line)),
    '',
    style.bold(`Run ${shown + 1} of ${repeat.runs.length}:`),
    ...renderRunLines(repeat.runs[shown]!, style),
  ]
}

/** Clients that sent a request and never received a byte: the connections the server lost. */
export function countSilentClients(load: LoadResult): number {
  return load.connections.filter(isLostConnection).length
}

/** Clients that never sent a request: the requests ran out before their turn. */
export function countIdleClients(load: LoadResult): number {
  return load.connections.filter((connection) => connection.requestsSent === 0 && connection.bytesReceived === 0).length
}

/** "90 of 94 got a response, 4 never got a byte", and how many had no request to send. */
export function describeClients(total: number, served: number, silent: number, idle: number): string {
  const idleText = idle > 0 ? `, ${idle} had no request to send` : ''
  return `${served} of ${total} got a response, ${silent} never got a byte${idleText}`
}

export function describeLoadEnd(load: LoadResult): string {
  switch (load.end) {
    case 'completed':
      return 'completed'
    case 'stalled':
      return `stalled: no response for ${load.stallMs ?? '?'} ms with requests outstanding`
    case 'timeout':
      return `timeout: the run hit its time limit after ${formatMs(load.durationMs)}`
    case 'aborted':
      return 'aborted (interrupted)'
    case 'duration':
      return `duration of ${formatMs(load.durationMs)} elapsed`
  }
}

/** "917-999/1000": min-max of completed requests per run, of those requested. */
export function describeCompleted(row: MatrixRow): string {
  const low = Math.min(...row.completed)
  const high = Math.max(...row.completed)
  return `${low === high ? low : `${low}-${high}`}/${row.requested}`
}

function renderRunLines(run: BenchRun, style: Style): string[] {
  const headline = describeRun(run)
  const {target} = run
  const where = `${formatEndpoint({address: target.host, port: target.port})}${target.pid === null ? '' : `, pid ${target.pid}`}`
  return [
    paintVerdict(style, headline.status, headline.text),
    style.dim(`${target.description} (${where}), run took ${formatMs(run.durationMs)}`),
    ...renderDiagnosisLines(run.verdict, style),
    ...renderReactorLines(run, style),
    ...renderNoteLines(run.verdict.notes, style),
    ...renderLoadLines(run.load, style),
    ...renderQueueLines(run, style),
    ...(run.serverStats === null ? [] : renderServerLines(run.serverStats, style)),
  ]
}

/**
 * The reactor map: while the load was stalled (the clients still connected, the moment that
 * shows most) if it stalled, else at the final reading. JSON and HTML hold both.
 */
function renderReactorLines(run: BenchRun, style: Style): string[] {
  const stalled = run.reactor.atStall !== null && run.stalledSnapshot !== null
  const reading = stalled ? run.reactor.atStall : run.reactor.atEnd
  if (!reading) return []
  const snapshot = stalled ? run.stalledSnapshot! : run.finalSnapshot
  const when = stalled ? 'while the load was stalled, clients still connected' : 'at the final reading'
  return ['', style.bold(`Server reactor (from /proc, ${when})`), ...renderReactorMap(reading, portInodes(snapshot, run.target.port), run.target.port).map((line) => `  ${line}`)]
}

function renderNoteLines(notes: string[], style: Style): string[] {
  if (notes.length === 0) return []
  return ['', style.bold('Notes'), ...notes.flatMap((note) => wrapWords(note, LINE_WIDTH - 4).map((line, at) => `  ${at === 0 ? '-' : ' '} ${line}`))]
}

function renderLoadLines(load: LoadResult, style: Style): string[] {
  const silent = countSilentClients(load)
  const idle = countIdleClients(load)
  const served = load.connections.length - silent - idle
  const requested = load.requested === null ? 'duration run' : `${load.requested} requested`
  const latency = load.latencyMs === null
    ? 'no responses'
    : `p50 ${formatLatency(load.latencyMs.p50)}, p99 ${formatLatency(load.latencyMs.p99)}, max ${formatLatency(load.latencyMs.max)}`
  return [
    '',
    style.bold('Load'),
    row('engine', `${load.engine}, ${load.concurrency} connections, ${load.keepAlive ? 'keep-alive' : 'no keep-alive'}, ${load.url}`),
    row('requests', `${load.completed} completed / ${load.sent} sent / ${requested}`),
    row('clients', describeClients(load.connections.length, served, silent, idle)),
    ...(load.waves === undefined || load.waves.requested === 1 ? [] : [row('waves', describeWaves(load, load.waves))]),
    row('rate', `${Math.round(load.requestsPerSecond)} req/s over ${formatMs(load.durationMs)}`),
    row('latency', latency),
    row('errors', `${load.errors} connection errors, ${load.non2xx} non-2xx, ${load.reconnects} reconnects`),
    row('ended', describeLoadEnd(load)),
  ]
}

/** "10 of 10 bursts of 94 connections" or "4 of 10 started: wave 4 lost 12 connections and stalled". */
function describeWaves(load: LoadResult, waves: {requested: number; started: number}): string {
  const bursts = `${waves.started} of ${waves.requested} bursts of ${load.concurrency} connections`
  const lostWaves = [...new Set(load.connections.filter((c) => c.bytesReceived === 0 && c.requestsSent > 0).map((c) => c.wave ?? 1))]
  if (lostWaves.length === 0) return bursts
  return `${bursts}; the connections lost were in wave ${lostWaves.join(', ')}, where the run stopped`
}

function renderQueueLines(run: BenchRun, style: Style): string[] {
  const samples = run.timeline.map((point) => ({atMs: point.atMs, value: point.acceptQueue}))
  const seen = samples.filter((sample) => sample.value !== null)
  const title = style.bold('Accept queue')
  if (seen.length === 0) return ['', `${title} no LISTEN row seen in /proc/net/tcp`]
  const peak = Math.max(...seen.map((sample) => sample.value ?? 0))
  if (peak === 0) return ['', `${title} (LISTEN Recv-Q) stayed at 0 in ${seen.length} samples`, ...renderCounterLines(run)]
  const backlog = run.timeline.find((point) => point.backlog !== null)?.backlog
  const last = lastAcceptQueue(run.timeline) ?? 0
  const chart = drawBarChart(samples, {width: CHART_WIDTH, height: CHART_HEIGHT, markAtMs: run.load.durationMs})
  const ending = last === 0 ? 'drained to 0 at the end' : `still ${last} queued at the end`
  return [
    '',
    `${title} (LISTEN Recv-Q), peak ${peak}${backlog === undefined ? '' : ` of backlog ${backlog}`}`,
    ...chart.map((line) => `  ${line}`),
    `  ┴ load ended at ${formatMs(run.load.durationMs)}; ${last === 0 ? ending : style.red(ending)}`,
    ...renderCounterLines(run),
  ]
}

function renderCounterLines(run: BenchRun): string[] {
  const {before, after} = run.counters
  if (before === null || after === null) return []
  const overflows = after.listenOverflows - before.listenOverflows
  const drops = after.listenDrops - before.listenDrops
  return [`  ListenOverflows +${overflows}, ListenDrops +${drops} (whole network namespace)`]
}

function renderServerLines(stats: ServerStats, style: Style): string[] {
  return [
    '',
    style.bold('Reference server'),
    row('accepted', `${stats.accepted}, closed ${stats.closed}, rejected ${stats.rejected}, requests ${stats.requests}`),
    row('listener', `${plural(stats.listenWakeups, 'wakeup')}, ${stats.acceptEagain} accept() EAGAIN`),
    row('open', describeOpenPerLoop(stats.open)),
  ]
}

/** "main loop 0, I/O loops 0 0 0 0": the server reports open connections per loop, main first. */
export function describeOpenPerLoop(open: number[]): string {
  const [main = 0, ...io] = open
  return io.length === 0 ? `main loop ${main}` : `main loop ${main}, I/O loops ${io.join(' ')}`
}

function renderMatrixLines(matrix: MatrixReport, style: Style): string[] {
  const headline = describeMatrix(matrix)
  // Two header rows keep the table within 80 columns.
  const header = [['', 'lost', '', 'peak', 'never', 'time'], ['mode', 'runs', 'completed', 'queue', 'accepted', 'per run']]
  const cells = matrix.rows.map((row) => [
    row.label,
    `${row.lossyRuns}/${row.runs}`,
    describeCompleted(row),
    String(row.peakAcceptQueue),
    describeNeverAccepted(row),
    formatMs(sum(row.durationsMs) / Math.max(1, row.durationsMs.length)),
  ])
  const table = alignColumns([...header, ...cells], [false, true, true, true, true, true]).map((columns) => columns.join('  '))
  return [
    paintVerdict(style, headline.status, headline.text),
    '',
    ...table.slice(0, header.length).map((line) => style.bold(line)),
    ...table.slice(header.length).map((line, index) => (matrix.rows[index].lossyRuns > 0 ? style.red(line) : line)),
    ...(matrix.conclusion.length === 0 ? [] : ['', style.bold('Conclusion')]),
    ...matrix.conclusion.flatMap((sentence) => wrapWords(sentence, LINE_WIDTH - 2).map((line) => `  ${line}`)),
  ]
}

/** "12 (max 7)": total over the runs, with the worst run when more than one run lost some. */
export function describeNeverAccepted(row: MatrixRow): string {
  const total = sum(row.neverAccepted)
  const max = Math.max(0, ...row.neverAccepted)
  return total === max ? String(total) : `${total} (max ${max})`
}

/** Pads every cell to its column's width; `right` picks right alignment for number columns. */
function alignColumns(rows: string[][], right: boolean[]): string[][] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((cells) => cells[column].length)))
  return rows.map((cells) => cells.map((cell, column) => (right[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))))
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(LABEL_WIDTH)}${value}`
}

function formatLatency(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`
}

function lastAcceptQueue(timeline: TimelinePoint[]): number | null {
  for (let i = timeline.length - 1; i >= 0; i--) if (timeline[i].acceptQueue !== null) return timeline[i].acceptQueue
  return null
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0)
}
