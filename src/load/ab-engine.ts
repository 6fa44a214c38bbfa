import {performance} from 'node:perf_hooks'
import {AbConnection, type ConnectionOwner, type ConnectionTarget} from './ab-connection.js'
import {msSince} from './connection-record.js'
import {planProtocol} from './protocol.js'
import {LatencyHistogram} from './latency-histogram.js'
import {loadUrl, perSecond} from './load-result.js'
import {RunWatch, type WatchedRun} from './run-watch.js'
import type {LoadEnd, LoadHooks, LoadOptions, LoadResult} from './types.js'
import {WAVE_PAUSE_MS} from './waves.js'
import {UserError} from '../user-error.js'
import {formatEndpoint} from '../probes/address.js'

const READ_BUFFER_BYTES = 64 * 1024

/**
 * The ab engine: `requests` in total over `concurrency` keep-alive connections, with ab's
 * semantics. One connection first, the other concurrency-1 in a burst after its first
 * response; a request counts as sent when written; a stuck connection is never replaced.
 */
export function runAb(options: LoadOptions, hooks: LoadHooks = {}): Promise<LoadResult> {
  return new AbRun(options, hooks).start()
}

class AbRun implements ConnectionOwner, WatchedRun {
  sent = 0
  completed = 0
  lastResponseAt: number
  private non2xx = 0
  private errors = 0
  private outstanding = 0
  private connecting = 0
  private nextId = 0
  private burstStarted = false
  private ended = false
  /** Between a wave's close and the next wave's burst (WAVE_PAUSE_MS). */
  private wavePending = false
  /** The wave (connection burst) running now, from 1. */
  private wave = 1
  /** Connection errors before the current wave began. */
  private errorsBeforeWave = 0
  private readonly waves: number
  private readonly requested: number
  private readonly startedAt = performance.now()
  private readonly startedAtEpoch = Date.now()
  private readonly target: ConnectionTarget
  private readonly live = new Set<AbConnection>()
  /**
   * Connections whose next request is written once this event-loop turn has read all its
   * responses. Writing them together lets the server find many ready sockets per wakeup
   * instead of being woken for each one: about +35 % requests/s here, on 2 cores.
   */
  private readonly ready: AbConnection[] = []
  private readonly writeReady = (): void => this.flushReady()
  private readonly records: AbConnection['record'][] = []
  private readonly latency = new LatencyHistogram()
  private readonly watch: RunWatch
  private resolve: (result: LoadResult) => void = () => {}
  private reject: (error: Error) => void = () => {}

  constructor(
    private readonly options: LoadOptions,
    hooks: LoadHooks,
  ) {
    this.requested = options.requests ?? 0
    this.waves = options.waves ?? 1
    this.lastResponseAt = this.startedAt
    const protocol = planProtocol(options)
    this.target = {
      host: options.host,
      port: options.port,
      request: protocol.request,
      protocol,
      readBuffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
      startedAt: this.startedAt,
    }
    this.watch = new RunWatch(this, options, this.startedAt, hooks)
  }

