import {UserError} from '../user-error.js'

/** "250ms", "1.5s", "2m" or a bare number of seconds -> milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim())
  if (!match) throw new UserError(`${flag} ${text} is not a duration`, 'use e.g. 500ms, 2s or 1m')
  const value = Number(match[1])
  const unit = match[2] ?? 's'
  return Math.round(unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000)
}
