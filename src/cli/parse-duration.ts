import {UserError} from '../user-error.js'

/**
 * The longest duration any flag takes: a week. Node's timers hold at most 2^31-1 ms (24.8 days)
 * and fire after 1 ms past that, so a longer value would end a run at once instead of never.
 */
export const MAX_DURATION_MS = 7 * 24 * 3600 * 1000

/** "250ms", "1.5s", "2m", "1h" or a bare number of seconds -> milliseconds, at most a week. */
export function parseDuration(text: string, flag: string): number {
  if (text.trim() === '') throw new UserError(`${flag} is empty`, 'give a duration, e.g. 500ms, 2s or 1m')
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  if (!match) throw new UserError(`${flag} ${text} is not a duration`, 'use e.g. 500ms, 2s or 1m')
  const value = Number(match[1])
  const scale = {ms: 1, s: 1000, m: 60_000, h: 3_600_000}[match[2] ?? 's'] ?? 1000
  const ms = Math.round(value * scale)
  if (ms > MAX_DURATION_MS) throw new UserError(`${flag} ${text} is longer than reactor-doctor waits (a week, 168h)`, 'use e.g. 30s, 10m or 24h')
  return ms
}

/** A duration where 0 means nothing (a run, a timeout, a stall): at least 1 ms. */
export function parsePositiveDuration(text: string, flag: string): number {
  const ms = parseDuration(text, flag)
  if (ms < 1) throw new UserError(`${flag} ${text} is zero: it would end before anything happens`, 'use e.g. 500ms, 2s or 1m')
  return ms
}

/** A time between samples: a duration of at least 1 ms (0 would sample in a busy loop). */
export function parseInterval(text: string, flag: string): number {
  const ms = parseDuration(text, flag)
  if (ms < 1) throw new UserError(`${flag} ${text} is too short: samples need at least 1ms between them`, 'use e.g. 20ms or 1s')
  return ms
}

/** "200us", "0.2ms" or a bare number of microseconds -> whole microseconds. */
export function parseMicroseconds(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(us|µs|ms|s)?$/.exec(text.trim())
  if (!match) throw new UserError(`${flag} ${text} is not a duration`, 'use e.g. 200us or 1ms')
  const scale = {us: 1, µs: 1, ms: 1000, s: 1_000_000}[match[2] ?? 'us'] ?? 1
  return Math.round(Number(match[1]) * scale)
}
