import {describe, expect, it} from 'vitest'
import {LatencyHistogram} from '../../src/load/latency-histogram.js'

describe('LatencyHistogram', () => {
  it('is exact below a millisecond', () => {
    const histogram = new LatencyHistogram()
    for (let us = 1; us <= 1000; us++) histogram.recordMs(us / 1000)
    expect(histogram.summarize()).toEqual({p50: 0.5, p90: 0.9, p99: 0.99, max: 1, mean: 0.501})
  })

  it('stays within 0.2 % above a millisecond and never understates', () => {
    const histogram = new LatencyHistogram()
    for (let i = 1; i <= 100; i++) histogram.recordMs(i * 37.3)
    const summary = histogram.summarize()!
    expect(summary.p50).toBeGreaterThanOrEqual(50 * 37.3)
    expect(summary.p50).toBeLessThan(50 * 37.3 * 1.002)
    expect(summary.p99).toBeGreaterThanOrEqual(99 * 37.3)
    expect(summary.max).toBe(3730)
  })

  it('summarizes nothing as null', () => {
    expect(new LatencyHistogram().summarize()).toBeNull()
  })
})
