import {describe, expect, it} from 'vitest'
import {bucketSamples, drawBarChart, formatMs} from '../../src/report/ascii-chart.js'

const rising = [0, 0, 1, 3, 4, 4, 4, 4, 4, 4, 4].map((value, index) => ({atMs: index * 10, value}))

describe('formatMs', () => {
  it('keeps labels short', () => {
    expect([formatMs(-20), formatMs(850.4), formatMs(1262), formatMs(41_300)]).toEqual(['-20 ms', '850 ms', '1.26 s', '41.3 s'])
  })
})

describe('bucketSamples', () => {
  it('keeps the highest sample of a column and holds the last value over empty columns', () => {
    const samples = [{atMs: 0, value: 1}, {atMs: 5, value: 3}, {atMs: 100, value: 2}]
    expect(bucketSamples(samples, 4)).toEqual([3, 3, 3, 2])
  })

  it('keeps gaps where nothing was measured', () => {
    const samples = [{atMs: 0, value: 2}, {atMs: 100, value: null}, {atMs: 200, value: null}, {atMs: 300, value: 1}]
    expect(bucketSamples(samples, 6)).toEqual([2, 2, null, null, null, 1])
  })
})

describe('drawBarChart', () => {
  // The mark label does not fit after its column (100 ms is there), so it ends at the column.
  it('draws the queue rising to 4 and staying, with the load end marked', () => {
    expect(drawBarChart(rising, {width: 22, height: 2, markAtMs: 50})).toEqual([
      '4 ┤      ▄▄██████████████',
      '  │    ▄▄████████████████',
      '0 └───────────┴──────────',
      '   0 ms   50 ms    100 ms',
    ])
  })

  it('shows a small value next to a big peak, and drops a mark label that does not fit', () => {
    const samples = [{atMs: 0, value: 1}, {atMs: 10, value: 100}]
    expect(drawBarChart(samples, {width: 4, height: 1, markAtMs: 5})).toEqual([
      '100 ┤▁▁▁█',
      '  0 └──┴─',
      '     0 ms',
    ])
  })

  it('draws nothing without samples', () => {
    expect(drawBarChart([], {width: 10, height: 2, markAtMs: null})).toEqual([])
  })
})
