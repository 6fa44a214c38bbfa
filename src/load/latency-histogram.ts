import type {LatencySummary} from './types.js'

/**
 * Log-linear latency histogram in microseconds: exact below 1024 µs, then 512 buckets per
 * power of two (under 0.2 % error). Fixed size (about 48 KB), so memory does not grow with
 * the request count or rate.
 */
const LINEAR = 1024
const HALF = LINEAR / 2
const MAX_SHIFT = 22 // 1024 << 22 µs is over an hour
const BUCKETS = LINEAR + MAX_SHIFT * HALF

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS)
  private count = 0
  private sumUs = 0
  private maxUs = 0

  recordMs(ms: number): void {
    const us = ms <= 0 ? 0 : Math.round(ms * 1000)
    this.counts[bucketOf(us)]++
    this.count++
    this.sumUs += us
    if (us > this.maxUs) this.maxUs = us
  }

  /** Percentiles in ms, or null when nothing was recorded. */
  summarize(): LatencySummary | null {
    if (this.count === 0) return null
    return {
      p50: toMs(this.percentileUs(50)),
      p90: toMs(this.percentileUs(90)),
      p99: toMs(this.percentileUs(99)),
      max: toMs(this.maxUs),
      mean: toMs(this.sumUs / this.count),
    }
  }

  private percentileUs(percent: number): number {
    const rank = Math.max(1, Math.ceil((percent / 100) * this.count))
    let seen = 0
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.counts[bucket]
      if (seen >= rank) return Math.min(upperBoundOf(bucket), this.maxUs)
    }
    return this.maxUs
  }
}

function bucketOf(us: number): number {
  if (us < LINEAR) return us
  if (us > 0xffffffff) return BUCKETS - 1
  const shift = Math.min(31 - Math.clz32(us) - 9, MAX_SHIFT)
  return Math.min(LINEAR + (shift - 1) * HALF + ((us >>> shift) - HALF), BUCKETS - 1)
}

/** The largest value that lands in a bucket: percentiles never understate latency. */
function upperBoundOf(bucket: number): number {
  if (bucket < LINEAR) return bucket
  const shift = Math.floor((bucket - LINEAR) / HALF) + 1
  const mantissa = ((bucket - LINEAR) % HALF) + HALF
  return (mantissa + 1) * 2 ** shift - 1
}

function toMs(us: number): number {
  return Math.round(us) / 1000
}
