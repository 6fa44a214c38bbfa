import {describe, expect, it} from 'vitest'
import {defaultFailOn} from '../../src/bench/fail-on.js'
import {inline, renderSummaryMarkdown} from '../../src/report/summary-markdown.js'
import {buildHealthyRun, buildMatrixReport, buildSingleReport} from './sample-reports.js'

const lines = (text: string) => text.split('\n')

describe('renderSummaryMarkdown', () => {
  it('one run: the verdict and gate first, each finding with its kind, evidence, why and fix, then the load table', () => {
    const text = renderSummaryMarkdown(buildSingleReport(), {failing: defaultFailOn, exitCode: 1})
    expect(lines(text).slice(0, 12)).toEqual([
      '## ❌ reactor-doctor bench: LOST CONNECTIONS: 4 of 94 clients never got a byte (exit 1, gate failed)',
      '',
      'reference server: et, 4 I/O threads, accept once, read drain (`127.0.0.1:40713, pid 48211`), run took 1.50 s',
      '',
      '### 1. Accept queue not drained: 4 connections still wait in the LISTEN queue',
      '',
      '`accept-queue-not-drained` — fails the gate',
      '',
      '- LISTEN 127.0.0.1:40713 Recv-Q 4 (backlog 128), not falling for 1.20 s after the load stopped',
      '- 127.0.0.1:41022: never accepted, CLOSE-WAIT with 114 unread bytes',
      '- 127.0.0.1:41023: never accepted, CLOSE-WAIT with 114 unread bytes',
      '- 127.0.0.1:41024: never accepted, CLOSE-WAIT with 114 unread bytes',
    ])
    // The diagnosis's cause, seen in the server, and its one why and fix.
    expect(lines(text)).toContain('**Seen (`edge-triggered-accept-once`):** listener fd 5 in epoll fd 7 of pid 48211 (reactor-server) as EPOLLIN|EPOLLERR|EPOLLHUP|EPOLLET (events 80000019), which thread 48211 waits on')
    expect(lines(text)).toContain('**Fix:** Accept in a loop until accept() fails with EAGAIN, or register the listening socket without EPOLLET.')
    expect(lines(text)).toContain('### 2. Never-accepted connections abandoned: 4 clients gave up after sending their request')
    const table = lines(text).slice(lines(text).indexOf('### Load') + 2)
    expect(table.slice(0, 4)).toEqual(['| | |', '|---|---|', '| engine | ab, 94 connections, keep-alive, http://127.0.0.1:40713/ |', '| requests | 996 completed / 1000 sent / 1000 requested |'])
    expect(table).toContain('| clients | 90 of 94 got a response, 4 never got a byte |')
    expect(text.endsWith('| peak accept queue | 4 |\n')).toBe(true)
  })

  it('a finding outside --fail-on says it does not fail the gate', () => {
    const text = renderSummaryMarkdown(buildSingleReport(), {failing: ['lost-connections'], exitCode: 0})
    expect(lines(text)[0]).toBe('## ❌ reactor-doctor bench: LOST CONNECTIONS: 4 of 94 clients never got a byte (exit 0, gate passed)')
    expect(lines(text)).toContain('`accept-queue-not-drained` — reported, does not fail the gate (--fail-on)')
  })

  it('a healthy run: a check mark and no findings section', () => {
    const text = renderSummaryMarkdown({kind: 'single', run: buildHealthyRun()}, {failing: defaultFailOn, exitCode: 0})
    expect(lines(text)[0]).toBe('## ✅ reactor-doctor bench: HEALTHY: 1000/1000 requests, accept queue drained (exit 0, gate passed)')
    expect(text).not.toContain('**Why:**')
  })

  it('the matrix: the mode table, the conclusion, then the findings of each mode that had some', () => {
    const text = renderSummaryMarkdown(buildMatrixReport(), {failing: [], exitCode: 0})
    expect(lines(text).slice(0, 5)).toEqual([
      '## ❌ reactor-doctor bench: LOST CONNECTIONS: 4 of 15 runs, in 2 of 5 modes (exit 0, gate passed)',
      '',
      '| mode | lost runs | completed | peak queue | never accepted | time per run |',
      '|---|---:|---:|---:|---:|---:|',
      '| et, single thread, accept once | 1/3 | 998-1000/1000 | 2 | 2 | 759 ms |',
    ])
    expect(lines(text)).toContain('| et, 4 I/O threads, accept once | 3/3 | 917-999/1000 | 4 | 12 (max 7) | 1.50 s |')
    expect(lines(text)).toContain('With I/O threads the accepting loop does no request work, so it is back in epoll\\_wait sooner and more handshakes coalesce into one edge.')
    expect(lines(text).filter((line) => line.startsWith('### ') && line.includes('findings in'))).toEqual([
      '### et, single thread, accept once: findings in 1 of 3 runs (the first shown)',
      '### et, 4 I/O threads, accept once: findings in 3 of 3 runs (the first shown)',
    ])
  })

  it('escapes what GitHub would render as HTML or Markdown, and pipes in table cells', () => {
    expect(inline('node -e "<script>" *x* a_b [l](u) `c` &amp;\nnext')).toBe('node -e "&lt;script&gt;" \\*x\\* a\\_b \\[l\\](u) \\`c\\` &amp;amp; next')
    const report = buildSingleReport()
    if (report.kind !== 'single') throw new Error('single')
    report.run.load.url = 'http://127.0.0.1:40713/a|b'
    expect(renderSummaryMarkdown(report, {failing: defaultFailOn, exitCode: 1})).toContain('| engine | ab, 94 connections, keep-alive, http://127.0.0.1:40713/a\\|b |')
  })
})
