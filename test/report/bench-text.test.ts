/**
 * The text report of real runs (test/fixtures/reports/, captured by capture-reports.sh): every
 * expectation comes from the report's own fields, so a re-capture with other ports, pids and
 * counts still passes, and a renderer that misreads a field fails.
 */
import {describe, expect, it} from 'vitest'
import type {BenchRun} from '../../src/bench/types.js'
import {matrixModes} from '../../src/bench/matrix-modes.js'
import {causeKindTable} from '../../src/diagnose/cause-kinds.js'
import {describeRun, renderBenchText} from '../../src/report/bench-text.js'
import {createStyle, plainStyle} from '../../src/report/style.js'
import {idleClients, listenerOf, loadMatrix, loadRepeat, loadReport, loadRun, lostClients} from '../helpers/captured-reports.js'

const lines = (text: string): string[] => text.trimEnd().split('\n')
const render = (run: BenchRun) => lines(renderBenchText({kind: 'single', run}, plainStyle))
/** The row of a labelled section ("  requests   ..."), as the Load and server sections print it. */
const row = (label: string, value: string) => `  ${label.padEnd(11)}${value}`

describe('renderBenchText on the real ET accept-once run', () => {
  const run = loadRun('lossy-et-accept-once')
  const text = render(run)
  const {load, target, verdict} = run

  it('says first how many clients never got a byte, then what ran where', () => {
    const silent = lostClients(run).length
    expect(silent).toBeGreaterThan(0)
    expect(text[0]).toBe(`LOST CONNECTIONS: ${silent} of ${load.connections.length} clients never got a byte`)
    expect(text[1]).toMatch(new RegExp(`^${escapeRegExp(`${target.description} (127.0.0.1:${target.port}, pid ${target.pid}), run took `)}\\d`))
    // What bench prints for the reference server's mode, not a label of the test's own.
    expect(target.description).toBe('reference server: edge-triggered, 4 I/O threads, accept once, read drain, backlog 128, 50 µs per accept')
  })

  it('shows one block per diagnosis: its cause title, each symptom with its first 4 evidence lines, what was seen, why, fix', () => {
    expect(verdict.diagnoses.map((d) => d.cause.kind)).toEqual(['edge-triggered-accept-once'])
    const [diagnosis] = verdict.diagnoses
    const {title} = causeKindTable['edge-triggered-accept-once']
    expect(diagnosis!.title).toBe(title)
    // The text capitalises the cause's title as a heading.
    const heading = title[0]!.toUpperCase() + title.slice(1)
    const start = text.indexOf(`1. ${heading}`)
    expect(start).toBeGreaterThan(0)
    const symptoms = verdict.findings.filter((f) => diagnosis!.symptoms.includes(f.kind))
    expect(symptoms.map((f) => f.kind)).toEqual(expect.arrayContaining(['lost-connections', 'accept-queue-not-drained', 'never-accepted-abandoned']))
    const expected = symptoms.flatMap((finding, at) => [
      `   ${(at === 0 ? 'symptoms' : '').padEnd(11)}* ${finding.title}`,
      ...finding.evidence.slice(0, 4).map((line) => `${' '.repeat(14)}  - ${line}`),
      ...(finding.evidence.length > 4 ? [`${' '.repeat(14)}  (${finding.evidence.length - 4} more line${finding.evidence.length === 5 ? '' : 's'} in --json)`] : []),
    ])
    expect(text.slice(start + 1, start + 1 + expected.length)).toEqual(expected)
    expect(labelledText(text, 'seen')).toBe(squash(diagnosis!.cause.summary))
    expect(labelledText(text, 'why')).toBe(squash(causeKindTable['edge-triggered-accept-once'].explanation))
    expect(labelledText(text, 'fix')).toBe(squash(causeKindTable['edge-triggered-accept-once'].advice))
  })

  it('the lost-connections evidence counts the clients that sent and got nothing', () => {
    const lost = verdict.findings.find((f) => f.kind === 'lost-connections')!
    const served = load.connections.filter((c) => c.bytesReceived > 0).length
    expect(lost.evidence[0]).toBe(
      `${lostClients(run).length} of ${load.connections.length} client connections never got a byte; ${served} ${served === 1 ? 'was' : 'were'} served; ` +
        `${load.completed} of ${load.requested} requests completed (load stalled)`,
    )
  })

  it('the load section: requests, clients, the wave that lost them, how the load ended', () => {
    const silent = lostClients(run).length
    const lostWaves = [...new Set(lostClients(run).map((c) => c.wave))]
    expect(text).toContain(row('requests', `${load.completed} completed / ${load.sent} sent / ${load.requested} requested`))
    expect(text).toContain(row('clients', `${load.connections.length - silent} of ${load.connections.length} got a response, ${silent} never got a byte`))
    expect(text).toContain(
      row('waves', `${load.waves!.started} of ${load.waves!.requested} bursts of ${load.concurrency} connections; the connections lost were in wave ${lostWaves.join(', ')}, where the run stopped`),
    )
    expect(text).toContain(row('ended', `stalled: no response for ${load.stallMs} ms with requests outstanding`))
  })

  it('the queue chart: its peak of the backlog, and what the final reading still held', () => {
    const listener = listenerOf(run)
    const peak = Math.max(...run.timeline.map((p) => p.acceptQueue ?? 0))
    expect(text).toContain(`Accept queue (LISTEN Recv-Q), peak ${peak} of backlog ${listener.sendQ}`)
    expect(listener.recvQ).toBeGreaterThan(0)
    expect(text.find((line) => line.startsWith('  ┴ load ended at '))).toMatch(new RegExp(`; still ${listener.recvQ} queued at the end$`))
    const {before, after} = run.counters
    expect(text).toContain(`  ListenOverflows +${after!.listenOverflows - before!.listenOverflows}, ListenDrops +${after!.listenDrops - before!.listenDrops} (whole network namespace)`)
  })

  it("the reference server's own counters, one open count per loop", () => {
    const stats = run.serverStats!
    expect(text.slice(-4)).toEqual([
      'Reference server',
      row('accepted', `${stats.accepted}, closed ${stats.closed}, rejected ${stats.rejected}, requests ${stats.requests}`),
      row('listener', `${stats.listenWakeups} wakeup${stats.listenWakeups === 1 ? '' : 's'}, ${stats.acceptEagain} accept() EAGAIN`),
      row('open', `main loop ${stats.open[0]}, I/O loops ${stats.open.slice(1).join(' ')}`),
    ])
    expect(stats.open).toHaveLength(target.mode!.threads + 1)
  })

  it('shows the reactor map read while the load was stalled', () => {
    expect(run.reactor.atStall).not.toBeNull()
    expect(text).toContain('Server reactor (from /proc, while the load was stalled, clients still connected)')
    for (const thread of run.reactor.atStall!.processes[0]!.threads) expect(text.some((line) => line.includes(`thread ${thread.tid} (`))).toBe(true)
  })

  it('reads the same with colour, only wrapped in escapes', () => {
    const report = loadReport('lossy-et-accept-once')
    const coloured = renderBenchText(report, createStyle(1))
    expect(coloured).toContain(`\x1b[31m\x1b[1m${text[0]}`)
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(renderBenchText(report, plainStyle))
  })
})

