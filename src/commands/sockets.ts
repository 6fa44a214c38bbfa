import {writeFile} from 'node:fs/promises'
import {Command, Flags} from '@oclif/core'
import {checkWritable} from '../cli/check-writable.js'
import {parseInterval, parsePositiveDuration} from '../cli/parse-duration.js'
import {reportParseError, reportUserError} from '../cli/report-user-error.js'
import {diagnoseSockets} from '../diagnose/verdict.js'
import {SocketsFile, findPortInFile} from '../probes/read-sockets-file.js'
import {resolvePort} from '../probes/services.js'
import {parseFilterState} from '../probes/split-readings.js'
import type {TcpState} from '../probes/types.js'
import {resolveSource, takeSnapshot, type ResolvedSource, type SourceChoice} from '../probes/index.js'
import {renderTimelineHtml} from '../report/html.js'
import {renderSocketsReport, renderWatchSample} from '../report/render-sockets.js'
import {buildSocketsReport, type SocketsReport} from '../report/sockets-report.js'
import {buildWatchPage} from '../report/watch-page.js'
import {watchPort} from '../watch/watch-port.js'
import {analyseRecording} from '../watch/recording.js'
import type {WatchSample} from '../watch/watch-summary.js'
import {UserError} from '../user-error.js'

/** --port: a number from 1 to 65535 or a TCP service name of /etc/services (`http-alt`). */
function parsePortFlag(text: string): number {
  const port = resolvePort(text.trim())
  if (port === undefined) {
    throw new UserError(
      /^\d+$/.test(text.trim()) ? `--port ${text} is not a port: expected 1 to 65535` : `--port ${JSON.stringify(text)} is neither a port number nor a TCP service name in /etc/services`,
      'e.g. --port 8080 or --port http-alt',
    )
  }
  return port
}

/** --state: one TCP state as ss's filter names it (close-wait, established, listening) or as ss/netstat print it. */
function parseStateFlag(text: string): TcpState {
  const state = parseFilterState(text.trim())
  if (state === undefined || state === 'UNKNOWN') throw new UserError(`--state ${JSON.stringify(text)} is not a TCP state`, 'e.g. --state close-wait, established, listening or time-wait')
  return state
}

export default class Sockets extends Command {
  static summary = "Read a port's sockets from ss, netstat or /proc and say what is wrong: queued, never-accepted or stuck connections."

  static description = `Shows the LISTEN socket(s) of the port (accept queue now and backlog limit, owner), counts by state, the rows that matter (connections never accepted, accepted CLOSE-WAIT, unread bytes) and findings with their evidence.
--watch samples every --interval and ends with a summary (--report FILE.html also writes it as a page with a timeline chart); --file reads saved ss, netstat, lsof or /proc output ("-" for stdin), pasted as it came (prompts, colours, CRLF, kubectl messages), and a recording of many readings (date lines between them) as a timeline with the same summary.
Exit codes: 0 healthy, 1 findings, 2 usage or tool error, 3 inconclusive.`

  static examples = [
    '<%= config.bin %> sockets --port 1022',
    '<%= config.bin %> sockets --port 1022 --watch --interval 500ms --duration 30s',
    '<%= config.bin %> sockets --port 1022 --watch --report watch.html',
    'netstat -an | grep 1022 | <%= config.bin %> sockets --file -',
    "while sleep 1; do date +%s.%N; ss -tanpe '( sport = :1022 )'; done > ss.log   # then: <%= config.bin %> sockets --file ss.log",
    '<%= config.bin %> sockets --file close-wait.txt --port http-alt --state close-wait',
    '<%= config.bin %> sockets --port 8080 --source proc --json',
  ]

  static flags = {
    port: Flags.string({char: 'p', summary: 'Local port of the server, a number or a service name (optional with --file when the data shows one).'}),
    watch: Flags.boolean({char: 'w', default: false, summary: 'Sample repeatedly, one line per sample, then a summary.'}),
    interval: Flags.string({default: '1s', summary: 'Time between --watch samples (with --file: between readings that carry no time).'}),
    duration: Flags.string({summary: 'Stop --watch after this long (default: until Ctrl-C).'}),
    'stuck-after': Flags.string({default: '5s', summary: 'A CLOSE-WAIT or queue that stays this long is stuck.'}),
    state: Flags.string({summary: 'With --file: the state of rows that show none (saved `ss ... state close-wait` output without its command), e.g. close-wait.'}),
    file: Flags.string({char: 'f', summary: 'Read saved ss, netstat, lsof or /proc/net/tcp output, one reading or a recording of many, from this file ("-": stdin).'}),
    source: Flags.string({options: ['auto', 'ss', 'netstat', 'proc'], default: 'auto', summary: 'Where socket states come from (auto: ss, else netstat, else /proc).'}),
    report: Flags.string({summary: 'With --watch, or --file of a recording: also write a self-contained HTML report (verdict, timeline chart) to this file.'}),
    json: Flags.boolean({default: false, summary: 'Print the result as JSON (shape in the README).'}),
  }

