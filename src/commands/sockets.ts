import {writeFile} from 'node:fs/promises'
import {Command, Flags} from '@oclif/core'
import {checkWritable} from '../cli/check-writable.js'
import {exporterOptions, type ExporterFlags} from '../cli/exporter-flags.js'
import {exportListeners} from '../metrics/export-listeners.js'
import {parseInterval, parsePositiveDuration} from '../cli/parse-duration.js'
import {reportParseError, reportUserError} from '../cli/report-user-error.js'
import {diagnoseSockets} from '../diagnose/verdict.js'
import {SocketsFile, findPortInFile} from '../probes/read-sockets-file.js'
import type {TcpState} from '../probes/types.js'
import {parsePortFlag, parseStateFlag} from '../cli/port-state-flags.js'
import {resolveSource, takeSnapshot, type ResolvedSource, type SourceChoice} from '../probes/index.js'
import {renderTimelineHtml} from '../report/html.js'
import {renderSocketsReport, renderWatchSample} from '../report/render-sockets.js'
import {buildSocketsReport, type SocketsReport} from '../report/sockets-report.js'
import {buildWatchPage} from '../report/watch-page.js'
import {watchPort} from '../watch/watch-port.js'
import {analyseRecording} from '../watch/recording.js'
import {catchInterrupts} from '../cli/interrupts.js'
import {lookAtServer} from '../watch/look-at-server.js'
import type {WatchSample} from '../watch/watch-summary.js'
import {UserError} from '../user-error.js'

export default class Sockets extends Command {
  static summary = "Read a port's sockets from ss, netstat or /proc and say what is wrong: queued, never-accepted or stuck connections."

  static description = `Shows the LISTEN socket(s) of the port (accept queue now and backlog limit, owner), counts by state, the rows that matter (connections never accepted, accepted CLOSE-WAIT, unread bytes) and findings with their evidence.
--watch samples every --interval and ends with a summary (--report FILE.html also writes it as a page with a timeline chart); --file reads saved ss, netstat, lsof or /proc output ("-" for stdin), pasted as it came (prompts, colours, CRLF, kubectl messages), and a recording of many readings (date lines between them) as a timeline with the same summary.
--watch with --textfile FILE.prom (node_exporter's textfile collector) or --metrics-listen HOST:PORT (a /metrics endpoint) is a Prometheus exporter: per-listener gauges for one or more --port, or --all-listeners.
Exit codes: 0 healthy, 1 findings, 2 usage or tool error, 3 inconclusive.`

  static examples = [
    '<%= config.bin %> sockets --port 1022',
    '<%= config.bin %> sockets --port 1022 --watch --interval 500ms --duration 30s',
    '<%= config.bin %> sockets --port 1022 --watch --report watch.html',
    'netstat -an | grep 1022 | <%= config.bin %> sockets --file -',
    "while sleep 1; do date +%s.%N; ss -tanpe '( sport = :1022 )'; done > ss.log   # then: <%= config.bin %> sockets --file ss.log",
    '<%= config.bin %> sockets --file close-wait.txt --port http-alt --state close-wait',
    '<%= config.bin %> sockets --port 8080 --source proc --json',
    '<%= config.bin %> sockets --watch --all-listeners --metrics-listen 127.0.0.1:9464',
    '<%= config.bin %> sockets --watch --port 8080 --port 8443 --textfile /var/lib/prometheus/node-exporter/reactor-doctor.prom',
  ]

