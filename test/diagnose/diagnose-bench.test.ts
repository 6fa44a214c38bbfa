/**
 * diagnoseBench on the readings of real runs (test/fixtures/reports/): given what a run read (its
 * load, its two readings with owners, the stalled one, the reactor and the probe), it must reach
 * the verdict that run printed, and each conclusion must follow from those readings.
 */
import {describe, expect, it} from 'vitest'
import {diagnoseBench} from '../../src/diagnose/diagnose-bench.js'
import {benchEvidenceOf, listenerOf, loadRun, lostClients, settleMs, type CapturedName} from '../helpers/captured-reports.js'

const names: CapturedName[] = ['healthy-lt', 'lossy-et-accept-once', 'read-interest-missing', 'duration-autocannon', 'inconclusive-wrong-protocol']

describe('diagnoseBench on the readings of real runs', () => {
  it.each(names)('%s: the same verdict the run printed, from the readings the report kept', (name) => {
    const run = loadRun(name)
    expect(diagnoseBench(benchEvidenceOf(run))).toEqual(run.verdict)
  })

  it('the ET accept-once run: its lost clients, the stuck queue, and the cause the reactor and the probe showed', () => {
    const run = loadRun('lossy-et-accept-once')
    const verdict = diagnoseBench(benchEvidenceOf(run))
    expect(verdict.status).toBe('findings')
    const lost = verdict.findings.find((f) => f.kind === 'lost-connections')!
    expect(lost.title).toBe(`${lostClients(run).length} connections lost: clients never got a byte`)
    // The queue held the same connections in both readings, --settle apart: stuck, not busy.
    const queued = listenerOf(run).recvQ
    expect(run.afterLoadSnapshot.sockets.find((s) => s.state === 'LISTEN')!.recvQ).toBe(queued)
    expect(verdict.findings.find((f) => f.kind === 'accept-queue-not-drained')!.evidence).toContain(`the queue stayed at ${queued} for ${(settleMs / 1000).toFixed(1)} s after the load ended`)
    // One cause for all of it, seen in /proc (the listener EPOLLET) and in the probe (the queue unchanged).
    expect(verdict.diagnoses).toHaveLength(1)
    const [diagnosis] = verdict.diagnoses
    expect(diagnosis!.cause).toMatchObject({kind: 'edge-triggered-accept-once', inferred: false})
    expect(diagnosis!.symptoms).toEqual(expect.arrayContaining(verdict.findings.map((f) => f.kind)))
    expect(run.probe!.queueAfter.every((q) => q === run.probe!.queueBefore)).toBe(true)
    expect(diagnosis!.cause.summary).toContain(`left the queue at ${run.probe!.queueAfter.join(', ')} (from ${run.probe!.queueBefore}): one accept per wakeup`)
  })

  it('the same run without the probe: the EPOLLET listener is seen, one accept per wakeup only inferred, and says what would confirm it', () => {
    const run = loadRun('lossy-et-accept-once')
    const input = benchEvidenceOf(run)
    const offNote = 'the accept experiment was turned off (--no-probe)'
    const [diagnosis] = diagnoseBench({...input, server: {...input.server, probe: null, probeNote: offNote}}).diagnoses
    expect(diagnosis!.cause).toMatchObject({kind: 'edge-triggered-accept-once', inferred: true})
    expect(diagnosis!.cause.summary).toContain(`likely one accept() per wakeup (${offNote}; the experiment would confirm it)`)
  })

  it('the same run with nothing seen of the server: the same symptoms, the cause unknown with the reason', () => {
    const run = loadRun('lossy-et-accept-once')
    const missing = `pid ${run.target.pid} could not be read (EACCES)`
    const verdict = diagnoseBench({...benchEvidenceOf(run), server: {reactorAtStall: null, reactorAtEnd: null, missing, probe: null, probeNote: null}})
    expect(verdict.findings.map((f) => f.kind)).toEqual(run.verdict.findings.map((f) => f.kind))
    expect(verdict.diagnoses.map((d) => d.cause)).toEqual([{kind: 'unknown', summary: missing, evidence: [], inferred: false}])
  })

  it('the read-side bug: data left unread by connections registered without EPOLLIN, and no client counted lost', () => {
    const run = loadRun('read-interest-missing')
    const verdict = diagnoseBench(benchEvidenceOf(run))
    expect(lostClients(run)).toEqual([])
    expect(verdict.findings.map((f) => f.kind)).not.toContain('lost-connections')
    expect(verdict.findings.map((f) => f.kind)).toEqual(expect.arrayContaining(['data-left-unread', 'load-stalled']))
    expect(verdict.diagnoses.map((d) => d.cause.kind)).toEqual(['read-interest-missing'])
  })

  it('a healthy run stays healthy, whatever the namespace-wide counters did meanwhile', () => {
    const run = loadRun('healthy-lt')
    const input = benchEvidenceOf(run)
    // Another program's listener overflowing: TcpExt counts the whole network namespace.
    const busy = {listenOverflows: (run.counters.before?.listenOverflows ?? 0) + 500, listenDrops: (run.counters.before?.listenDrops ?? 0) + 500}
    const verdict = diagnoseBench({...input, evidence: {...input.evidence, countersAfter: busy}})
    expect(verdict).toEqual({status: 'healthy', findings: [], diagnoses: [], notes: []})
  })

  it('answers that got the wrong protocol leave nothing to judge: inconclusive, with why', () => {
    const run = loadRun('inconclusive-wrong-protocol')
    expect(run.load.completed).toBe(0)
    const badAnswer = run.load.connections.find((c) => c.error?.startsWith('bad response'))!.error
    const verdict = diagnoseBench(benchEvidenceOf(run))
    expect(verdict.status).toBe('inconclusive')
    expect(verdict.notes).toEqual([`no request got the answer expected (${badAnswer}): nothing to judge; does the server speak what --protocol says?`])
  })

  it('a load that reached nobody cannot call the server healthy', () => {
    const run = loadRun('healthy-lt')
    const input = benchEvidenceOf(run)
    const refused = {...run.load, completed: 0, connections: run.load.connections.map((c) => ({...c, connected: false, error: 'ECONNREFUSED'}))}
    const verdict = diagnoseBench({...input, load: refused})
    expect(verdict.status).toBe('inconclusive')
    expect(verdict.notes[0]).toBe('no client connection was established (ECONNREFUSED): nothing to judge')
  })

  it('edge-triggered, one read per wakeup, small requests: says a healthy verdict does not cover that bug', () => {
    const run = loadRun('healthy-lt')
    const input = benchEvidenceOf(run)
    const mode = {...run.target.mode!, trigger: 'et' as const, read: 'once' as const}
    const verdict = diagnoseBench({...input, target: {...run.target, mode}})
    expect(verdict.notes).toEqual([
      `--read once leaves data unread only when a request is larger than one read() (16 KiB in the reference server); these requests were ${run.load.requestBytes} bytes: add --body-size 65536 to show it`,
    ])
  })
})