  async run(): Promise<void> {
    const {flags, metadata} = await this.parse(Sockets).catch((error: unknown) => reportParseError(this, error))
    let report: SocketsReport
    try {
      const port = flags.port === undefined ? undefined : parsePortFlag(flags.port)
      const stuckAfterMs = parsePositiveDuration(flags['stuck-after'], '--stuck-after')
      if (flags.report !== undefined) {
        // The page is a timeline chart; one reading has none, and its text or --json says it all.
        if (!flags.watch && flags.file === undefined) throw new UserError('--report needs --watch: the HTML report charts a timeline of samples', 'add --watch --duration 10s')
        await checkWritable(flags.report, '--report')
      }
      if (flags.state !== undefined && flags.file === undefined) throw new UserError('--state goes with --file: it names the state of saved rows that show none', 'e.g. --file close-wait.txt --state close-wait')
      if (flags.file !== undefined) {
        if (flags.watch) throw new UserError('--watch and --file do not go together', 'drop one of them')
        const intervalMs = metadata.flags.interval?.setFromDefault ? undefined : parseInterval(flags.interval, '--interval')
        const state = flags.state === undefined ? undefined : parseStateFlag(flags.state)
        report = await this.analyseFile(flags.file, port, stuckAfterMs, intervalMs, state)
        if (flags.report !== undefined && report.watch === null) {
          throw new UserError(`--report: ${flags.file === '-' ? 'stdin' : flags.file} holds one reading, so there is no timeline to chart`, 'drop --report, or record many readings (see README: recording on a production host)')
        }
      } else {
        if (port === undefined) throw new UserError('--port is required (or --file)', 'e.g. reactor-doctor sockets --port 8080')
        const source = resolveSource(flags.source as SourceChoice)
        report = flags.watch
          ? await this.watch(port, source, parseInterval(flags.interval, '--interval'), flags.duration, stuckAfterMs, flags.json)
          : await this.snapshot(port, source, stuckAfterMs)
      }
    } catch (error) {
      reportUserError(this, error)
    }
    this.log(flags.json ? JSON.stringify(report, null, 2) : renderSocketsReport(report).trimEnd())
    // After the text: a report file that fails to write must not lose the result.
    const {watch} = report
    if (flags.report !== undefined && watch !== null) {
      await writeFile(flags.report, renderTimelineHtml(buildWatchPage({...report, watch}))).catch((error: unknown) => reportUserError(this, error))
    }
    // Not this.exit(): it ends the process before a report larger than a pipe (64 KiB) drains.
    process.exitCode = report.exitCode
  }

  private async analyseFile(file: string, port: number | undefined, stuckAfterMs: number, intervalMs: number | undefined, state: TcpState | undefined): Promise<SocketsReport> {
    // A saved file can be read twice: first to choose the port, counting rows without keeping them.
    const chosen = port ?? (file === '-' ? undefined : await findPortInFile(file, state))
    const saved = new SocketsFile(file, chosen, state)
    const result = await analyseRecording(saved.readings(), () => saved.stats, {port: chosen, stuckAfterMs, intervalMs, name: saved.name, onPort: (chosen) => saved.focus(chosen)})
    const sourceNote = `${result.snapshots.at(-1)!.source} (format detected in the file)`
    return buildSocketsReport({mode: 'file', port: result.port, sourceNote, file, snapshots: result.snapshots, watch: result.watch, verdict: result.verdict})
  }

  private async snapshot(port: number, source: ResolvedSource, stuckAfterMs: number): Promise<SocketsReport> {
    const snapshot = await takeSnapshot({port, source, owners: true, drops: source.source === 'ss'})
    const verdict = diagnoseSockets({port, snapshots: [snapshot], stuckAfterMs})
    return buildSocketsReport({mode: 'snapshot', port, sourceNote: source.note, file: null, snapshots: [snapshot], watch: null, verdict})
  }

  private async watch(port: number, source: ResolvedSource, intervalMs: number, duration: string | undefined, stuckAfterMs: number, json: boolean): Promise<SocketsReport> {
    const durationMs = duration === undefined ? Number.POSITIVE_INFINITY : parsePositiveDuration(duration, '--duration')
    const stop = new AbortController()
    const onSignal = () => stop.abort()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    try {
      const onSample = json ? undefined : (sample: WatchSample) => this.log(renderWatchSample(sample))
      const {history, view, verdict} = await watchPort({port, source, intervalMs, durationMs, stuckAfterMs, signal: stop.signal, onSample})
      return buildSocketsReport({mode: 'watch', port, sourceNote: source.note, file: null, snapshots: history.snapshots, watch: view, verdict})
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}
