/**
 * The matrix's rows and conclusion from the runs of a real matrix (test/fixtures/reports/
 * matrix-small.json): each row must be what its runs say, and each sentence what the rows say.
 */
import {describe, expect, it} from 'vitest'
import {matrixModes} from '../../src/bench/matrix-modes.js'
import {concludeMatrix, countNeverAccepted, describeObservedCauses, lostConnections, summarizeMode} from '../../src/bench/summarize-matrix.js'
import type {BenchRun, MatrixRow} from '../../src/bench/types.js'
import {listenerOf, loadMatrix, loadRun, lostClients} from '../helpers/captured-reports.js'

const matrix = loadMatrix('matrix-small')
const modes = matrixModes(4, 128)
const runsOf = (mode: object): BenchRun[] => matrix.runs.filter((run) => JSON.stringify(run.target.mode) === JSON.stringify(mode))

describe('lostConnections and countNeverAccepted on real runs', () => {
  it('a run lost connections exactly when some client that sent a request never got a byte', () => {
    for (const run of matrix.runs) expect(lostConnections(run), run.target.description).toBe(lostClients(run).length > 0)
    expect(lostConnections(loadRun('lossy-et-accept-once'))).toBe(true)
    expect(lostConnections(loadRun('healthy-lt'))).toBe(false)
    // Data left unread stalls the load but loses no connection: every client got its first answer.
    expect(lostConnections(loadRun('read-interest-missing'))).toBe(false)
  })

  it("never accepted = the listener's accept queue in the same reading (the kernel's own count)", () => {
    for (const run of matrix.runs) expect(countNeverAccepted(run), run.target.description).toBe(listenerOf(run).recvQ)
  })

  it('in a lossy run, what the server accepted plus what it never accepted is every connection made to it', () => {
    const lossy = matrix.runs.filter(lostConnections)
    expect(lossy.length).toBeGreaterThan(0)
    for (const run of lossy) {
      const connected = run.load.connections.filter((c) => c.connected).length
      // The accept experiment's connections count too: each one made an edge, so each got accepted or queued.
      const probes = run.probe?.queueAfter.length ?? 0
      expect(run.serverStats!.accepted + countNeverAccepted(run)).toBe(connected + probes)
    }
  })
})

describe('summarizeMode', () => {
  it("rebuilds each of the matrix's rows from that mode's runs", () => {
    expect(matrix.rows.map((row) => row.label)).toEqual(modes.map((mode) => mode.label))
    for (const mode of modes) {
      const runs = runsOf(mode.mode)
      expect(runs.length).toBeGreaterThan(0)
      expect(summarizeMode(mode, runs)).toEqual(matrix.rows.find((row) => row.label === mode.label))
    }
  })

  it('counts the lossy runs, the completed requests and the peak queue of the samples', () => {
    const mode = modes.find((m) => m.mode.trigger === 'et' && m.mode.threads > 0 && m.mode.accept === 'once')!
    const runs = runsOf(mode.mode)
    const row = summarizeMode(mode, runs)
    expect(row.lossyRuns).toBe(runs.filter((run) => lostClients(run).length > 0).length)
    expect(row.lossyRuns).toBeGreaterThan(0)
    expect(row.completed).toEqual(runs.map((run) => run.load.completed))
    expect(row.peakAcceptQueue).toBe(Math.max(...runs.flatMap((run) => run.timeline.map((p) => p.acceptQueue ?? 0))))
    expect(row.accepted).toEqual(runs.map((run) => run.serverStats!.accepted))
  })
})

describe('concludeMatrix and describeObservedCauses', () => {
  const byMode = (trigger: string, threaded: boolean, accept: string): MatrixRow =>
    matrix.rows.find((r) => r.mode.trigger === trigger && (r.mode.threads > 0) === threaded && r.mode.accept === accept)!
  const etSingle = byMode('et', false, 'once')
  const etMulti = byMode('et', true, 'once')
  const etFix = byMode('et', true, 'drain')
  const lt = matrix.rows.filter((r) => r.mode.trigger === 'lt')

  it('the matrix printed the rows\' conclusion, then what /proc showed', () => {
    expect(matrix.conclusion).toEqual([...concludeMatrix(matrix.rows), ...describeObservedCauses(matrix.runs)])
  })

  it('each sentence gives the numbers of the rows it rests on', () => {
    const lines = concludeMatrix(matrix.rows)
    expect(lines[0]).toBe(
      `Edge-triggered listener with one accept() per wakeup lost connections in ${etMulti.lossyRuns} of ${etMulti.runs} runs with ${etMulti.mode.threads} I/O threads ` +
        `and in ${etSingle.lossyRuns} of ${etSingle.runs} runs single-threaded.`,
    )
    const ltLossy = lt.reduce((n, r) => n + r.lossyRuns, 0)
    const ltRuns = lt.reduce((n, r) => n + r.runs, 0)
    expect(lines).toContain(
      `Level-triggered lost connections in ${ltLossy} of ${ltRuns} runs, even with one accept() per wakeup: epoll reports the listener again as long as its accept queue is not empty.`,
    )
    expect(lines.at(-1)).toBe(`Edge-triggered with accept() until EAGAIN (the fix) lost connections in ${etFix.lossyRuns} of ${etFix.runs} runs.`)
  })

  it("the coalescing sentence quotes the worst lossy run's own counters", () => {
    const lossy = etMulti.accepted.map((accepted, i) => ({accepted, wakeups: etMulti.listenWakeups[i]!})).filter((_, i) => etMulti.neverAccepted[i]! > 0)
    const worst = lossy.reduce((a, b) => (a.accepted <= b.accepted ? a : b))
    // One accept per edge: the server's wakeups and accepts agree in every lossy run.
    for (const run of lossy) expect(run.wakeups).toBe(run.accepted)
    expect(concludeMatrix(matrix.rows)).toContain(
      `In the worst of those runs the listener was reported ready ${worst.wakeups} times, so ${worst.accepted} connections were accepted ` +
        'and the rest stayed queued: each edge got exactly one accept(), and accept() takes the oldest connection, so the queue never shrank.',
    )
  })

  it('says whether the I/O threads made a difference from the gap between the two ET rows', () => {
    const gap = Math.abs(etMulti.lossyRuns / etMulti.runs - etSingle.lossyRuns / etSingle.runs)
    const said = concludeMatrix(matrix.rows)[1]!
    expect(said.startsWith(gap <= 0.2 ? 'The I/O threads made no clear difference here.' : 'The loss was likelier ')).toBe(true)
    // The same rows with the single-threaded mode clean: now the threads are said to matter.
    const clean = matrix.rows.map((r) => (r === etSingle ? {...r, lossyRuns: 0, neverAccepted: r.neverAccepted.map(() => 0)} : r))
    expect(concludeMatrix(clean)[1]).toMatch(/^The loss was likelier with I\/O threads\./)
  })

  it('what /proc and the probe showed, counted over the lossy runs by their first cause', () => {
    const lossy = matrix.runs.filter(lostConnections)
    const kinds = lossy.map((run) => run.verdict.diagnoses[0]!.cause)
    expect(kinds.every((cause) => cause.kind === 'edge-triggered-accept-once' && !cause.inferred)).toBe(true)
    expect(describeObservedCauses(matrix.runs)).toEqual([
      `What /proc and the accept experiment showed in the ${lossy.length} runs that lost connections: edge-triggered-accept-once in ${lossy.length} of ${lossy.length}.`,
    ])
    expect(describeObservedCauses(matrix.runs.filter((run) => !lostConnections(run)))).toEqual([])
  })
})
