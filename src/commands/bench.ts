import {writeFile} from 'node:fs/promises'
import {Command, Flags} from '@oclif/core'
import {decideGate, defaultFailOn, parseFailOn} from '../bench/fail-on.js'
import {runBench, type BenchOptions} from '../bench/run-bench.js'
import {runMatrix} from '../bench/run-matrix.js'
import {runRepeat} from '../bench/run-repeat.js'
import type {BenchReport} from '../bench/types.js'
import {acceptDelayFlag, parseAcceptDelay} from '../cli/accept-delay-flag.js'
import {commandAfterDashes} from '../cli/command-after-dashes.js'
import {catchInterrupts} from '../cli/interrupts.js'
import {protocolFlags, repeatFlag, resolveProtocol, resolveRepeat, resolveWaves, serverProtocolFor, wavesFlag} from '../cli/load-flags.js'
import {checkWritable} from '../cli/check-writable.js'
import {checkCiOutputs, writeCiOutputs} from '../cli/ci-outputs.js'
import {parseDuration, parseInterval, parsePositiveDuration} from '../cli/parse-duration.js'
import {reportParseError, reportUserError} from '../cli/report-user-error.js'
import {resolveSource} from '../probes/index.js'
import {renderBenchText} from '../report/bench-text.js'
import {renderBenchHtml} from '../report/html.js'
import {createProgressBar} from '../report/progress.js'
import {createStreamStyle, plainStyle} from '../report/style.js'
import {planTarget} from '../targets/plan-target.js'
import {referenceModeFlags} from '../targets/reference-modes.js'

// bench's --protocol is a load flag (it also speaks raw); the reference server's follows from it.
const {protocol: _serverProtocol, ...referenceModeFlagsOfBench} = referenceModeFlags({withDefaults: false, prefix: 'Reference server: '})

export default class Bench extends Command {
  static summary = 'Load a server the way ab does, watch its port, and say which connections it lost and why.'

  static description = `With no target and no mode flags, runs the bundled reference server in each epoll mode (edge/level-triggered, single/multi-threaded, one accept per wakeup, and the accept-until-EAGAIN fix) --repeat times and prints a table.
With mode flags (--trigger, --threads, --accept, --read, --backlog) it runs the reference server once in that mode. After -- it runs your server command ({port} is replaced by a free port); with --url it loads a server already running on this host.
Exit codes: 0 healthy, 1 findings that fail the gate (--fail-on), 2 usage or tool error, 3 inconclusive.`

  static examples = [
    '<%= config.bin %> bench',
    '<%= config.bin %> bench --trigger et --threads 4 --accept once',
    '<%= config.bin %> bench --json -- ./my-server --port {port}',
    '<%= config.bin %> bench --url http://127.0.0.1:8080/ -n 5000 -c 200',
    '<%= config.bin %> bench --engine autocannon --duration 10s -- node server.js {port}',
  ]

  static strict = false

  static flags = {
    engine: Flags.string({options: ['ab', 'autocannon'], default: 'ab', summary: 'Load engine: ab-style keep-alive driver, or autocannon.'}),
    requests: Flags.integer({char: 'n', default: 1000, min: 1, max: 10_000_000, summary: 'Requests to send (ab -n).'}),
    concurrency: Flags.integer({char: 'c', default: 94, min: 1, max: 20_000, summary: 'Connections (ab -c).'}),
    keepalive: Flags.boolean({default: true, allowNo: true, summary: 'Reuse connections (ab -k).'}),
    'body-size': Flags.integer({
      min: 0,
      max: 64 * 1024 * 1024,
      summary: 'Send each request as a POST with this many body bytes (ab -p); large bodies expose one read per wakeup (default 0: GET).',
    }),
    ...protocolFlags,
    waves: wavesFlag,
    duration: Flags.string({summary: 'Run for this long instead of -n (autocannon engine), e.g. 10s.'}),
    stall: Flags.string({default: '1s', summary: 'Stop the load when no response arrives for this long.'}),
    timeout: Flags.string({default: '30s', summary: 'Bound on the whole load.'}),
    'request-timeout': Flags.string({default: '2s', summary: 'Per-request timeout (autocannon engine).'}),
    interval: Flags.string({default: '20ms', summary: 'Sampling period of the port during the load.'}),
    settle: Flags.string({default: '300ms', summary: 'Wait after the load before the final reading; what remains is stuck.'}),
    source: Flags.string({options: ['auto', 'ss', 'netstat', 'proc'], default: 'auto', summary: 'Where socket states come from.'}),
    ...referenceModeFlagsOfBench,
    'accept-delay': acceptDelayFlag,
    host: Flags.string({default: '127.0.0.1', summary: 'Loopback address the server listens on.'}),
    port: Flags.integer({min: 0, max: 65_535, summary: 'Port for the reference server or your command (default: a free one).'}),
    url: Flags.string({summary: 'Load a server already running on this host, e.g. http://127.0.0.1:8080/.'}),
    'ready-timeout': Flags.string({default: '10s', summary: 'How long your server command may take to listen.'}),
    repeat: repeatFlag,
    probe: Flags.boolean({
      default: true,
      allowNo: true,
      summary: 'When connections stay queued, open up to 3 more, one at a time, to see how the server accepts (--no-probe: off).',
    }),
    'fail-on': Flags.string({summary: `Findings that fail the gate: "all" or a comma list (default ${defaultFailOn.join(',')}).`}),
    report: Flags.string({summary: 'Also write a self-contained HTML report to this file.'}),
    summary: Flags.string({summary: 'Write a Markdown summary (verdict, findings, table) to this file (default: appended to $GITHUB_STEP_SUMMARY when set).'}),
    junit: Flags.string({summary: 'Write the result as JUnit XML to this file (a test case per run or per mode, a failure per finding that fails the gate).'}),
    json: Flags.boolean({default: false, summary: 'Print the result as JSON (schema in the README).'}),
  }

