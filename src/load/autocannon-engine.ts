import autocannon from 'autocannon'
import {AutocannonLedger, type LedgerOwner} from './autocannon-connections.js'
import {msSince} from './connection-record.js'
import {LatencyHistogram} from './latency-histogram.js'
import {loadUrl, perSecond} from './load-result.js'
import {RunWatch, type WatchedRun} from './run-watch.js'
import type {LoadEnd, LoadHooks, LoadOptions, LoadResult} from './types.js'
import {UserError} from '../user-error.js'
import {formatEndpoint} from '../probes/address.js'

/** autocannon only acts on stop() at its next sample tick: keep that short. */
const SAMPLE_INTERVAL_MS = 50

/**
 * The autocannon engine: sustained load for `durationMs` or `requests`, with the reconnects
 * autocannon makes after request timeouts counted, and the same stall and time bounds as ab.
 */
export function runAutocannon(options: LoadOptions, hooks: LoadHooks = {}): Promise<LoadResult> {
  return new AutocannonRun(options, hooks).start()
}

class AutocannonRun implements LedgerOwner, WatchedRun {
  sent = 0
  completed = 0
  lastResponseAt: number
  private non2xx = 0
  private stopReason: {end: LoadEnd; stalledForMs: number | null} | null = null
  private unreachable: string | null = null
  private instance: autocannon.Instance | null = null
  private readonly startedAt = performance.now()
  private readonly startedAtEpoch = Date.now()
  private readonly latency = new LatencyHistogram()
  private readonly ledger: AutocannonLedger
  private readonly watch: RunWatch

  constructor(
    private readonly options: LoadOptions,
    hooks: LoadHooks,
  ) {
    this.lastResponseAt = this.startedAt
    this.ledger = new AutocannonLedger(this, this.startedAt)
    this.watch = new RunWatch(this, options, this.startedAt, hooks)
  }

  start(): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      this.instance = autocannon(this.autocannonOptions(), (error: unknown, result: autocannon.Result) => {
        this.watch.sampleNow()
        this.watch.dispose()
        if (this.unreachable !== null) reject(unreachableError(this.options, this.unreachable))
        else if (error) reject(error instanceof Error ? error : new Error(String(error)))
        else resolve(this.result(result))
      })
      this.watch.start()
    })
  }

  handleRequest(): void {
    this.sent++
  }

  handleResponse(latencyMs: number, status: number): void {
    this.completed++
    this.lastResponseAt = performance.now()
    this.latency.recordMs(latencyMs)
    if (status < 200 || status > 299) this.non2xx++
  }

  handleUnreachable(code: string): void {
    this.unreachable ??= code
    this.instance?.stop()
  }

  stop(end: LoadEnd, stalledForMs: number | null): void {
    this.stopReason ??= {end, stalledForMs}
    this.instance?.stop()
  }

  private autocannonOptions(): autocannon.Options {
    const {options} = this
    return {
      url: loadUrl(options),
      connections: options.concurrency,
      pipelining: 1,
      ...(options.bodyBytes ? {method: 'POST' as const, body: Buffer.alloc(options.bodyBytes, 'x')} : {}),
      ...(options.requests === undefined ? {duration: (options.durationMs ?? 0) / 1000} : {amount: options.requests}),
      // autocannon refuses a timeout under 1 s; setupClient sets the exact one per client.
      ...(options.requestTimeoutMs === undefined ? {} : {timeout: Math.max(1, Math.ceil(options.requestTimeoutMs / 1000))}),
      sampleInt: SAMPLE_INTERVAL_MS,
      setupClient: (client) => this.setupClient(client),
    }
  }

  /**
   * Runs in each client's constructor before its first connect and before its timeout timer
   * is created from `client.timeout` (ms), so the exact request timeout can be set here.
   */
  private setupClient(client: autocannon.Client): void {
    this.ledger.watchClient(client)
    if (this.options.requestTimeoutMs !== undefined) {
      const timed = client as autocannon.Client & {timeout: number}
      timed.timeout = this.options.requestTimeoutMs
    }
  }

  private result(result: autocannon.Result): LoadResult {
    const durationMs = msSince(this.startedAt)
    const naturalEnd: LoadEnd = this.options.requests === undefined ? 'duration' : 'completed'
    return {
      engine: 'autocannon',
      url: loadUrl(this.options),
      concurrency: this.options.concurrency,
      keepAlive: this.options.keepAlive,
      requested: this.options.requests ?? null,
      sent: this.sent,
      completed: this.completed,
      non2xx: this.non2xx,
      // autocannon counts timeouts as errors; here errors are connection-level only.
      errors: result.errors - result.timeouts,
      reconnects: this.ledger.reconnects,
      end: this.stopReason?.end ?? naturalEnd,
      stallMs: this.stopReason?.stalledForMs ?? null,
      startedAt: this.startedAtEpoch,
      durationMs,
      requestsPerSecond: perSecond(this.completed, durationMs),
      latencyMs: this.latency.summarize(),
      progress: this.watch.progress,
      connections: this.ledger.records(),
      timeouts: result.timeouts,
      waves: {requested: 1, started: 1},
    }
  }
}

function unreachableError(options: LoadOptions, code: string): UserError {
  return new UserError(
    `cannot connect to ${formatEndpoint({address: options.host, port: options.port})}: ${code}`,
    'is the server running and listening on that port?',
  )
}
