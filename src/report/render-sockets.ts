import {describeOwnerList, seconds} from '../diagnose/describe.js'
import type {SocketOwner} from '../probes/types.js'
import {describeVerdict} from './bench-text.js'
import {renderVerdict} from './render-verdict.js'
import {renderReactorMap} from './reactor-map.js'
import type {RowView, SocketsReport} from './sockets-report.js'
import type {WatchSample, WatchSummary} from '../watch/watch-summary.js'

const reasonText: Record<RowView['reason'], string> = {
  'never-accepted': 'never accepted',
  'accepted-close-wait': 'accepted, peer closed, not closed here',
  'unread-bytes': 'accepted, bytes waiting to be read',
  'owner-unknown': 'owner not shown by the source',
}

/**
 * The whole text report of `sockets`: the verdict in one line first (as bench does), then source,
 * listeners, counts, rows, watch summary, and the findings with the exit code.
 */
export function renderSocketsReport(report: SocketsReport): string {
  const {snapshot} = report
  const lines = [describeVerdict(report.verdict).text, `Port ${report.port}: ${report.file === null ? '' : `${report.file === '-' ? 'stdin' : report.file}, `}source ${report.sourceNote}`]
  lines.push('Listeners:')
  if (snapshot.listeners.length === 0) lines.push('  none (no LISTEN row)')
  for (const listener of snapshot.listeners) {
    const backlog = listener.backlog === null ? `backlog not shown by ${report.source}` : `backlog ${listener.backlog}`
    const drops = listener.drops === null ? '' : `, ${listener.drops} drops`
    const queue = listener.queueShown ? `accept queue ${listener.queue} (${backlog}${drops})` : `accept queue not shown by ${report.source}`
    lines.push(`  ${listener.address}  ${queue}, ${ownersText(listener.owners)}`)
  }
  const counts = Object.entries(snapshot.counts).map(([state, count]) => `${state} ${count}`)
  lines.push(`Sockets by state: ${counts.length === 0 ? 'none' : counts.join(', ')}`)
  if (snapshot.rows.length > 0) {
    lines.push('Rows that matter:')
    const rows = snapshot.rows.map(
      (row) => `  ${row.state} ${row.local} <- ${row.peer}  Recv-Q ${row.queuesShown ? row.recvQ : '?'}  ${reasonText[row.reason]}${row.inode === null ? '' : ` (ino ${row.inode})`}`,
    )
    lines.push(...firstRows(rows, '  '))
  }
  if (report.watch) lines.push(...renderWatchSummary(report.watch.summary, report.watch.stuckAfterMs, report.mode === 'file' ? 'recording' : 'watch'))
  if (report.server?.reactor) lines.push('Server reactor (from /proc):', ...renderReactorMap(report.server.reactor, report.server.inodes, report.port).map((line) => `  ${line}`))
  lines.push(...renderVerdict(report.verdict))
  return `${lines.join('\n')}\n`
}

/** One compact --watch line: "+1.0 s  queue 3/8  ESTAB 1  CLOSE-WAIT 2  new 0  gone 0". */
export function renderWatchSample(sample: WatchSample): string {
  const queue = sample.queue === null ? 'no LISTEN' : `queue ${sample.queue}/${sample.backlog ?? '?'}`
  return `+${seconds(sample.atMs)}  ${queue}  ESTAB ${sample.estab}  CLOSE-WAIT ${sample.closeWait}  new ${sample.new}  gone ${sample.gone}`
}

/** The summary of a --watch, or of a recording read back with --file ("Recorded 31.7 s, 32 readings:"). */
export function renderWatchSummary(summary: WatchSummary, stuckAfterMs: number, kind: 'watch' | 'recording' = 'watch'): string[] {
  const lines = [kind === 'watch' ? `Watched ${seconds(summary.durationMs)}, ${summary.samples} samples:` : `Recorded ${seconds(summary.durationMs)}, ${summary.samples} readings:`]
  if (summary.peakQueue === null) lines.push('  accept queue: no LISTEN row seen')
  else {
    const trend = summary.queueAlwaysAboveZero ? 'above zero in every sample' : 'drained to zero at times'
    lines.push(`  accept queue: peak ${summary.peakQueue}, ${summary.queueGrew ? 'grew' : 'did not grow'}, ${trend}`)
  }
  lines.push(`  CLOSE-WAIT sockets seen: ${summary.closeWait.length} (stuck = still there after ${seconds(stuckAfterMs)})`)
  const sockets = summary.closeWait.map((socket) => {
    const fate = socket.presentAtEnd ? (socket.stuck ? 'stuck' : 'still there') : 'gone'
    const who = socket.ownership === 'never-accepted' ? 'never accepted' : socket.ownership === 'accepted' ? 'accepted' : 'owner unknown'
    return `    ${socket.local} <- ${socket.peer}  stayed ${seconds(socket.stayedMs)}, ${fate}, ${who}, Recv-Q ${socket.recvQ}`
  })
  return [...lines, ...firstRows(sockets, '    ')]
}

/** Rows a terminal shows; a port with thousands of stuck sockets would bury the verdict. */
const TEXT_ROWS = 20

function firstRows(rows: string[], indent: string): string[] {
  if (rows.length <= TEXT_ROWS) return rows
  return [...rows.slice(0, TEXT_ROWS), `${indent}... and ${rows.length - TEXT_ROWS} more (--json lists them all)`]
}

function ownersText(owners: SocketOwner[] | null): string {
  if (owners === null) return 'owner unknown'
  return owners.length === 0 ? 'no owner' : describeOwnerList(owners)
}
