/**
 * What `sockets` reads, by mode: a saved file (or recording), one live reading, or --watch. Each
 * checks its flags (one line for each mistake) and returns the report the command prints.
 */
import {checkWritable} from './check-writable.js'
import {untilInterrupted} from './interrupts.js'
import {parseInterval, parsePositiveDuration} from './parse-duration.js'
import {parsePortFlag, parseStateFlag} from './port-state-flags.js'
import type {SocketsFlagValues} from './sockets-flags.js'
import {diagnoseSockets} from '../diagnose/verdict.js'
import {resolveSource, takeSnapshot, type ResolvedSource, type SourceChoice} from '../probes/index.js'
import {SocketsFile, findPortInFile} from '../probes/read-sockets-file.js'
import {loadServices} from '../probes/services.js'
import {withSpooledStdin} from '../probes/spool-stdin.js'
import type {TcpState} from '../probes/types.js'
import {buildSocketsReport, type SocketsReport} from '../report/sockets-report.js'
import {UserError} from '../user-error.js'
import {lookAtServer} from '../watch/look-at-server.js'
import {analyseRecording} from '../watch/recording.js'
import {watchPort} from '../watch/watch-port.js'
import type {WatchSample} from '../watch/watch-summary.js'

/** The report of one `sockets` run that is not the exporter; onSample prints --watch's lines. */
export async function socketsReport(flags: SocketsFlagValues, onSample?: (sample: WatchSample) => void): Promise<SocketsReport> {
  const ports = (flags.port ?? []).map(parsePortFlag)
  const stuckAfterMs = parsePositiveDuration(flags['stuck-after'], '--stuck-after')
  if (flags.report !== undefined) {
    // The page is a timeline chart; one reading has none, and its text or --json says it all.
    if (!flags.watch && flags.file === undefined) throw new UserError('--report needs --watch: the HTML report charts a timeline of samples', 'add --watch --duration 10s')
    await checkWritable(flags.report, '--report')
  }
  if (ports.length > 1) throw new UserError('several --port need --textfile or --metrics-listen', 'watch one port at a time, or export them all as metrics')
  const port = ports[0]
  if (flags.state !== undefined && flags.file === undefined) throw new UserError('--state goes with --file: it names the state of saved rows that show none', 'e.g. --file close-wait.txt --state close-wait')
  if (flags.file !== undefined) {
    if (flags.watch) throw new UserError('--watch and --file do not go together', 'drop one of them')
    const intervalMs = flags.interval === undefined ? undefined : parseInterval(flags.interval, '--interval')
    const state = flags.state === undefined ? undefined : parseStateFlag(flags.state)
    const report = await fileReport(flags.file, port, stuckAfterMs, intervalMs, state)
    if (flags.report !== undefined && report.watch === null) {
      throw new UserError(`--report: ${flags.file === '-' ? 'stdin' : flags.file} holds one reading, so there is no timeline to chart`, 'drop --report, or record many readings (see README: recording on a production host)')
    }
    return report
  }
  if (port === undefined) throw new UserError('--port is required (or --file)', 'e.g. reactor-doctor sockets --port 8080')
  const source = resolveSource(flags.source as SourceChoice)
  if (!flags.watch) return snapshotReport(port, source, stuckAfterMs, flags.probe)
  const intervalMs = parseInterval(flags.interval ?? '1s', '--interval')
  const durationMs = flags.duration === undefined ? Number.POSITIVE_INFINITY : parsePositiveDuration(flags.duration, '--duration')
  // A signal ends the watch with its summary (the second one exits at once).
  return untilInterrupted(async (signal) => {
    const {history, view, verdict, server} = await watchPort({port, source, intervalMs, durationMs, stuckAfterMs, signal, onSample, probe: flags.probe})
    return buildSocketsReport({mode: 'watch', port, sourceNote: source.note, file: null, snapshots: history.snapshots, watch: view, verdict, server})
  })
}

async function fileReport(file: string, port: number | undefined, stuckAfterMs: number, intervalMs: number | undefined, state: TcpState | undefined): Promise<SocketsReport> {
  // stdin cannot be read twice: without --port it is spooled to a temporary file and read as one.
  if (file === '-' && port === undefined && !process.stdin.isTTY) return withSpooledStdin((spooled) => savedFileReport(spooled, '-', port, stuckAfterMs, intervalMs, state))
  return savedFileReport(file, file, port, stuckAfterMs, intervalMs, state)
}

/** `path` is what is read; `file` is what the user gave (`-` for stdin spooled to `path`). */
async function savedFileReport(path: string, file: string, port: number | undefined, stuckAfterMs: number, intervalMs: number | undefined, state: TcpState | undefined): Promise<SocketsReport> {
  const name = file === '-' ? 'stdin' : file
  const services = loadServices()
  // A saved file can be read twice: first to choose the port, counting rows without keeping them.
  const chosen = port ?? (path === '-' ? undefined : await findPortInFile(path, state, services, name))
  const saved = new SocketsFile(path, chosen, state, services, name)
  const result = await analyseRecording(saved.readings(), () => saved.stats, {port: chosen, stuckAfterMs, intervalMs, name: saved.name, onPort: (chosen) => saved.focus(chosen)})
  const sourceNote = `${result.snapshots.at(-1)!.source} (format detected in the file)`
  return buildSocketsReport({mode: 'file', port: result.port, sourceNote, file, snapshots: result.snapshots, watch: result.watch, verdict: result.verdict})
}

/** One live reading with owners, then the server behind the port (its reactor, --probe). */
async function snapshotReport(port: number, source: ResolvedSource, stuckAfterMs: number, probe: boolean): Promise<SocketsReport> {
  const snapshot = await takeSnapshot({port, source, owners: true, drops: source.source === 'ss'})
  const server = await lookAtServer(snapshot, port, {probe, source})
  const verdict = diagnoseSockets({port, snapshots: [snapshot], stuckAfterMs}, server.view)
  return buildSocketsReport({mode: 'snapshot', port, sourceNote: source.note, file: null, snapshots: [snapshot], watch: null, verdict, server})
}
