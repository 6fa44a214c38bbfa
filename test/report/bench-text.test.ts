import {describe, expect, it} from 'vitest'
import type {BenchRun} from '../../src/bench/types.js'
import {describeRun, renderBenchText} from '../../src/report/bench-text.js'
import {createStyle, plainStyle} from '../../src/report/style.js'
import {buildHealthyRun, buildMatrixReport, buildSeedRun, buildSingleReport} from './sample-reports.js'

const lines = (text: string): string[] => text.trimEnd().split('\n')

describe('renderBenchText', () => {
  it('puts the verdict first, then findings, load, the queue chart and the server stats', () => {
    expect(lines(renderBenchText(buildSingleReport(), plainStyle))).toEqual([
      'LOST CONNECTIONS: 4 of 94 clients never got a byte',
      'reference server: et, 4 I/O threads, accept once, read drain (127.0.0.1:40713, pid 48211), run took 1.50 s',
      '',
      '1. Edge-triggered listener, one accept() per wakeup',
      '   symptoms   * Accept queue not drained: 4 connections still wait in the LISTEN queue',
      '                - LISTEN 127.0.0.1:40713 Recv-Q 4 (backlog 128), not falling for 1.20 s after the load stopped',
      '                - 127.0.0.1:41022: never accepted, CLOSE-WAIT with 114 unread bytes',
      '                - 127.0.0.1:41023: never accepted, CLOSE-WAIT with 114 unread bytes',
      '                - 127.0.0.1:41024: never accepted, CLOSE-WAIT with 114 unread bytes',
      '                (1 more line in --json)',
      '              * Never-accepted connections abandoned: 4 clients gave up after sending their request',
      '                - 4 ownerless CLOSE-WAIT sockets on port 40713, Recv-Q 114 each (inode 0)',
      '   seen       listener fd 5 in epoll fd 7 of pid 48211 (reactor-server) as',
      '              EPOLLIN|EPOLLERR|EPOLLHUP|EPOLLET (events 80000019), which',
      '              thread 48211 waits on',
      '   why        The listener is registered with EPOLLET: connections that',
      '              complete while it is already reported ready make one edge, and',
      '              an acceptor that calls accept() once per wakeup leaves the rest',
      '              queued with no further event. accept() takes the oldest, so the',
      '              queue never shrinks.',
      '   fix        Accept in a loop until accept() fails with EAGAIN, or register',
      '              the listening socket without EPOLLET.',
      '',
      'Load',
      '  engine     ab, 94 connections, keep-alive, http://127.0.0.1:40713/',
      '  requests   996 completed / 1000 sent / 1000 requested',
      '  clients    90 of 94 got a response, 4 never got a byte',
      '  rate       789 req/s over 1.26 s',
      '  latency    p50 0.9 ms, p99 6.8 ms, max 14 ms',
      '  errors     0 connection errors, 0 non-2xx, 0 reconnects',
      '  ended      stalled: no response for 1000 ms with requests outstanding',
      '',
      'Accept queue (LISTEN Recv-Q), peak 4 of backlog 128',
      '  4 ┤  ██████████████████████████████████████████████████████████',
      '    │ ███████████████████████████████████████████████████████████',
      '    │ ███████████████████████████████████████████████████████████',
      '    │ ███████████████████████████████████████████████████████████',
      '  0 └───────────────────────────────────────────────────┴────────',
      '     -20 ms                                        1.26 s  1.46 s',
      '  ┴ load ended at 1.26 s; still 4 queued at the end',
      '  ListenOverflows +0, ListenDrops +0 (whole network namespace)',
      '',
      'Reference server',
      '  accepted   90, closed 90, rejected 0, requests 996',
      '  listener   90 wakeups, 0 accept() EAGAIN',
      '  open       main loop 0, I/O loops 0 0 0 0',
    ])
  })

  it('says healthy with the request count and a drained queue', () => {
    expect(lines(renderBenchText({kind: 'single', run: buildHealthyRun()}, plainStyle))).toEqual([
      'HEALTHY: 1000/1000 requests, accept queue drained',
      'reference server: lt, 4 I/O threads, accept once, read drain (127.0.0.1:40713, pid 48377), run took 512 ms',
      '',
      'Load',
      '  engine     ab, 94 connections, keep-alive, http://127.0.0.1:40713/',
      '  requests   1000 completed / 1000 sent / 1000 requested',
      '  clients    94 of 94 got a response, 0 never got a byte',
      '  rate       3559 req/s over 281 ms',
      '  latency    p50 0.9 ms, p99 6.8 ms, max 14 ms',
      '  errors     0 connection errors, 0 non-2xx, 0 reconnects',
      '  ended      completed',
      '',
      'Accept queue (LISTEN Recv-Q), peak 2 of backlog 128',
      '  2 ┤    ███',
      '    │    ███',
      '    │    ███',
      '    │    ███',
      '  0 └────────────────────────────────────┴───────────────────────',
      '     -20 ms                              281 ms            480 ms',
      '  ┴ load ended at 281 ms; drained to 0 at the end',
      '  ListenOverflows +0, ListenDrops +0 (whole network namespace)',
      '',
      'Reference server',
      '  accepted   94, closed 94, rejected 0, requests 1000',
      '  listener   57 wakeups, 0 accept() EAGAIN',
      '  open       main loop 0, I/O loops 0 0 0 0',
    ])
  })

  it('renders the matrix as one row per mode within 80 columns, then the conclusion', () => {
    const text = lines(renderBenchText(buildMatrixReport(), plainStyle))
    expect(text).toEqual([
      'LOST CONNECTIONS: 4 of 15 runs, in 2 of 5 modes',
      '',
      '                                 lost                  peak       never     time',
      'mode                             runs      completed  queue    accepted  per run',
      'et, single thread, accept once    1/3  998-1000/1000      2           2   759 ms',
      'et, 4 I/O threads, accept once    3/3   917-999/1000      4  12 (max 7)   1.50 s',
      'lt, single thread, accept once    0/3      1000/1000      3           0   392 ms',
      'lt, 4 I/O threads, accept once    0/3      1000/1000      5           0   513 ms',
      'et, 4 I/O threads, accept drain   0/3      1000/1000      6           0   508 ms',
      '',
      'Conclusion',
      '  Connections were lost only with an edge-triggered listener that accepts once',
      '  per wakeup: 3 of 3 runs with 4 I/O threads, 1 of 3 single-threaded.',
      '  With I/O threads the accepting loop does no request work, so it is back in',
      '  epoll_wait sooner and more handshakes coalesce into one edge.',
      '  Level-triggered mode and accepting until EAGAIN lost nothing in 9 runs.',
    ])
    expect(Math.max(...text.map((line) => line.length))).toBeLessThanOrEqual(80)
  })

  it('reads the same with colour, only wrapped in escapes', () => {
    const coloured = renderBenchText(buildSingleReport(), createStyle(1))
    expect(coloured).toContain('\x1b[31m\x1b[1mLOST CONNECTIONS: 4 of 94 clients never got a byte')
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(renderBenchText(buildSingleReport(), plainStyle))
  })

  it('says when no LISTEN row was seen, and when the queue never built up', () => {
    const run = buildHealthyRun()
    const noListen: BenchRun = {...run, timeline: run.timeline.map((point) => ({...point, acceptQueue: null}))}
    expect(lines(renderBenchText({kind: 'single', run: noListen}, plainStyle))).toContain('Accept queue no LISTEN row seen in /proc/net/tcp')
    const flat: BenchRun = {...run, timeline: run.timeline.map((point) => ({...point, acceptQueue: 0}))}
    expect(lines(renderBenchText({kind: 'single', run: flat}, plainStyle))).toContain('Accept queue (LISTEN Recv-Q) stayed at 0 in 26 samples')
  })
})

