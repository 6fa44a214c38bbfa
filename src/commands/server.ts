import {Command, Flags} from '@oclif/core'
import {catchInterrupts} from '../cli/interrupts.js'
import {acceptDelayFlag, parseAcceptDelay} from '../cli/accept-delay-flag.js'
import {reportParseError, reportUserError} from '../cli/report-user-error.js'
import {renderFinalStats, renderLiveStats, renderServerBanner} from '../report/server-text.js'
import {type ReferenceServer, startReferenceServer} from '../targets/reference-server.js'
import {modeFromFlags, referenceModeFlags} from '../targets/reference-modes.js'

export default class Server extends Command {
  static summary = 'Run the bundled reference reactor server in the foreground, in any epoll mode.'

  static description = `Prints its URL and mode, shows live counters on one line on a terminal, and prints the final counters on Ctrl-C.
--trigger et --accept once reproduces the lost-connection bug (connections left in the accept queue); --trigger et --read once leaves data unread and sockets in CLOSE_WAIT.
With --json it prints the server's own events as JSON lines: one "listening", periodic "stats", a last "stats" with "final": true.`

  static examples = [
    '<%= config.bin %> server',
    '<%= config.bin %> server --trigger et --accept once --threads 4 --port 1022',
    '<%= config.bin %> server --json',
  ]

  static flags = {
    ...referenceModeFlags({withDefaults: true}),
    'accept-delay': acceptDelayFlag,
    host: Flags.string({default: '127.0.0.1', summary: 'IPv4 address to listen on.'}),
    port: Flags.integer({default: 0, min: 0, max: 65_535, summary: 'Port to listen on (0: a free one).'}),
    json: Flags.boolean({default: false, summary: 'Print the server events as JSON lines.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Server).catch((error: unknown) => reportParseError(this, error))
    try {
      const acceptDelayUs = parseAcceptDelay(flags['accept-delay'])
      const server = await startReferenceServer(
        modeFromFlags(flags),
        {host: flags.host, port: flags.port, acceptDelayUs},
      )
      if (flags.json) await this.passThroughEvents(server)
      else await this.showLiveStats(server, acceptDelayUs)
    } catch (error) {
      reportUserError(this, error)
    }
  }

  /** The listening line was consumed while starting; re-print it, then every line as it comes. */
  private async passThroughEvents(server: ReferenceServer): Promise<void> {
    this.log(JSON.stringify({event: 'listening', host: server.host, port: server.port, pid: server.pid, ...server.mode}))
    server.onLine((line) => this.log(line))
    await this.untilStopped(server)
  }

  private async showLiveStats(server: ReferenceServer, acceptDelayUs: number): Promise<void> {
    this.log(renderServerBanner(server.url, server.mode, server.pid, acceptDelayUs))
    const live = process.stdout.isTTY === true
    const off = server.onStats((stats) => {
      if (live && !stats.final) process.stdout.write(renderLiveStats(stats))
    })
    const final = await this.untilStopped(server)
    off()
    if (live) process.stdout.write('\n')
    this.log(renderFinalStats(final))
  }

  /** Waits for Ctrl-C or SIGTERM, then stops the server and returns its final stats. */
  private async untilStopped(server: ReferenceServer) {
    const interrupts = catchInterrupts()
    const signalled = new Promise<'signal'>((resolve) => interrupts.signal.addEventListener('abort', () => resolve('signal'), {once: true}))
    try {
      const first = await Promise.race([signalled, server.exited])
      if (first !== 'signal') {
        this.error(`reference server exited unexpectedly: ${server.stderrTail.at(-1) ?? `exit code ${first.code}`}`, {exit: 2})
      }
      return await server.stop()
    } finally {
      interrupts.dispose()
    }
  }
}