  start(): Promise<LoadResult> {
    const done = new Promise<LoadResult>((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
    this.watch.start()
    if (!this.ended) this.open()
    return done
  }

  handleConnect(connection: AbConnection): void {
    this.connecting--
    if (this.ended) return
    if (this.claimed() < this.waveBudget()) this.queueSend(connection)
    else this.finishIfIdle()
  }

  handleResponse(connection: AbConnection, status: number, keepAlive: boolean): void {
    const now = performance.now()
    this.outstanding--
    this.completed++
    this.lastResponseAt = now
    this.latency.recordMs(now - connection.sentAt)
    if (status < 200 || status > 299) this.non2xx++
    if (!this.burstStarted) this.startBurst()
    if (!keepAlive || !this.options.keepAlive) {
      this.replace(connection)
    } else if (this.claimed() < this.waveBudget()) {
      this.queueSend(connection)
    } else {
      this.finishIfIdle()
    }
  }

  handleClose(connection: AbConnection): void {
    this.live.delete(connection)
    if (!connection.record.connected) this.connecting--
    if (connection.outstanding) this.outstanding--
    if (connection.record.error !== null) this.errors++
    if (this.ended || connection.retired) return
    if (connection.record.id === 0 && !connection.record.connected) {
      this.fail(connection.record.error ?? 'connection closed')
      return
    }
    if (!this.burstStarted) this.startBurst()
    // A clean close after answers is the server ending keep-alive: continue on a new
    // connection, as ab does. A failed connection is never replaced.
    const cleanClose = connection.record.error === null && connection.record.responses > 0
    if (cleanClose && this.needsConnection()) this.open()
    this.finishIfIdle()
  }

  stop(end: LoadEnd, stalledForMs: number | null): void {
    this.finish(end, stalledForMs)
  }

  private open(): void {
    const connection = new AbConnection(this.nextId++, this.wave, this.target, this)
    this.connecting++
    this.live.add(connection)
    this.records.push(connection.record)
  }

  /** ab opens the other concurrency-1 connections at once after the first response. */
  private startBurst(): void {
    this.burstStarted = true
    for (let i = 1; i < this.options.concurrency && this.needsConnection(); i++) this.open()
  }

  /** Requests are left in this wave that the connections still connecting will not take. */
  private needsConnection(): boolean {
    return this.claimed() + this.connecting < this.waveBudget()
  }

  /** Requests that may be claimed by the end of the current wave: the total split evenly. */
  private waveBudget(): number {
    return Math.round((this.requested * this.wave) / this.waves)
  }

  /**
   * The wave is served: close its connections and, after WAVE_PAUSE_MS, open the next wave's all
   * at once, a new burst. A wave that loses a connection never gets here: it stalls with its
   * clients connected.
   */
  private nextWave(): void {
    this.wave++
    this.errorsBeforeWave = this.errors
    for (const connection of this.live) connection.retire()
    this.live.clear()
    this.wavePending = true
    setTimeout(() => {
      this.wavePending = false
      if (this.ended) return
      for (let i = 0; i < this.options.concurrency && this.needsConnection(); i++) this.open()
    }, WAVE_PAUSE_MS)
  }

  /** Requests written or about to be: the ones no other connection may take. */
  private claimed(): number {
    return this.sent + this.ready.length
  }

  private queueSend(connection: AbConnection): void {
    if (this.ready.push(connection) === 1) setImmediate(this.writeReady)
  }

  private flushReady(): void {
    for (const connection of this.ready) {
      if (this.ended || connection.retired || connection.closed) continue
      this.sent++
      this.outstanding++
      connection.send()
    }
    this.ready.length = 0
    this.finishIfIdle()
  }

  /** The response said the connection ends: close it and go on with a new one. */
  private replace(connection: AbConnection): void {
    this.live.delete(connection)
    connection.retire()
    if (this.needsConnection()) this.open()
    else this.finishIfIdle()
  }

  private finishIfIdle(): void {
    if (this.wavePending) return
    if (this.outstanding > 0 || this.connecting > 0 || this.ready.length > 0) return
    if (this.ended) return
    // A wave whose requests were all sent goes on, even when the server closed every connection
    // after its response (no keep-alive): the next wave opens new ones. Not after connection
    // errors: as in ab, a failed connection is not replaced.
    const cleanWave = this.live.size > 0 || this.errors === this.errorsBeforeWave
    if (this.wave < this.waves && this.sent === this.waveBudget() && cleanWave) this.nextWave()
    else if (this.sent === this.requested || this.live.size === 0) this.finish('completed', null)
  }

  private fail(code: string): void {
    this.ended = true
    this.watch.dispose()
    this.closeAll()
    const address = formatEndpoint({address: this.options.host, port: this.options.port})
    this.reject(new UserError(`cannot connect to ${address}: ${code}`, 'is the server running and listening on that port?'))
  }

  private finish(end: LoadEnd, stalledForMs: number | null): void {
    if (this.ended) return
    this.ended = true
    this.watch.sampleNow()
    this.watch.dispose()
    this.closeAll()
    this.resolve(this.result(end, stalledForMs))
  }

  private closeAll(): void {
    for (const connection of this.live) connection.retire()
    this.live.clear()
  }

  private result(end: LoadEnd, stalledForMs: number | null): LoadResult {
    const durationMs = msSince(this.startedAt)
    return {
      engine: 'ab',
      url: loadUrl(this.options),
      concurrency: this.options.concurrency,
      keepAlive: this.options.keepAlive,
      requested: this.requested,
      sent: this.sent,
      completed: this.completed,
      non2xx: this.non2xx,
      errors: this.errors,
      reconnects: 0,
      end,
      stallMs: stalledForMs,
      startedAt: this.startedAtEpoch,
      durationMs,
      requestsPerSecond: perSecond(this.completed, durationMs),
      latencyMs: this.latency.summarize(),
      progress: this.watch.progress,
      connections: this.records,
      requestBytes: this.target.request.length,
      waves: {requested: this.waves, started: this.wave},
    }
  }
}
