import {describe, expect, it} from 'vitest'
import {diagnoseSockets} from '../../src/diagnose/verdict.js'
import {renderTimelineHtml} from '../../src/report/html.js'
import {buildWatchPage} from '../../src/report/watch-page.js'
import {summarizeWatch} from '../../src/watch/watch-summary.js'
import {conn, historyOf, listener, snap} from '../diagnose/build-snapshots.js'

describe('buildWatchPage', () => {
  const snapshots = [
    snap(0, [listener(80, 1, 8), conn(80, 5000, 'CLOSE-WAIT', 114, 0)]),
    snap(1000, [listener(80, 2, 8), conn(80, 5000, 'CLOSE-WAIT', 114, 0), conn(80, 5001, 'ESTAB', 0, 0)]),
    snap(6000, [listener(80, 2, 8), conn(80, 5000, 'CLOSE-WAIT', 114, 0), conn(80, 5001, 'CLOSE-WAIT', 114, 0)]),
  ]
  const verdict = diagnoseSockets({port: 80, snapshots, stuckAfterMs: 5000})
  const page = buildWatchPage({port: 80, sourceNote: 'ss', verdict, watch: summarizeWatch(historyOf(80, snapshots), 1000, 5000)})

  it('maps each sample to a timeline point with no load: nothing completed, nothing after a load', () => {
    expect(page.timeline).toEqual([
      {atMs: 0, acceptQueue: 1, backlog: 8, estab: 0, closeWait: 1, completed: 0, afterLoad: false},
      {atMs: 1000, acceptQueue: 2, backlog: 8, estab: 1, closeWait: 1, completed: 0, afterLoad: false},
      {atMs: 6000, acceptQueue: 2, backlog: 8, estab: 0, closeWait: 2, completed: 0, afterLoad: false},
    ])
  })

  it('keeps the watch verdict, and its summary as notes', () => {
    expect(page.verdict).toBe(verdict)
    expect(page.title).toBe('port 80: watched 6.0 s, 3 samples every 1.00 s')
    expect(page.notes).toEqual([
      'source: ss',
      'accept queue: peak 2, grew, above zero in every sample',
      'CLOSE-WAIT sockets seen: 2 (stuck = still there after 5.0 s)',
      '127.0.0.1:80 <- 127.0.0.1:5000  stayed 6.0 s, stuck, never accepted, Recv-Q 114',
      '127.0.0.1:80 <- 127.0.0.1:5001  stayed 0.0 s, still there, never accepted, Recv-Q 114',
    ])
  })

  it('renders as a three-panel page: no responses panel without a load', () => {
    const html = renderTimelineHtml(page)
    expect(html).toContain("<h1>Accept queue not drained: 2 connections waiting in port 80&#39;s accept queue")
    expect(html.match(/<g class="panel">/g)).toHaveLength(3)
  })
})
