import {resolveSource, takeSnapshot} from '../probes/index.js'
import {toTimelinePoint} from './timeline-point.js'
import type {TimelinePoint} from './types.js'

export interface Sampler {
  /** Stop sampling; resolves once the sample in flight is done. */
  stop(): Promise<TimelinePoint[]>
  /** From now on, samples are marked as taken after the load. */
  markLoadEnded(): void
}

/**
 * Sample the port's socket states every intervalMs, one probe at a time (a slow probe delays the
 * next sample rather than piling up reads). Always from /proc, whatever --source says: spawning
 * ss forks this process, which stalls the load engine for milliseconds and slows its connection
 * burst enough to hide the very race the bench looks for (measured: the seed bug showed in 0 of
 * 8 runs sampled with ss, against 5 of 8 with /proc). Owners are not read here: too costly at 50 Hz.
 */
const procSource = resolveSource('proc')

export function startSampler(options: {
  port: number
  intervalMs: number
  startedAt: number
  completed: () => number
}): Sampler {
  const points: TimelinePoint[] = []
  let running = true
  let afterLoad = false
  let wake: (() => void) | null = null

  const loop = (async () => {
    while (running) {
      const began = Date.now()
      try {
        const snapshot = await takeSnapshot({port: options.port, source: procSource, owners: false})
        points.push(toTimelinePoint(snapshot, options.port, options.startedAt, options.completed(), afterLoad))
      } catch {
        // A failed sample is a gap in the chart, not a failed run; the final snapshot decides.
      }
      const wait = Math.max(0, options.intervalMs - (Date.now() - began))
      if (running && wait > 0) await new Promise<void>((resolve) => {
        wake = resolve
        setTimeout(resolve, wait)
      })
    }
  })()

  return {
    markLoadEnded() {
      afterLoad = true
    },
    async stop() {
      running = false
      wake?.()
      await loop
      return points
    },
  }
}
