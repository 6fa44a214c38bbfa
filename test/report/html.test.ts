import {describe, expect, it} from 'vitest'
import type {BenchRun} from '../../src/bench/types.js'
import {renderBenchHtml, renderTimelineHtml} from '../../src/report/html.js'
import {buildMatrixReport, buildSeedRun, buildSingleReport} from './sample-reports.js'

describe('renderBenchHtml', () => {
  const html = renderBenchHtml(buildSingleReport())

  it('is one self-contained page: no script, no external resource', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i)
    expect(html).not.toMatch(/(src|href)="/)
    expect(html).toContain(`default-src 'none'`)
  })

  it('leads with the verdict, then the findings and the lost clients', () => {
    expect(html).toContain('<p class="status">LOST CONNECTIONS</p>\n<h1>4 of 94 clients never got a byte</h1>')
    expect(html.indexOf('class="verdict')).toBeLessThan(html.indexOf('class="finding"'))
    expect(html).toContain('<td class="mono">127.0.0.1:41022</td><td>never accepted, CLOSE-WAIT with 114 unread bytes</td>')
    expect(html.match(/<td class="mono">4102[2-5]<\/td>/g)).toHaveLength(4)
  })

  it('draws a four-panel timeline with the load end marked', () => {
    expect(html.match(/<svg class="timeline"/g)).toHaveLength(1)
    expect(html.match(/<g class="panel">/g)).toHaveLength(4)
    expect(html).toContain('load ended 1.26 s')
  })

  it('escapes everything that came from outside', () => {
    const run = buildSeedRun()
    const hostile: BenchRun = {
      ...run,
      target: {...run.target, kind: 'command', description: 'node srv.js --name "<img src=x onerror=alert(1)>"'},
      load: {...run.load, url: 'http://127.0.0.1:40713/?a=<b>&c'},
    }
    const page = renderBenchHtml({kind: 'single', run: hostile})
    expect(page).not.toContain('<img')
    expect(page).not.toContain('<b>')
    expect(page).toContain('node srv.js --name &quot;&lt;img src=x onerror=alert(1)&gt;&quot;')
    expect(page).toContain('/?a=&lt;b&gt;&amp;c')
  })

  it('shows the matrix table with one row per mode and each run collapsed, the first lossy one open', () => {
    const page = renderBenchHtml(buildMatrixReport())
    const table = /<table class="matrix">[\s\S]*?<\/table>/.exec(page)?.[0] ?? ''
    expect(table.match(/<tr class="(lossy|clean)">/g)).toHaveLength(5)
    expect(table).toContain('<td class="num">917-999/1000</td>')
    expect(page.match(/<details class="run"/g)).toHaveLength(15)
    expect(page.match(/<details class="run" open>/g)).toHaveLength(1)
    expect(page).toContain('Level-triggered mode and accepting until EAGAIN lost nothing in 9 runs.')
  })
})

describe('renderTimelineHtml', () => {
  it('renders a watch timeline without a responses panel when nothing was completed', () => {
    const run = buildSeedRun()
    const page = renderTimelineHtml({
      title: 'port 40713',
      verdict: run.verdict,
      timeline: run.timeline.map((point) => ({...point, completed: 0})),
      notes: ['sampled with ss'],
    })
    expect(page).toContain('<p class="status">FINDINGS</p>')
    expect(page.match(/<g class="panel">/g)).toHaveLength(3)
    expect(page).not.toContain('class="mark"')
    expect(page).toContain('<li>sampled with ss</li>')
  })
})
