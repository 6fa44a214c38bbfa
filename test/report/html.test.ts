/** The HTML report of real runs (test/fixtures/reports/): expectations from the reports' fields. */
import {describe, expect, it} from 'vitest'
import type {BenchRun} from '../../src/bench/types.js'
import {escapeXml} from '../../src/report/svg-chart.js'
import {renderBenchHtml, renderTimelineHtml} from '../../src/report/html.js'
import {loadMatrix, loadReport, loadRun, lostClients} from '../helpers/captured-reports.js'

describe('renderBenchHtml on the real ET accept-once run', () => {
  const run = loadRun('lossy-et-accept-once')
  const html = renderBenchHtml({kind: 'single', run})

  it('is one self-contained page: no script, no external resource', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i)
    expect(html).not.toMatch(/(src|href)="/)
    expect(html).toContain(`default-src 'none'`)
  })

  it('leads with the verdict, then the findings', () => {
    const silent = lostClients(run).length
    expect(html).toContain(`<p class="status">LOST CONNECTIONS</p>\n<h1>${silent} of ${run.load.connections.length} clients never got a byte</h1>`)
    expect(html.indexOf('class="verdict')).toBeLessThan(html.indexOf('class="finding"'))
    for (const finding of run.verdict.findings) expect(html).toContain(escapeXml(finding.title))
  })

  it('lists every client that never got a byte, beside its server-side socket in the final reading', () => {
    const silent = lostClients(run)
    expect(html).toContain(`Clients that never got a byte (${silent.length})`)
    const table = /Clients that never got a byte[\s\S]*?<\/table>/.exec(html)![0]
    for (const client of silent) {
      const server = run.finalSnapshot.sockets.find((s) => s.local.port === run.target.port && s.peer.port === client.localPort)
      const cells = server === undefined ? '<td colspan="3" class="muted">gone from the final snapshot</td>' : `<td>${server.state}</td><td class="num">${server.recvQ}</td>`
      expect(table).toContain(`<tr><td class="mono">${client.localPort}</td>`)
      expect(table).toContain(`<td class="num">${client.requestsSent}</td>${cells}`)
    }
  })

  it('draws one timeline with four panels, the load end marked', () => {
    expect(html.match(/<svg class="timeline"/g)).toHaveLength(1)
    expect(html.match(/<g class="panel">/g)).toHaveLength(4)
    expect(html).toMatch(/load ended \d+(\.\d+)? (ms|s)/)
    expect(html).toContain(`${run.timeline.length} samples`)
  })

  it('escapes everything that came from outside', () => {
    const hostile: BenchRun = {
      ...run,
      target: {...run.target, kind: 'command', description: 'node srv.js --name "<img src=x onerror=alert(1)>"'},
      load: {...run.load, url: `${run.load.url}?a=<b>&c`},
    }
    const page = renderBenchHtml({kind: 'single', run: hostile})
    expect(page).not.toContain('<img')
    expect(page).not.toContain('<b>')
    expect(page).toContain('node srv.js --name &quot;&lt;img src=x onerror=alert(1)&gt;&quot;')
    expect(page).toContain('/?a=&lt;b&gt;&amp;c')
  })
})

describe('renderBenchHtml on the real matrix', () => {
  const matrix = loadMatrix('matrix-small')
  const page = renderBenchHtml({kind: 'matrix', matrix})

  it('one table row per mode, marked lossy where the mode lost connections', () => {
    const table = /<table class="matrix">[\s\S]*?<\/table>/.exec(page)![0]
    const rows = [...table.matchAll(/<tr class="(lossy|clean)"><th scope="row">([^<]*)<\/th>/g)].map((m) => [m[2], m[1]])
    expect(rows).toEqual(matrix.rows.map((r) => [r.label, r.lossyRuns > 0 ? 'lossy' : 'clean']))
    for (const r of matrix.rows) expect(table).toContain(`${r.lossyRuns}/${r.runs}</td>`)
  })

  it('every run collapsed, the first with findings open, and the conclusion', () => {
    expect(page.match(/<details class="run"/g)).toHaveLength(matrix.runs.length)
    const firstWithFindings = matrix.runs.findIndex((run) => run.verdict.status === 'findings')
    const opened = [...page.matchAll(/<details class="run"( open)?>\n<summary>[\s\S]*?run (\d+) ·/g)].filter((m) => m[1] !== undefined).map((m) => Number(m[2]))
    expect(opened).toEqual([firstWithFindings + 1])
    for (const sentence of matrix.conclusion) expect(page).toContain(`<p>${escapeXml(sentence)}</p>`)
  })
})

describe('renderTimelineHtml', () => {
  it("renders a watch timeline without a responses panel when nothing was completed (the real run's samples)", () => {
    const run = loadRun('lossy-et-accept-once')
    const page = renderTimelineHtml({
      title: `port ${run.target.port}`,
      verdict: run.verdict,
      timeline: run.timeline.map((point) => ({...point, completed: 0})),
      notes: ['sampled with ss'],
    })
    expect(page).toContain('<p class="status">FINDINGS</p>')
    expect(page.match(/<g class="panel">/g)).toHaveLength(3)
    expect(page).not.toContain('class="mark"')
    expect(page).toContain('<li>sampled with ss</li>')
  })

  it('the healthy run: no finding section', () => {
    const report = loadReport('healthy-lt')
    const page = renderBenchHtml(report)
    expect(page).toContain('<p class="status">HEALTHY</p>')
    expect(page).not.toContain('class="finding"')
  })
})
