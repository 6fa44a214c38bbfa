import {describe, expect, it} from 'vitest'
import {diagnoseSockets} from '../../src/diagnose/verdict.js'
import {parseNetstat} from '../../src/probes/netstat.js'
import {renderSocketsReport, renderWatchSample} from '../../src/report/render-sockets.js'
import {buildSocketsReport} from '../../src/report/sockets-report.js'
import {summarizeWatch} from '../../src/watch/watch-summary.js'
import {conn, historyOf, listener, snap} from '../diagnose/build-snapshots.js'
import {readFixture} from '../probes/fixtures.js'

describe('renderSocketsReport', () => {
  it('the seed excerpt, line by line', () => {
    const snapshots = [snap(Date.UTC(2026, 0, 1), parseNetstat(readFixture('seed/netstat-an-grep-1022.txt')), 'netstat')]
    const verdict = diagnoseSockets({port: 1022, snapshots, stuckAfterMs: 5000})
    const report = buildSocketsReport({mode: 'file', port: 1022, sourceNote: 'netstat (format detected in the file)', file: 'seed.txt', snapshots, watch: null, verdict})
    const lines = renderSocketsReport(report).split('\n')
    expect(lines.slice(0, 7)).toEqual([
      "FINDINGS: Accept queue not drained: 4 connections waiting in port 1022's accept queue (+1 more)",
      'Port 1022: seed.txt, source netstat (format detected in the file)',
      'Listeners:',
      '  0.0.0.0:1022  accept queue 4 (backlog not shown by netstat), owner unknown',
      'Sockets by state: LISTEN 1, CLOSE-WAIT 4',
      'Rows that matter:',
      '  CLOSE-WAIT 10.4.160.96:1022 <- 10.4.160.95:8784  Recv-Q 114  owner not shown by the source',
    ])
    expect(lines).toContain("1. Accept queue not drained: 4 connections waiting in port 1022's accept queue (cause not seen)")
    expect(lines).toContain('              * 4 CLOSE_WAIT sockets likely never accepted, 114 unread bytes each (the FIN counts one)')
    expect(lines).toContain('Verdict: findings (exit 1)')
    expect(report.exitCode).toBe(1)
    expect(report.snapshot.acceptQueue).toBe(4)
    expect(report.snapshot.rows.map((row) => row.reason)).toEqual(['owner-unknown', 'owner-unknown', 'owner-unknown', 'owner-unknown'])
  })

  it('lists the first 20 rows that matter and counts the rest; --json keeps them all', () => {
    const stuck = Array.from({length: 30}, (_, i) => conn(80, 5000 + i, 'CLOSE-WAIT', 114, 0))
    const snapshots = [snap(0, [listener(80, 0, 8), ...stuck]), snap(6000, [listener(80, 0, 8), ...stuck])]
    const verdict = diagnoseSockets({port: 80, snapshots, stuckAfterMs: 5000})
    const watch = summarizeWatch(historyOf(80, snapshots), 1000, 5000)
    const report = buildSocketsReport({mode: 'watch', port: 80, sourceNote: 'ss', file: null, snapshots, watch, verdict})
    const lines = renderSocketsReport(report).split('\n')
    expect(lines.filter((line) => /^ {2}CLOSE-WAIT 127\.0\.0\.1:80 <- /.test(line))).toHaveLength(20)
    expect(lines).toContain('  ... and 10 more (--json lists them all)')
    expect(lines.filter((line) => /^ {4}127\.0\.0\.1:80 <- .* stayed 6\.0 s, stuck, never accepted, Recv-Q 114$/.test(line))).toHaveLength(20)
    expect(lines).toContain('    ... and 10 more (--json lists them all)')
    expect(report.snapshot.rows).toHaveLength(30)
  })

  it('watch lines and summary', () => {
    const snapshots = [
      snap(0, [listener(80, 1, 8), conn(80, 5000, 'CLOSE-WAIT', 114, 0)]),
      snap(1000, [listener(80, 2, 8), conn(80, 5000, 'CLOSE-WAIT', 114, 0), conn(80, 5001, 'ESTAB', 0, 0)]),
      snap(6000, [listener(80, 2, 8), conn(80, 5000, 'CLOSE-WAIT', 114, 0), conn(80, 5001, 'CLOSE-WAIT', 114, 0)]),
    ]
    const watch = summarizeWatch(historyOf(80, snapshots), 1000, 5000)
    expect(watch.samples.map(renderWatchSample)).toEqual([
      '+0.0 s  queue 1/8  ESTAB 0  CLOSE-WAIT 1  new 0  gone 0',
      '+1.0 s  queue 2/8  ESTAB 1  CLOSE-WAIT 1  new 1  gone 0',
      '+6.0 s  queue 2/8  ESTAB 0  CLOSE-WAIT 2  new 1  gone 1',
    ])
    const verdict = diagnoseSockets({port: 80, snapshots, stuckAfterMs: 5000})
    const report = buildSocketsReport({mode: 'watch', port: 80, sourceNote: 'ss', file: null, snapshots, watch, verdict})
    const lines = renderSocketsReport(report).split('\n')
    const start = lines.indexOf('Watched 6.0 s, 3 samples:')
    expect(lines.slice(start, start + 5)).toEqual([
      'Watched 6.0 s, 3 samples:',
      '  accept queue: peak 2, grew, above zero in every sample',
      '  CLOSE-WAIT sockets seen: 2 (stuck = still there after 5.0 s)',
      '    127.0.0.1:80 <- 127.0.0.1:5000  stayed 6.0 s, stuck, never accepted, Recv-Q 114',
      '    127.0.0.1:80 <- 127.0.0.1:5001  stayed 0.0 s, still there, never accepted, Recv-Q 114',
    ])
    expect(lines).toContain("1. Accept queue not drained: 2 connections waiting in port 80's accept queue (cause not seen)")
  })

  it('a healthy port', () => {
    const snapshots = [snap(0, [listener(80, 0), conn(80, 5000, 'ESTAB', 0, 9)])]
    const verdict = diagnoseSockets({port: 80, snapshots, stuckAfterMs: 5000})
    const text = renderSocketsReport(buildSocketsReport({mode: 'snapshot', port: 80, sourceNote: 'ss', file: null, snapshots, watch: null, verdict}))
    expect(text).toBe(
      [
        'HEALTHY: no finding',
        'Port 80: source ss',
        'Listeners:',
        '  127.0.0.1:80  accept queue 0 (backlog 128), srv(pid 10, fd 3)',
        'Sockets by state: LISTEN 1, ESTAB 1',
        'Verdict: healthy (exit 0)',
        '',
      ].join('\n'),
    )
  })
})
