import {describe, expect, it} from 'vitest'
import {describeMode} from '../../src/targets/reference-modes.js'
import {renderFinalStats, renderLiveStats, renderServerBanner, renderStatsLine} from '../../src/report/server-text.js'
import type {ServerStats} from '../../src/targets/reference-server.js'

const stats: ServerStats = {
  final: false,
  uptimeMs: 2500,
  accepted: 94,
  closed: 90,
  requests: 1000,
  listenWakeups: 12,
  acceptEagain: 3,
  rejected: 0,
  open: [0, 1, 1, 1, 1],
}

describe('server text', () => {
  it('describes a mode in words', () => {
    expect(describeMode({trigger: 'et', threads: 4, accept: 'once', read: 'drain', backlog: 128})).toBe(
      'edge-triggered, 4 I/O threads, accept once, read drain, backlog 128',
    )
    expect(describeMode({trigger: 'lt', threads: 0, accept: 'drain', read: 'drain', backlog: 64})).toBe(
      'level-triggered, main loop serves, accept drain, read drain, backlog 64',
    )
  })

  it('prints the URL, pid and mode first', () => {
    expect(renderServerBanner('http://127.0.0.1:1022/', {trigger: 'lt', threads: 1, accept: 'drain', read: 'drain', backlog: 128}, 42).split('\n')).toEqual([
      'reference server listening on http://127.0.0.1:1022/ (pid 42)',
      'mode: level-triggered, 1 I/O thread, accept drain, read drain, backlog 128',
      'Ctrl-C stops it.',
    ])
  })

  it('puts the counters on one line, with open connections per loop', () => {
    expect(renderStatsLine(stats)).toBe('accepted 94  closed 90  open 4 [0 1 1 1 1]  requests 1000  listen wakeups 12  accept EAGAIN 3')
    expect(renderStatsLine({...stats, open: [2], rejected: 5})).toBe(
      'accepted 94  closed 90  open 2  requests 1000  listen wakeups 12  accept EAGAIN 3  rejected at fd limit 5',
    )
  })

  it('rewrites the live line in place', () => {
    expect(renderLiveStats(stats)).toMatch(/^\raccepted 94 .*accept EAGAIN 3\u001B\[K$/)
  })

  it('ends with the final counters', () => {
    expect(renderFinalStats({...stats, final: true})).toBe(`stopped after 2.5 s: ${renderStatsLine(stats)}`)
    expect(renderFinalStats(null)).toBe('stopped; the server printed no final stats')
  })
})
