/** bench's flags, and the bench options they give (durations parsed, the source resolved). */
import {Flags, type Interfaces} from '@oclif/core'
import type {BenchOptions} from '../bench/run-bench.js'
import {defaultFailOn} from '../bench/fail-on.js'
import {DEFAULT_ENGINE, FALLBACK_ENGINE, engineNames, engineTable} from '../load/engines.js'
import type {ResolvedEngine} from '../load/resolve-engine.js'
import type {LoadOptions} from '../load/types.js'
import {resolveSource} from '../probes/index.js'
import {referenceModeFlags} from '../targets/reference-modes.js'
import {acceptDelayFlag} from './accept-delay-flag.js'
import {protocolFlags, repeatFlag, resolveWaves, wavesFlag} from './load-flags.js'
import {parseDuration, parseInterval, parsePositiveDuration} from './parse-duration.js'

// bench's --protocol is a load flag (it also speaks raw); the reference server's follows from it.
const {protocol: _serverProtocol, ...referenceModeFlagsOfBench} = referenceModeFlags({withDefaults: false, prefix: 'Reference server: '})

export const benchFlags = {
  // No oclif default: resolveEngine picks the default, and falls back when rd-load is not built.
  engine: Flags.string({
    options: engineNames,
    summary: `Load engine (default ${DEFAULT_ENGINE}; ${FALLBACK_ENGINE} when rd-load is not built): ${engineNames.map((name) => `${name}, ${engineTable[name].summary}`).join('; ')}.`,
  }),
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

/** The parsed values of benchFlags, as oclif types them. */
export type BenchFlagValues = Interfaces.InferredFlags<typeof benchFlags>

/** The options of every bench run, from its flags: each duration parsed here, with its flag's name. */
export function benchOptionsFromFlags(flags: BenchFlagValues, engine: ResolvedEngine, protocol: LoadOptions['protocol'], signal: AbortSignal): Omit<BenchOptions, 'target'> {
  return {
    engine: engine.engine,
    engineNote: engine.note,
    requests: flags.requests,
    durationMs: flags.duration !== undefined ? parsePositiveDuration(flags.duration, '--duration') : undefined,
    concurrency: flags.concurrency,
    keepAlive: flags.keepalive,
    bodyBytes: flags['body-size'] ?? 0,
    protocol,
    waves: resolveWaves({...flags, engine: engine.engine}),
    stallMs: parsePositiveDuration(flags.stall, '--stall'),
    timeoutMs: parsePositiveDuration(flags.timeout, '--timeout'),
    requestTimeoutMs: parsePositiveDuration(flags['request-timeout'], '--request-timeout'),
    intervalMs: parseInterval(flags.interval, '--interval'),
    settleMs: parseDuration(flags.settle, '--settle'),
    source: resolveSource(flags.source as 'auto'),
    probe: flags.probe,
    signal,
  }
}
