import type {BenchRun, MatrixRow} from './types.js'
import type {MatrixMode} from './matrix-modes.js'

/** A run lost connections when some client never got a byte or requests went unanswered. */
export function lostConnections(run: BenchRun): boolean {
  return run.verdict.findings.some((f) => f.kind === 'lost-connections' || f.kind === 'accept-queue-not-drained')
}

/** Never-accepted sockets left on the port at the end: no file refers to them (inode 0). */
export function countNeverAccepted(run: BenchRun): number {
  return run.finalSnapshot.sockets.filter((s) => s.state !== 'LISTEN' && s.local.port === run.target.port && s.inode === 0).length
}

export function summarizeMode(mode: MatrixMode, runs: BenchRun[]): MatrixRow {
  return {
    label: mode.label,
    mode: mode.mode,
    runs: runs.length,
    lossyRuns: runs.filter(lostConnections).length,
    requested: runs[0]?.load.requested ?? 0,
    completed: runs.map((r) => r.load.completed),
    peakAcceptQueue: Math.max(0, ...runs.flatMap((r) => r.timeline.map((p) => p.acceptQueue ?? 0))),
    neverAccepted: runs.map(countNeverAccepted),
    durationsMs: runs.map((r) => r.durationMs),
    accepted: runs.map((r) => r.serverStats?.accepted ?? 0),
    listenWakeups: runs.map((r) => r.serverStats?.listenWakeups ?? 0),
  }
}

const rate = (row: MatrixRow): string => `${row.lossyRuns} of ${row.runs} runs`

/** The conclusion in words, from the numbers only: each sentence names the rows it rests on. */
export function concludeMatrix(rows: MatrixRow[]): string[] {
  const find = (trigger: string, threaded: boolean, accept: string) =>
    rows.find((r) => r.mode.trigger === trigger && r.mode.accept === accept && (r.mode.threads > 0) === threaded)
  const etSingle = find('et', false, 'once')
  const etMulti = find('et', true, 'once')
  const etFix = find('et', true, 'drain')
  const lt = rows.filter((r) => r.mode.trigger === 'lt')
  const lines: string[] = []

  if (etSingle && etMulti) {
    lines.push(
      `Edge-triggered listener with one accept() per wakeup lost connections in ${rate(etMulti)} with ${etMulti.mode.threads} I/O threads ` +
        `and in ${rate(etSingle)} single-threaded.`,
    )
    lines.push(describeThreadEffect(etSingle, etMulti))
    lines.push(describeCoalescing(etMulti))
  }
  if (lt.length > 0) {
    const lossy = lt.reduce((n, r) => n + r.lossyRuns, 0)
    const total = lt.reduce((n, r) => n + r.runs, 0)
    lines.push(
      `Level-triggered lost connections in ${lossy} of ${total} runs, even with one accept() per wakeup: ` +
        'epoll reports the listener again as long as its accept queue is not empty.',
    )
  }
  if (etFix) {
    lines.push(`Edge-triggered with accept() until EAGAIN (the fix) lost connections in ${rate(etFix)}.`)
  }
  return lines
}

/**
 * What the server's reactor showed in the runs that lost connections, counted by cause kind
 * (each run's first diagnosis): what was observed, beside the numbers above.
 */
export function describeObservedCauses(runs: BenchRun[]): string[] {
  const lossy = runs.filter(lostConnections)
  if (lossy.length === 0) return []
  const counts = new Map<string, number>()
  for (const run of lossy) {
    const cause = run.verdict.diagnoses[0]?.cause
    const key = cause === undefined ? 'no cause named' : cause.inferred ? `${cause.kind} (inferred)` : cause.kind
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  const parts = [...counts].map(([kind, n]) => `${kind} in ${n} of ${lossy.length}`)
  return [`What /proc and the accept experiment showed in the ${lossy.length} runs that lost connections: ${parts.join(', ')}.`]
}

/** The seed's open question: did the I/O threads matter? Answered from the two rows only. */
function describeThreadEffect(single: MatrixRow, multi: MatrixRow): string {
  const gap = Math.abs(multi.lossyRuns / multi.runs - single.lossyRuns / single.runs)
  if (gap <= 0.2) {
    return (
      'The I/O threads made no clear difference here. What decides is whether handshakes complete faster than the acceptor gets back ' +
      'to epoll_wait: arrivals while the listener is already reported ready coalesce into one edge. Anything that slows the acceptor ' +
      '(per-connection setup, handing the connection to another loop, threads competing for the cores) makes the loss likelier.'
    )
  }
  const worse = multi.lossyRuns > single.lossyRuns ? 'with I/O threads' : 'single-threaded'
  return (
    `The loss was likelier ${worse}. With I/O threads every accept also hands the connection to another loop (lock, eventfd ` +
    'wakeup), and the woken threads compete with the client for the cores, so the acceptor returns to epoll_wait later and more ' +
    'arrivals coalesce into one edge.'
  )
}

/** Evidence from the server's own counters: one accept per edge, fewer edges than connections. */
function describeCoalescing(row: MatrixRow): string {
  const lossy = row.accepted.map((accepted, i) => ({accepted, wakeups: row.listenWakeups[i]!})).filter((_, i) => row.neverAccepted[i]! > 0)
  if (lossy.length === 0) return 'No run of that mode left a connection in the accept queue.'
  const worst = lossy.reduce((a, b) => (a.accepted <= b.accepted ? a : b))
  return (
    `In the worst of those runs the listener was reported ready ${worst.wakeups} times, so ${worst.accepted} connections were accepted ` +
    'and the rest stayed queued: each edge got exactly one accept(), and accept() takes the oldest connection, so the queue never shrank.'
  )
}
