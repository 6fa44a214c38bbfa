/** Text for `reactor-doctor server`: pure functions that return strings. */
import type {ReferenceServerMode, ServerStats} from '../target/reference-server.js'

export function describeMode(mode: ReferenceServerMode, acceptDelayUs = 0): string {
  const trigger = mode.trigger === 'et' ? 'edge-triggered' : 'level-triggered'
  const loops = mode.threads === 0 ? 'main loop serves' : `${mode.threads} I/O thread${mode.threads === 1 ? '' : 's'}`
  const delay = acceptDelayUs > 0 ? `, ${acceptDelayUs} µs per accept` : ''
  return `${trigger}, ${loops}, accept ${mode.accept}, read ${mode.read}, backlog ${mode.backlog}${delay}`
}

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
