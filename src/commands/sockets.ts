import {writeFile} from 'node:fs/promises'
import {Command} from '@oclif/core'
import {exporterOptions} from '../cli/exporter-flags.js'
import {untilInterrupted} from '../cli/interrupts.js'
import {parsePortFlag} from '../cli/port-state-flags.js'
import {reportParseError, reportUserError} from '../cli/report-user-error.js'
import {socketsFlags} from '../cli/sockets-flags.js'
import {socketsReport} from '../cli/sockets-reports.js'
import {exportListeners} from '../metrics/export-listeners.js'
import {renderTimelineHtml} from '../report/html.js'
import {renderSocketsReport, renderWatchSample} from '../report/render-sockets.js'
import type {SocketsReport} from '../report/sockets-report.js'
import {buildWatchPage} from '../report/watch-page.js'

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

  static flags = socketsFlags

  async run(): Promise<void> {
    const {flags} = await this.parse(Sockets).catch((error: unknown) => reportParseError(this, error))
    let report: SocketsReport
    try {
      // The exporter runs until stopped and prints no report: its output is the metrics.
      if (flags.textfile !== undefined || flags['metrics-listen'] !== undefined || flags['all-listeners']) {
        const options = await exporterOptions({...flags, port: (flags.port ?? []).map(parsePortFlag)})
        await untilInterrupted((signal) => exportListeners({...options, signal, onStart: (line) => this.log(line), onWarning: (line) => this.logToStderr(line)}))
        return
      }
      report = await socketsReport(flags, flags.json ? undefined : (sample) => this.log(renderWatchSample(sample)))
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
}
