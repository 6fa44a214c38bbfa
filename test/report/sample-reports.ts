/**
 * Bench reports shaped like real runs, for the renderers' tests. The lossy run is the seed:
 * ab -n 1000 -c 94 -k against an ET accept-once server with 4 I/O threads; clients on ports
 * 41022-41025 are never accepted, the accept queue rises to 4 and stays there.
 */
import {causeKindTable} from '../../src/diagnose/cause-kinds.js'
import type {BenchReport, BenchRun, MatrixRow, TimelinePoint} from '../../src/bench/types.js'
import type {ConnectionRecord, LoadResult} from '../../src/load/types.js'
import type {SocketRecord} from '../../src/probes/types.js'
import type {ReferenceServerMode} from '../../src/targets/reference-server.js'

export const SERVER_PORT = 40713
export const LOST_PORTS = [41022, 41023, 41024, 41025]
const FIRST_CLIENT_PORT = 40990
const STARTED_AT = Date.UTC(2026, 10, 27, 18, 30, 0)
const REQUEST_BYTES = 113
const RESPONSE_BYTES = 129

const et4Once: ReferenceServerMode = {trigger: 'et', threads: 4, accept: 'once', read: 'drain', backlog: 128}
const lt4Once: ReferenceServerMode = {trigger: 'lt', threads: 4, accept: 'once', read: 'drain', backlog: 128}

/** 94 clients; the lost ones sent one request each and got nothing, the rest share 996. */
function seedConnections(lost: number[]): ConnectionRecord[] {
  const served = 94 - lost.length
  const completed = 1000 - lost.length
  let extra = completed - served * Math.floor(completed / served)
  return Array.from({length: 94}, (_, id) => {
    const localPort = FIRST_CLIENT_PORT + id
    const connectedAtMs = id === 0 ? 1.2 : 3.5 + id * 0.05
    if (lost.includes(localPort)) {
      return {
        id, localPort, connected: true, connectedAtMs, firstByteAtMs: null, requestsSent: 1,
        responses: 0, bytesSent: REQUEST_BYTES, bytesReceived: 0, error: null, closedByServer: false,
      }
    }
    const responses = Math.floor(completed / served) + (extra-- > 0 ? 1 : 0)
    return {
      id, localPort, connected: true, connectedAtMs, firstByteAtMs: connectedAtMs + 0.6,
      requestsSent: responses, responses, bytesSent: responses * REQUEST_BYTES,
      bytesReceived: responses * RESPONSE_BYTES, error: null, closedByServer: false,
    }
  })
}

/** Samples every 20 ms from just before the load to a short settle after it. */
function sampleTimeline(options: {
  loadEndMs: number
  lastMs: number
  servedByMs: number
  completed: number
  queue: (atMs: number, afterLoad: boolean) => number
  closeWaitAfter: number
}): TimelinePoint[] {
  const points: TimelinePoint[] = []
  for (let atMs = -20; atMs <= options.lastMs; atMs += 20) {
    const afterLoad = atMs >= options.loadEndMs
    const share = Math.min(1, Math.max(0, atMs / options.servedByMs))
    points.push({
      atMs,
      acceptQueue: options.queue(atMs, afterLoad),
      backlog: 128,
      estab: atMs < 0 ? 0 : afterLoad ? 0 : atMs === 0 ? 1 : 94,
      closeWait: afterLoad ? options.closeWaitAfter : 0,
      completed: Math.round(share * options.completed),
      afterLoad,
    })
  }
  return points
}

function loadResult(overrides: Partial<LoadResult> & Pick<LoadResult, 'completed' | 'end' | 'durationMs' | 'connections'>): LoadResult {
  return {
    engine: 'ab',
    url: `http://127.0.0.1:${SERVER_PORT}/`,
    concurrency: 94,
    keepAlive: true,
    requested: 1000,
    sent: 1000,
    non2xx: 0,
    errors: 0,
    reconnects: 0,
    stallMs: null,
    startedAt: STARTED_AT,
    requestsPerSecond: Math.round((overrides.completed / overrides.durationMs) * 1000 * 10) / 10,
    latencyMs: {p50: 0.9, p90: 2.1, p99: 6.8, max: 14.2, mean: 1.2},
    progress: [
      {atMs: 0, completed: 0},
      {atMs: 50, completed: Math.round(overrides.completed * 0.2)},
      {atMs: 150, completed: Math.round(overrides.completed * 0.6)},
      {atMs: 260, completed: overrides.completed},
    ],
    ...overrides,
  }
}

