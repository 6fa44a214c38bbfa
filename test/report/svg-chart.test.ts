import {describe, expect, it} from 'vitest'
import {drawTimelineSvg, escapeXml, niceCeiling, pickTimeTicks} from '../../src/report/svg-chart.js'

describe('niceCeiling', () => {
  it('rounds axis maxima up to 1, 2 or 5 x 10^k', () => {
    expect([0, 1, 3, 4, 6, 94, 100, 101, 996].map(niceCeiling)).toEqual([1, 1, 5, 5, 10, 100, 100, 200, 1000])
  })
})

describe('pickTimeTicks', () => {
  it('picks round times across the span', () => {
    expect(pickTimeTicks(-20, 1460, 8)).toEqual([0, 200, 400, 600, 800, 1000, 1200, 1400])
    expect(pickTimeTicks(0, 90, 4)).toEqual([0, 50])
  })
})

describe('drawTimelineSvg', () => {
  const chart = drawTimelineSvg({
    label: 'queue <script>',
    panels: [
      {title: 'Accept queue', series: [{label: 'queued', color: '#7c3aed', kind: 'step', fill: true, points: [
        {atMs: 0, value: 0}, {atMs: 100, value: 4}, {atMs: 200, value: null}, {atMs: 300, value: 4},
      ]}]},
      {title: 'Responses', series: [{label: 'responses', color: '#16a34a', kind: 'bars', points: [
        {atMs: 0, value: 0}, {atMs: 100, value: 50}, {atMs: 200, value: 0}, {atMs: 300, value: 10},
      ]}]},
    ],
    markAtMs: 250,
    markLabel: 'load ended 250 ms',
  })

  it('draws a step line that breaks where nothing was measured', () => {
    const line = /<path class="series" data-series="queued" d="([^"]*)"/.exec(chart)?.[1]
    expect(line?.match(/M/g)).toHaveLength(2)
    expect(line).toContain('H')
  })

  it('draws one bar per non-empty interval', () => {
    expect(chart.match(/<rect class="bar"/g)).toHaveLength(2)
  })

  it('marks the end of the load and shades what follows in every panel', () => {
    expect(chart).toContain('<line class="mark"')
    expect(chart).toContain('load ended 250 ms')
    expect(chart.match(/<rect class="settle"/g)).toHaveLength(2)
  })

  it('escapes text and uses no ids, so many charts can share a page', () => {
    expect(chart).toContain('aria-label="queue &lt;script&gt;"')
    expect(chart).not.toContain('<script')
    expect(chart).not.toMatch(/\sid="/)
  })
})

describe('escapeXml', () => {
  it('escapes markup and both quotes', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
  })
})