describe('renderBenchText on other real runs', () => {
  it('a healthy run: the request count, a drained queue, no diagnosis', () => {
    const run = loadRun('healthy-lt')
    const text = render(run)
    expect(run.verdict.status).toBe('healthy')
    expect(listenerOf(run).recvQ).toBe(0)
    expect(text[0]).toBe(`HEALTHY: ${run.load.completed}/${run.load.requested} requests, accept queue drained`)
    expect(text.some((line) => /^\d+\. /.test(line))).toBe(false)
    expect(text).toContain(row('waves', `${run.load.waves!.started} of ${run.load.waves!.requested} bursts of ${run.load.concurrency} connections`))
    expect(text).toContain(row('ended', 'completed'))
    expect(text.find((line) => line.startsWith('  ┴ load ended at '))).toMatch(/; drained to 0 at the end$/)
  })

  it('a timed autocannon run: a duration instead of a request count, and how long it ran', () => {
    const run = loadRun('duration-autocannon')
    const text = render(run)
    expect(run.load.requested).toBeNull()
    expect(text[0]).toBe(`HEALTHY: ${run.load.completed}/${run.load.sent} requests, accept queue drained`)
    expect(text).toContain(row('requests', `${run.load.completed} completed / ${run.load.sent} sent / duration run`))
    expect(text.find((line) => line.startsWith(row('ended', '')))).toMatch(/^ {2}ended {6}duration of \d+(\.\d+)? (ms|s) elapsed$/)
  })

  it('an inconclusive run gives its first note as the reason, and lists the notes', () => {
    const run = loadRun('inconclusive-wrong-protocol')
    const text = render(run)
    expect(run.verdict.status).toBe('inconclusive')
    expect(text[0]).toBe(`INCONCLUSIVE: ${run.verdict.notes[0]}`)
    const notes = text.slice(text.indexOf('Notes') + 1, text.indexOf('Load') - 1)
    expect(squash(notes.join(' ').replace(/^ *- /, ''))).toBe(squash(run.verdict.notes.join(' ')))
  })

  it('a queue that never built up is said in one line with the number of samples', () => {
    const run = loadRun('read-interest-missing')
    expect(run.timeline.every((p) => p.acceptQueue === 0)).toBe(true)
    expect(render(run)).toContain(`Accept queue (LISTEN Recv-Q) stayed at 0 in ${run.timeline.length} samples`)
  })

  it('a port with no LISTEN row in any sample says so (the real healthy run, its LISTEN rows removed)', () => {
    const run = loadRun('healthy-lt')
    run.timeline = run.timeline.map((point) => ({...point, acceptQueue: null}))
    expect(render(run)).toContain('Accept queue no LISTEN row seen in /proc/net/tcp')
  })
})