function closeWaitSocket(peerPort: number): SocketRecord {
  return {
    state: 'CLOSE-WAIT', recvQ: REQUEST_BYTES + 1, sendQ: 0,
    local: {address: '127.0.0.1', port: SERVER_PORT}, peer: {address: '127.0.0.1', port: peerPort},
    owners: [], inode: 0,
  }
}

function listenSocket(queue: number): SocketRecord {
  return {
    state: 'LISTEN', recvQ: queue, sendQ: 128,
    local: {address: '127.0.0.1', port: SERVER_PORT}, peer: {address: '*', port: null},
    owners: [{name: 'reference-serv', pid: 48211, fd: 3}], inode: 771245,
  }
}

/** The seed: 996 of 1000, four clients never served, the queue stuck at 4. */
export function buildSeedRun(): BenchRun {
  const loadEndMs = 1262
  return {
    target: {
      kind: 'reference',
      description: 'reference server: et, 4 I/O threads, accept once, read drain',
      host: '127.0.0.1', port: SERVER_PORT, path: '/', mode: et4Once, pid: 48211,
    },
    load: loadResult({completed: 996, end: 'stalled', stallMs: 1000, durationMs: loadEndMs, connections: seedConnections(LOST_PORTS)}),
    source: 'ss',
    timeline: sampleTimeline({
      loadEndMs, lastMs: 1460, servedByMs: 260, completed: 996, closeWaitAfter: 4,
      queue: (atMs) => (atMs <= 0 ? 0 : atMs === 20 ? 3 : 4),
    }),
    finalSnapshot: {at: STARTED_AT + 1460, source: 'ss', sockets: [listenSocket(4), ...LOST_PORTS.map(closeWaitSocket)]},
    counters: {before: {listenOverflows: 0, listenDrops: 0}, after: {listenOverflows: 0, listenDrops: 0}},
    serverStats: {final: true, uptimeMs: 1490, accepted: 90, closed: 90, requests: 996, listenWakeups: 90, acceptEagain: 0, rejected: 0, open: [0, 0, 0, 0, 0]},
    verdict: {
      status: 'findings',
      findings: [
        {
          kind: 'accept-queue-not-drained',
          title: 'Accept queue not drained: 4 connections still wait in the LISTEN queue',
          explanation:
            'The listening socket is edge-triggered and the server calls accept() once per wakeup. ' +
            'Connections whose handshakes complete together produce one edge, so the rest stay queued with no further event.',
          advice: 'Accept in a loop until accept() fails with EAGAIN, or register the listening socket level-triggered (drop EPOLLET).',
          evidence: [
            `LISTEN 127.0.0.1:${SERVER_PORT} Recv-Q 4 (backlog 128), not falling for 1.20 s after the load stopped`,
            ...LOST_PORTS.map((port) => `127.0.0.1:${port}: never accepted, CLOSE-WAIT with 114 unread bytes`),
          ],
        },
        {
          kind: 'never-accepted-abandoned',
          title: 'Never-accepted connections abandoned: 4 clients gave up after sending their request',
          explanation: 'The clients closed, so the kernel holds their requests (113 bytes + FIN) in sockets no process owns.',
          advice: 'Fix the accept loop; these sockets disappear once the server accepts and closes them or exits.',
          evidence: [`4 ownerless CLOSE-WAIT sockets on port ${SERVER_PORT}, Recv-Q 114 each (inode 0)`],
        },
      ],
      diagnoses: [
        {
          cause: {
            kind: 'edge-triggered-accept-once',
            summary: 'listener fd 5 in epoll fd 7 of pid 48211 (reactor-server) as EPOLLIN|EPOLLERR|EPOLLHUP|EPOLLET (events 80000019), which thread 48211 waits on',
            evidence: [],
            inferred: false,
          },
          symptoms: ['accept-queue-not-drained', 'never-accepted-abandoned'],
          title: causeKindTable['edge-triggered-accept-once'].title,
          explanation: causeKindTable['edge-triggered-accept-once'].explanation,
          advice: causeKindTable['edge-triggered-accept-once'].advice,
        },
      ],
      notes: [],
    },
    stalledSnapshot: null,
    reactor: {atStall: null, atEnd: null},
    probe: null,
    durationMs: 1498,
  }
}

