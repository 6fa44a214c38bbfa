import {UserError} from '../user-error.js'

/** "250ms", "1.5s", "2m" or a bare number of seconds -> milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim())
  if (!match) throw new UserError(`${flag} ${text} is not a duration`, 'use e.g. 500ms, 2s or 1m')
  const value = Number(match[1])
  const unit = match[2] ?? 's'
  return Math.round(unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000)
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