  async run(): Promise<void> {
    const {flags, argv} = await this.parse(Bench).catch((error: unknown) => reportParseError(this, error))
    const interrupts = catchInterrupts()
    // Cleared on every path: an error or Ctrl-C must not print after a half-drawn bar.
    const progress = createProgressBar({enabled: !flags.json})
    try {
      const protocol = resolveProtocol(flags)
      const command = commandAfterDashes(this.argv, argv)
      const serverProtocol = serverProtocolFor(protocol, flags.url === undefined && command.length === 0)
      const plan = planTarget({...flags, command, protocol: serverProtocol, acceptDelayUs: parseAcceptDelay(flags['accept-delay'])}, parsePositiveDuration)
      const failOn = flags['fail-on'] !== undefined ? parseFailOn(flags['fail-on']) : defaultFailOn
      // Before the load, not after it: a run of minutes should not end in a path typo.
      if (flags.report !== undefined) await checkWritable(flags.report, '--report')
      await checkCiOutputs(flags)
      const style = flags.json ? plainStyle : createStreamStyle(process.stdout)
      const options: Omit<BenchOptions, 'target'> = {
        engine: flags.engine as 'ab' | 'autocannon',
        requests: flags.requests,
        durationMs: flags.duration !== undefined ? parsePositiveDuration(flags.duration, '--duration') : undefined,
        concurrency: flags.concurrency,
        keepAlive: flags.keepalive,
        bodyBytes: flags['body-size'] ?? 0,
        protocol,
        waves: resolveWaves(flags),
        stallMs: parsePositiveDuration(flags.stall, '--stall'),
        timeoutMs: parsePositiveDuration(flags.timeout, '--timeout'),
        requestTimeoutMs: parsePositiveDuration(flags['request-timeout'], '--request-timeout'),
        intervalMs: parseInterval(flags.interval, '--interval'),
        settleMs: parseDuration(flags.settle, '--settle'),
        source: resolveSource(flags.source as 'auto'),
        probe: flags.probe,
        signal: interrupts.signal,
      }

      let report: BenchReport
      if (plan.kind === 'matrix') {
        const matrix = await runMatrix({
          ...options,
          host: flags.host,
          repeat: resolveRepeat(flags.repeat, plan),
          threads: plan.threads,
          backlog: plan.backlog,
          serverProtocol: plan.protocol,
          acceptDelayUs: plan.acceptDelayUs,
          onRunDone: (done, total, label) => progress.update(done, total, label),
        })
        progress.finish()
        report = {kind: 'matrix', matrix}
      } else if (resolveRepeat(flags.repeat, plan) > 1) {
        const repeat = await runRepeat({
          ...options,
          target: plan.target,
          repeat: resolveRepeat(flags.repeat, plan),
          onRunDone: (done, total) => progress.update(done, total, 'runs'),
        })
        progress.finish()
        report = {kind: 'repeat', repeat}
      } else {
        const run = await runBench({
          ...options,
          target: plan.target,
          onProgress: (done, total) => progress.update(done, total, 'requests'),
        })
        progress.finish()
        report = {kind: 'single', run}
      }

      interrupts.signal.throwIfAborted()
      this.log(flags.json ? JSON.stringify(report, null, 2) : renderBenchText(report, style))
      const gate = decideGate(report, failOn, flags['fail-on'] !== undefined)
      if (gate.note !== null && !flags.json) this.log(gate.note)
      // After the text: a report file that fails to write must not lose the result.
      if (flags.report !== undefined) await writeFile(flags.report, renderBenchHtml(report))
      await writeCiOutputs(flags, report, gate)
      // Not this.exit(): it ends the process before a large report drains into a pipe.
      process.exitCode = gate.exitCode
    } catch (error) {
      progress.finish()
      const code = interrupts.exitCode()
      reportUserError(this, error, code === null ? undefined : {message: 'bench interrupted; every server it started was stopped', exitCode: code})
    } finally {
      interrupts.dispose()
    }
  }
}