/** Level-triggered: the same load completes and the queue drains. */
export function buildHealthyRun(): BenchRun {
  const loadEndMs = 281
  return {
    target: {
      kind: 'reference',
      description: 'reference server: lt, 4 I/O threads, accept once, read drain',
      host: '127.0.0.1', port: SERVER_PORT, path: '/', mode: lt4Once, pid: 48377,
    },
    load: loadResult({completed: 1000, end: 'completed', durationMs: loadEndMs, connections: seedConnections([])}),
    source: 'ss',
    timeline: sampleTimeline({
      loadEndMs, lastMs: 480, servedByMs: 270, completed: 1000, closeWaitAfter: 0,
      queue: (atMs) => (atMs === 20 ? 2 : 0),
    }),
    finalSnapshot: {at: STARTED_AT + 480, source: 'ss', sockets: [listenSocket(0)]},
    counters: {before: {listenOverflows: 0, listenDrops: 0}, after: {listenOverflows: 0, listenDrops: 0}},
    serverStats: {final: true, uptimeMs: 505, accepted: 94, closed: 94, requests: 1000, listenWakeups: 57, acceptEagain: 0, rejected: 0, open: [0, 0, 0, 0, 0]},
    verdict: {status: 'healthy', findings: [], diagnoses: [], notes: []},
    stalledSnapshot: null,
    reactor: {atStall: null, atEnd: null},
    probe: null,
    durationMs: 512,
  }
}

export function buildSingleReport(): BenchReport {
  return {kind: 'single', run: buildSeedRun()}
}

function withMode(run: BenchRun, label: string, mode: ReferenceServerMode): BenchRun {
  return {...run, target: {...run.target, mode, description: `reference server: ${label}`}}
}

const matrixModes: Array<{label: string; mode: ReferenceServerMode; lossy: boolean[]}> = [
  {label: 'et, single thread, accept once', mode: {...et4Once, threads: 0}, lossy: [false, true, false]},
  {label: 'et, 4 I/O threads, accept once', mode: et4Once, lossy: [true, true, true]},
  {label: 'lt, single thread, accept once', mode: {...lt4Once, threads: 0}, lossy: [false, false, false]},
  {label: 'lt, 4 I/O threads, accept once', mode: lt4Once, lossy: [false, false, false]},
  {label: 'et, 4 I/O threads, accept drain', mode: {...et4Once, accept: 'drain'}, lossy: [false, false, false]},
]

const matrixRows: MatrixRow[] = [
  {label: matrixModes[0].label, mode: matrixModes[0].mode, runs: 3, lossyRuns: 1, requested: 1000,
    completed: [1000, 998, 1000], peakAcceptQueue: 2, neverAccepted: [0, 2, 0], accepted: [94, 92, 94], listenWakeups: [94, 92, 94], durationsMs: [402, 1480, 395]},
  {label: matrixModes[1].label, mode: matrixModes[1].mode, runs: 3, lossyRuns: 3, requested: 1000,
    completed: [996, 917, 999], peakAcceptQueue: 4, neverAccepted: [4, 7, 1], accepted: [90, 87, 93], listenWakeups: [90, 87, 93], durationsMs: [1498, 1520, 1470]},
  {label: matrixModes[2].label, mode: matrixModes[2].mode, runs: 3, lossyRuns: 0, requested: 1000,
    completed: [1000, 1000, 1000], peakAcceptQueue: 3, neverAccepted: [0, 0, 0], accepted: [94, 94, 94], listenWakeups: [94, 94, 94], durationsMs: [390, 385, 401]},
  {label: matrixModes[3].label, mode: matrixModes[3].mode, runs: 3, lossyRuns: 0, requested: 1000,
    completed: [1000, 1000, 1000], peakAcceptQueue: 5, neverAccepted: [0, 0, 0], accepted: [94, 94, 94], listenWakeups: [94, 94, 94], durationsMs: [512, 498, 530]},
  {label: matrixModes[4].label, mode: matrixModes[4].mode, runs: 3, lossyRuns: 0, requested: 1000,
    completed: [1000, 1000, 1000], peakAcceptQueue: 6, neverAccepted: [0, 0, 0], accepted: [94, 94, 94], listenWakeups: [94, 94, 94], durationsMs: [505, 521, 497]},
]

/** Five modes x three runs; every run keeps its timeline for the HTML report. */
export function buildMatrixReport(): BenchReport {
  const runs = matrixModes.flatMap(({label, mode, lossy}) =>
    lossy.map((isLossy) => withMode(isLossy ? buildSeedRun() : buildHealthyRun(), label, mode)),
  )
  return {
    kind: 'matrix',
    matrix: {
      rows: matrixRows,
      conclusion: [
        'Connections were lost only with an edge-triggered listener that accepts once per wakeup: 3 of 3 runs with 4 I/O threads, 1 of 3 single-threaded.',
        'With I/O threads the accepting loop does no request work, so it is back in epoll_wait sooner and more handshakes coalesce into one edge.',
        'Level-triggered mode and accepting until EAGAIN lost nothing in 9 runs.',
      ],
      runs,
    },
  }
}
