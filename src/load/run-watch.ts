import type {LoadEnd, LoadHooks} from './types.js'

/** What the watch reads from a running engine, and how it stops it. */
export interface WatchedRun {
  readonly completed: number
  readonly sent: number
  /** performance.now() of the last response (or of the start). */
  readonly lastResponseAt: number
  stop(end: LoadEnd, stalledForMs: number | null): void
}

export interface WatchBounds {
  stallMs: number
  timeoutMs: number
  signal?: AbortSignal
}

const PROGRESS_INTERVAL_MS = 50

/**
 * Bounds a run and samples its progress, one timer for both engines: stops it on a stall
 * (no response for stallMs), on timeoutMs, or when the signal aborts.
 */
export class RunWatch {
  readonly progress: Array<{atMs: number; completed: number}> = []
  private ticker: NodeJS.Timeout | null = null
  private deadline: NodeJS.Timeout | null = null
  private halting = false
  private readonly abort = (): void => this.run.stop('aborted', null)

  constructor(
    private readonly run: WatchedRun,
    private readonly bounds: WatchBounds,
    private readonly startedAt: number,
    private readonly hooks: LoadHooks = {},
  ) {}

  start(): void {
    if (this.bounds.signal?.aborted) {
      this.abort()
      return
    }
    this.bounds.signal?.addEventListener('abort', this.abort, {once: true})
    // Sample fast enough to notice a short stall close to its bound.
    const every = Math.max(5, Math.min(PROGRESS_INTERVAL_MS, this.bounds.stallMs / 4))
    this.ticker = setInterval(() => this.tick(), every)
    this.deadline = setTimeout(() => this.halt('timeout', null), this.bounds.timeoutMs)
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker)
    if (this.deadline) clearTimeout(this.deadline)
    this.ticker = this.deadline = null
    this.bounds.signal?.removeEventListener('abort', this.abort)
  }

  /** Records the final count so the chart ends where the run ended. */
  sampleNow(): void {
    this.progress.push({atMs: Math.round(performance.now() - this.startedAt), completed: this.run.completed})
  }

  private tick(): void {
    const now = performance.now()
    const last = this.progress.at(-1)
    if (!last || now - this.startedAt - last.atMs >= PROGRESS_INTERVAL_MS) {
      this.sampleNow()
      this.hooks.onProgress?.(this.run.completed, this.run.sent)
    }
    const silentFor = now - this.run.lastResponseAt
    if (silentFor >= this.bounds.stallMs) this.halt('stalled', Math.round(silentFor))
  }

  /**
   * Stops a run that stalled or hit its time limit, after onStalled: that reading is taken while
   * the clients are still connected, since a server often cleans up once they close.
   */
  private halt(end: 'stalled' | 'timeout', stalledForMs: number | null): void {
    if (this.halting) return
    this.halting = true
    if (this.ticker) clearInterval(this.ticker)
    if (this.deadline) clearTimeout(this.deadline)
    this.ticker = this.deadline = null
    const hook = this.hooks.onStalled
    if (!hook) return this.run.stop(end, stalledForMs)
    void hook()
      .catch(() => {})
      .finally(() => this.run.stop(end, stalledForMs))
  }
}
