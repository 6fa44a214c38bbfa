import {writeFile} from 'node:fs/promises'
import {Command} from '@oclif/core'
import {decideGate, defaultFailOn, parseFailOn} from '../bench/fail-on.js'
import {runPlan} from '../bench/run-plan.js'
import {parseAcceptDelay} from '../cli/accept-delay-flag.js'
import {benchFlags, benchOptionsFromFlags} from '../cli/bench-flags.js'
import {commandAfterDashes} from '../cli/command-after-dashes.js'
import {catchInterrupts} from '../cli/interrupts.js'
import {resolveProtocol, resolveRepeat, serverProtocolFor} from '../cli/load-flags.js'
import {checkWritable} from '../cli/check-writable.js'
import {checkCiOutputs, writeCiOutputs} from '../cli/ci-outputs.js'
import {parsePositiveDuration} from '../cli/parse-duration.js'
import {reportParseError, reportUserError} from '../cli/report-user-error.js'
import {renderBenchText} from '../report/bench-text.js'
import {renderBenchHtml} from '../report/html.js'
import {createProgressBar} from '../report/progress.js'
import {createStreamStyle, plainStyle} from '../report/style.js'
import {planTarget} from '../targets/plan-target.js'
import {resolveEngine} from '../load/resolve-engine.js'
import type {EngineName} from '../load/types.js'

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

  static flags = benchFlags

  async run(): Promise<void> {
    const {flags, argv} = await this.parse(Bench).catch((error: unknown) => reportParseError(this, error))
    const interrupts = catchInterrupts()
    // Cleared on every path: an error or Ctrl-C must not print after a half-drawn bar.
    const progress = createProgressBar({enabled: !flags.json})
    try {
      const engine = resolveEngine(flags.engine as EngineName | undefined)
      const protocol = resolveProtocol({...flags, engine: engine.engine})
      const command = commandAfterDashes(this.argv, argv)
      const serverProtocol = serverProtocolFor(protocol, flags.url === undefined && command.length === 0)
      const plan = planTarget({...flags, command, protocol: serverProtocol, acceptDelayUs: parseAcceptDelay(flags['accept-delay'])}, parsePositiveDuration)
      const failOn = flags['fail-on'] !== undefined ? parseFailOn(flags['fail-on']) : defaultFailOn
      // Before the load, not after it: a run of minutes should not end in a path typo.
      if (flags.report !== undefined) await checkWritable(flags.report, '--report')
      await checkCiOutputs(flags)
      const style = flags.json ? plainStyle : createStreamStyle(process.stdout)
      const options = benchOptionsFromFlags(flags, engine, protocol, interrupts.signal)

      const report = await runPlan(plan, {...options, host: flags.host, repeat: resolveRepeat(flags.repeat, plan), onProgress: (done, total, label) => progress.update(done, total, label)})
      progress.finish()
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