describe('describeRun', () => {
  it('names the first finding when no client went silent', () => {
    const run = buildSeedRun()
    const served: BenchRun = {...run, load: {...run.load, connections: run.load.connections.map((c) => ({...c, bytesReceived: 129}))}}
    expect(describeRun(served)).toEqual({
      status: 'findings',
      text: 'FINDINGS: Accept queue not drained: 4 connections still wait in the LISTEN queue (+1 more)',
    })
  })

  it('gives the first note as the reason of an inconclusive verdict', () => {
    const run = buildHealthyRun()
    const unsure: BenchRun = {...run, verdict: {status: 'inconclusive', findings: [], diagnoses: [], notes: ['no LISTEN row on port 40713']}}
    expect(describeRun(unsure)).toEqual({status: 'inconclusive', text: 'INCONCLUSIVE: no LISTEN row on port 40713'})
  })

  it('describes a duration run and its end', () => {
    const run = buildHealthyRun()
    const timed: BenchRun = {...run, load: {...run.load, engine: 'autocannon', requested: null, end: 'duration', durationMs: 10_000}}
    const text = lines(renderBenchText({kind: 'single', run: timed}, plainStyle))
    expect(text[0]).toBe('HEALTHY: 1000/1000 requests, accept queue drained')
    expect(text).toContain('  requests   1000 completed / 1000 sent / duration run')
    expect(text).toContain('  ended      duration of 10.0 s elapsed')
  })
})