describe('describeRun', () => {
  it('names the first finding, and how many more, when every client got bytes (the read-side bug)', () => {
    const run = loadRun('read-interest-missing')
    expect(lostClients(run)).toEqual([])
    const {findings} = run.verdict
    expect(findings.length).toBeGreaterThan(1)
    expect(describeRun(run)).toEqual({status: 'findings', text: `FINDINGS: ${findings[0]!.title} (+${findings.length - 1} more)`})
  })
})

describe('renderBenchText on the real --repeat run', () => {
  const repeat = loadRepeat('repeat-et-accept-once')
  const text = lines(renderBenchText({kind: 'repeat', repeat}, plainStyle))

  it('says in how many runs connections were lost, counted from the runs themselves', () => {
    const lossy = repeat.runs.filter((run) => lostClients(run).length > 0).length
    expect(repeat.lossyRuns).toBe(lossy)
    expect(text[0]).toBe(`LOST CONNECTIONS in ${lossy} of ${repeat.runs.length} runs`)
    expect(text[1]).toBe(`${repeat.runs[0]!.target.description}, a fresh server for each run`)
  })

  it('one table row per run with its own headline and waves, then the first lossy run whole', () => {
    repeat.runs.forEach((run, index) => {
      const line = text.find((l) => l.trimStart().startsWith(`${index + 1}  `))
      expect(line).toContain(describeRun(run).text)
      expect(line).toContain(`${run.load.waves!.started}/${run.load.waves!.requested}`)
    })
    const shown = repeat.runs.findIndex((run) => lostClients(run).length > 0)
    const at = text.indexOf(`Run ${shown + 1} of ${repeat.runs.length}:`)
    expect(at).toBeGreaterThan(0)
    expect(text[at + 1]).toBe(describeRun(repeat.runs[shown]!).text)
    // A client whose turn never came (the requests ran out) is idle, not lost.
    const run = repeat.runs[shown]!
    const [lost, idle] = [lostClients(run).length, idleClients(run).length]
    const served = run.load.connections.length - lost - idle
    const idleText = idle > 0 ? `, ${idle} had no request to send` : ''
    expect(text.slice(at)).toContain(row('clients', `${served} of ${run.load.connections.length} got a response, ${lost} never got a byte${idleText}`))
    // A fresh server each time: every run has its own port and pid.
    expect(new Set(repeat.runs.map((run) => run.target.pid)).size).toBe(repeat.runs.length)
  })
})

describe('renderBenchText on the real mode matrix', () => {
  const matrix = loadMatrix('matrix-small')
  const text = lines(renderBenchText({kind: 'matrix', matrix}, plainStyle))

  it('labels the rows as the program names its modes', () => {
    expect(matrix.rows.map((r) => r.label)).toEqual(matrixModes(4, 128).map((m) => m.label))
  })

  it('says how many runs of how many modes lost connections, from the rows', () => {
    const runs = matrix.rows.reduce((n, r) => n + r.runs, 0)
    const lossy = matrix.rows.reduce((n, r) => n + r.lossyRuns, 0)
    const modes = matrix.rows.filter((r) => r.lossyRuns > 0).length
    expect(lossy).toBeGreaterThan(0)
    expect(text[0]).toBe(`LOST CONNECTIONS: ${lossy} of ${runs} runs, in ${modes} of ${matrix.rows.length} modes`)
    expect(matrix.runs).toHaveLength(runs)
  })

  it('one row per mode: its lost runs, completed range, peak queue and never-accepted count', () => {
    for (const r of matrix.rows) {
      const line = text.find((l) => l.startsWith(`${r.label}  `))!
      const low = Math.min(...r.completed)
      const high = Math.max(...r.completed)
      const total = r.neverAccepted.reduce((n, x) => n + x, 0)
      const max = Math.max(...r.neverAccepted)
      const cells = line.slice(r.label.length).trim().split(/\s{2,}/)
      expect(cells.slice(0, 4)).toEqual([
        `${r.lossyRuns}/${r.runs}`,
        `${low === high ? low : `${low}-${high}`}/${r.requested}`,
        String(r.peakAcceptQueue),
        total === max ? String(total) : `${total} (max ${max})`,
      ])
    }
  })

  it('then the conclusion, every sentence of it, within 80 columns', () => {
    const conclusion = text.slice(text.indexOf('Conclusion') + 1)
    expect(squash(conclusion.join(' '))).toBe(squash(matrix.conclusion.join(' ')))
    expect(Math.max(...text.map((line) => line.length))).toBeLessThanOrEqual(80)
  })
})

/** The words of a labelled block ("   seen       ..." and the lines wrapped under it), joined. */
function labelledText(text: string[], label: string): string {
  const start = text.findIndex((line) => line.startsWith(`   ${label.padEnd(11)}`))
  const block = [text[start]!]
  for (const line of text.slice(start + 1)) {
    if (!/^ {14}\S/.test(line)) break
    block.push(line)
  }
  return squash(block.join(' ').replace(`   ${label}`, ''))
}

function squash(text: string): string {
  return text.split(/\s+/).filter(Boolean).join(' ')
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