  static flags = {
    port: Flags.string({
      char: 'p',
      multiple: true,
      summary: 'Local port of the server, a number or a service name (optional with --file when the data shows one); several with --textfile or --metrics-listen.',
    }),
    watch: Flags.boolean({char: 'w', default: false, summary: 'Sample repeatedly, one line per sample, then a summary.'}),
    interval: Flags.string({summary: 'Time between --watch samples (default 1s; 15s with --textfile or --metrics-listen; with --file: between readings that carry no time).'}),
    duration: Flags.string({summary: 'Stop --watch after this long (default: until Ctrl-C).'}),
    'stuck-after': Flags.string({default: '5s', summary: 'A CLOSE-WAIT or queue that stays this long is stuck.'}),
    state: Flags.string({summary: 'With --file: the state of rows that show none (saved `ss ... state close-wait` output without its command), e.g. close-wait.'}),
    file: Flags.string({char: 'f', summary: 'Read saved ss, netstat, lsof or /proc/net/tcp output, one reading or a recording of many, from this file ("-": stdin).'}),
    source: Flags.string({options: ['auto', 'ss', 'netstat', 'proc'], default: 'auto', summary: 'Where socket states come from (auto: ss, else netstat, else /proc).'}),
    probe: Flags.boolean({default: false, summary: 'If connections stay queued: open up to 3 more (loopback), one at a time, to see how the server accepts.'}),
    report: Flags.string({summary: 'With --watch, or --file of a recording: also write a self-contained HTML report (verdict, timeline chart) to this file.'}),
    json: Flags.boolean({default: false, summary: 'Print the result as JSON (shape in the README).'}),
    textfile: Flags.string({summary: 'With --watch: keep per-listener Prometheus gauges in this node_exporter textfile (*.prom, rewritten atomically).'}),
    'metrics-listen': Flags.string({summary: 'With --watch: serve per-listener Prometheus gauges at http://ADDRESS/metrics (HOST:PORT, or PORT on 127.0.0.1).'}),
    'all-listeners': Flags.boolean({default: false, summary: 'With --textfile or --metrics-listen: every listening TCP port of the host instead of --port.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Sockets).catch((error: unknown) => reportParseError(this, error))
    let report: SocketsReport
    try {
      const ports = (flags.port ?? []).map(parsePortFlag)
      // The exporter runs until stopped and prints no report: its output is the metrics.
      if (flags.textfile !== undefined || flags['metrics-listen'] !== undefined || flags['all-listeners']) {
        await this.export({...flags, port: ports})
        return
      }
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
        report = await this.analyseFile(flags.file, port, stuckAfterMs, intervalMs, state)
        if (flags.report !== undefined && report.watch === null) {
          throw new UserError(`--report: ${flags.file === '-' ? 'stdin' : flags.file} holds one reading, so there is no timeline to chart`, 'drop --report, or record many readings (see README: recording on a production host)')
        }
      } else {
        if (port === undefined) throw new UserError('--port is required (or --file)', 'e.g. reactor-doctor sockets --port 8080')
        const source = resolveSource(flags.source as SourceChoice)
        report = flags.watch
          ? await this.watch(port, source, parseInterval(flags.interval ?? '1s', '--interval'), flags.duration, stuckAfterMs, flags.json, flags.probe)
          : await this.snapshot(port, source, stuckAfterMs, flags.probe)
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

  /** The exporter: checks its flags, then runs until --duration or Ctrl-C (exit 0). */
  private async export(flags: ExporterFlags): Promise<void> {
    const options = await exporterOptions(flags)
    await this.untilSignal((signal) => exportListeners({...options, signal, onStart: (line) => this.log(line), onWarning: (line) => this.logToStderr(line)}))
  }

  /** A signal ends the watch with its summary (the second one exits at once). */
  private async untilSignal<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const interrupts = catchInterrupts()
    try {
      return await run(interrupts.signal)
    } finally {
      interrupts.dispose()
    }
  }

  private async analyseFile(file: string, port: number | undefined, stuckAfterMs: number, intervalMs: number | undefined, state: TcpState | undefined): Promise<SocketsReport> {
    // A saved file can be read twice: first to choose the port, counting rows without keeping them.
    const chosen = port ?? (file === '-' ? undefined : await findPortInFile(file, state))
    const saved = new SocketsFile(file, chosen, state)
    const result = await analyseRecording(saved.readings(), () => saved.stats, {port: chosen, stuckAfterMs, intervalMs, name: saved.name, onPort: (chosen) => saved.focus(chosen)})
    const sourceNote = `${result.snapshots.at(-1)!.source} (format detected in the file)`
    return buildSocketsReport({mode: 'file', port: result.port, sourceNote, file, snapshots: result.snapshots, watch: result.watch, verdict: result.verdict})
  }

  private async snapshot(port: number, source: ResolvedSource, stuckAfterMs: number, probe: boolean): Promise<SocketsReport> {
    const snapshot = await takeSnapshot({port, source, owners: true, drops: source.source === 'ss'})
    const server = await lookAtServer(snapshot, port, {probe, source})
    const verdict = diagnoseSockets({port, snapshots: [snapshot], stuckAfterMs}, server.view)
    return buildSocketsReport({mode: 'snapshot', port, sourceNote: source.note, file: null, snapshots: [snapshot], watch: null, verdict, server})
  }

  private async watch(port: number, source: ResolvedSource, intervalMs: number, duration: string | undefined, stuckAfterMs: number, json: boolean, probe: boolean): Promise<SocketsReport> {
    const durationMs = duration === undefined ? Number.POSITIVE_INFINITY : parsePositiveDuration(duration, '--duration')
    const onSample = json ? undefined : (sample: WatchSample) => this.log(renderWatchSample(sample))
    return this.untilSignal(async (signal) => {
      const {history, view, verdict, server} = await watchPort({port, source, intervalMs, durationMs, stuckAfterMs, signal, onSample, probe})
      return buildSocketsReport({mode: 'watch', port, sourceNote: source.note, file: null, snapshots: history.snapshots, watch: view, verdict, server})
    })
  }
}
