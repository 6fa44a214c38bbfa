/** Text for `reactor-doctor server`: pure functions that return strings. */
import type {ReferenceServerMode, ServerStats} from '../targets/reference-server.js'
import {describeMode} from '../targets/reference-modes.js'

/** The first lines: where it listens and how it is configured. */
export function renderServerBanner(url: string, mode: ReferenceServerMode, pid: number, acceptDelayUs = 0): string {
  return [`reference server listening on ${url} (pid ${pid})`, `mode: ${describeMode(mode, acceptDelayUs)}`, 'Ctrl-C stops it.'].join('\n')
}

/** One line of counters, for the live display and the final summary. */
export function renderStatsLine(stats: ServerStats): string {
  const open = stats.open.reduce((sum, n) => sum + n, 0)
  const perLoop = stats.open.length > 1 ? ` [${stats.open.join(' ')}]` : ''
  return (
    `accepted ${stats.accepted}  closed ${stats.closed}  open ${open}${perLoop}  requests ${stats.requests}  ` +
    `listen wakeups ${stats.listenWakeups}  accept EAGAIN ${stats.acceptEagain}` +
    (stats.rejected > 0 ? `  rejected at fd limit ${stats.rejected}` : '')
  )
}

/** The live display rewrites one terminal line: carriage return, text, clear to end of line. */
export function renderLiveStats(stats: ServerStats): string {
  return `\r${renderStatsLine(stats)}\u001B[K`
}

export function renderFinalStats(stats: ServerStats | null): string {
  if (!stats) return 'stopped; the server printed no final stats'
  return `stopped after ${(stats.uptimeMs / 1000).toFixed(1)} s: ${renderStatsLine(stats)}`
}
