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
    if (etMulti.lossyRuns > etSingle.lossyRuns) {
      lines.push(
        'Why threads make it worse: connections that finish their handshake while the listener is already reported ready make ONE edge. ' +
          'With I/O threads, every accept also hands the connection to another loop (lock + eventfd wakeup), and the woken threads compete ' +
          'with the client for the cores, so the acceptor returns to epoll_wait later and more arrivals coalesce into one edge. ' +
          'A single-threaded loop goes straight back to epoll_wait and usually sees each arrival as its own edge.',
      )
    }
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
