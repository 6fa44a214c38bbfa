/**
 * The reference server's stdout protocol: one JSON object per line, `listening` once, then
 * `stats` every interval and a last one with `final: true`. Pure parsing, no I/O.
 */

/** How the reference server is configured; the same names as its flags. */
export interface ReferenceServerMode {
  trigger: 'et' | 'lt'
  /** I/O loops besides the main loop; 0 = the main loop serves the connections too. */
  threads: number
  /** One accept() per listener wakeup, or until EAGAIN. */
  accept: 'once' | 'drain'
  /** One read() per connection wakeup, or until EAGAIN. */
  read: 'once' | 'drain'
  backlog: number
  /** http (when absent): answers HTTP requests; echo: writes back every byte it reads. */
  protocol?: 'http' | 'echo'
}

export interface ServerStats {
  final: boolean
  uptimeMs: number
  /** accept() calls that returned a connection. */
  accepted: number
  /** Connections the server closed. */
  closed: number
  /** Complete requests answered with 200. */
  requests: number
  /** Times epoll reported the listening socket readable. */
  listenWakeups: number
  /** accept() calls that found the accept queue empty. */
  acceptEagain: number
  /** Connections shed at the fd limit (EMFILE), accepted and closed at once. */
  rejected: number
  /** Open connections per loop; index 0 is the main loop. */
  open: number[]
}

export interface ListeningEvent {
  event: 'listening'
  host: string
  port: number
  pid: number
  mode: ReferenceServerMode
}

export type ServerEvent = ListeningEvent | ({event: 'stats'} & ServerStats)

/** Parses one stdout line; null for anything that is not a well-formed event. */
export function parseServerEvent(line: string): ServerEvent | null {
  let raw: unknown
  try {
    raw = JSON.parse(line)
  } catch {
    return null
  }
  if (typeof raw !== 'object' || raw === null) return null
  const record = raw as Record<string, unknown>
  if (record.event === 'listening') return parseListening(record)
  if (record.event === 'stats') return parseStats(record)
  return null
}

function parseListening(r: Record<string, unknown>): ListeningEvent | null {
  const {host, port, pid, trigger, threads, accept, read, backlog} = r
  const protocol = r.protocol ?? 'http'
  if (typeof host !== 'string' || !isCount(port) || !isCount(pid) || !isCount(threads) || !isCount(backlog)) return null
  if ((trigger !== 'et' && trigger !== 'lt') || !isOnceOrDrain(accept) || !isOnceOrDrain(read)) return null
  if (protocol !== 'http' && protocol !== 'echo') return null
  return {event: 'listening', host, port, pid, mode: {trigger, threads, accept, read, backlog, protocol}}
}

function parseStats(r: Record<string, unknown>): ServerEvent | null {
  const counts = [r.uptime_ms, r.accepted, r.closed, r.requests, r.listen_wakeups, r.accept_eagain, r.rejected]
  if (typeof r.final !== 'boolean' || !counts.every(isCount)) return null
  if (!Array.isArray(r.open) || !r.open.every(isCount)) return null
  const [uptimeMs, accepted, closed, requests, listenWakeups, acceptEagain, rejected] = counts as number[]
  return {
    event: 'stats',
    final: r.final,
    uptimeMs,
    accepted,
    closed,
    requests,
    listenWakeups,
    acceptEagain,
    rejected,
    open: r.open as number[],
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
}

function isOnceOrDrain(value: unknown): value is 'once' | 'drain' {
  return value === 'once' || value === 'drain'
}
