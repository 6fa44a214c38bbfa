/**
 * The time lines a recording interleaves with its readings: `date +%s.%N` (or +%s, +%s%3N, busybox's `N.%N`),
 * `date` in its default C-locale format, `date -R`, `date -Is`/ISO 8601, and `watch`'s header.
 * Zone names (UTC, CET) are not looked up: a recording's times are compared with each other, so
 * the times read as printed are enough; numeric offsets (+0100) are applied.
 */

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const day = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)'
const month = `(${months.join('|')})`
const clock = '(\\d{1,2}):(\\d{2}):(\\d{2})(?:[.,](\\d{1,9}))?'
const zone = '(?:\\s+([AP]M))?(?:\\s+([A-Z]{1,5}|[+-]\\d{2}:?\\d{2}))?'
// Wed Dec  2 12:30:49 UTC 2026 (coreutils in the C locale; watch's header has no zone)
const dateDefault = new RegExp(`^(?:${day},?\\s+)?${month}\\s+(\\d{1,2})\\s+${clock}${zone}\\s+(\\d{4})$`)
// Wed 02 Dec 2026 12:30:49 PM UTC (en_US), Wed, 02 Dec 2026 12:30:49 +0000 (date -R)
const dateDayFirst = new RegExp(`^(?:${day},?\\s+)?(\\d{1,2})\\s+${month}\\s+(\\d{4})\\s+${clock}${zone}$`)
const iso = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?(?:\s+[A-Z]{1,5})?$/
// busybox's date (Debian's, without FEATURE_DATE_NANO) prints `+%s.%N` as `1796224553.%N`: whole seconds.
const epoch = /^(\d{9,10})(?:[.,](\d{1,9}|%N))?$/
const epochMs = /^(\d{12,13})$/
// Every 1.0s: ss -tanpe                      web-1: Wed Dec  2 12:30:49 2026
const watchHeader = /^Every\s+(\d+(?:\.\d+)?)s:\s+(.*?)\s{2,}(?:(\S+):\s+)?(\S.*\d{4})(?:\s+\(\d+\))?$/

export interface TimeLine {
  /** Milliseconds since the epoch, as printed. */
  at: number
  kind: 'epoch' | 'date' | 'iso' | 'watch'
  /** watch: the command it runs (its state filter matters) and its interval. */
  command?: string
  intervalMs?: number
}

/** Reads a time line; null when the line is not one. */
export function parseTimeLine(line: string): TimeLine | null {
  const text = line.trim()
  // Time lines start with a digit, a day or month name, or "Every" (watch): most rows are out at once.
  if (text.length > 200 || !/^(?:\d|Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Every)/.test(text)) return null
  let match = epoch.exec(text)
  if (match) return {at: Number(match[1]) * 1000 + (match[2] === '%N' ? 0 : fraction(match[2])), kind: 'epoch'}
  match = epochMs.exec(text)
  if (match) return {at: Number(match[1]), kind: 'epoch'}
  const watched = text.startsWith('Every') ? watchHeader.exec(text) : null
  if (watched) {
    const at = parseDate(watched[4]!)
    if (at !== null) return {at, kind: 'watch', command: watched[2]!.trim(), intervalMs: Math.round(Number(watched[1]) * 1000)}
  }
  const at = parseDate(text)
  if (at !== null) return {at, kind: iso.test(text) ? 'iso' : 'date'}
  return null
}

function parseDate(text: string): number | null {
  let match = dateDefault.exec(text)
  if (match) {
    const [, mon, dayOfMonth, h, m, s, frac, ampm, offset, year] = match
    return build(Number(year), months.indexOf(mon!), Number(dayOfMonth), hours(Number(h), ampm), Number(m), Number(s), frac, offset)
  }
  match = dateDayFirst.exec(text)
  if (match) {
    const [, dayOfMonth, mon, year, h, m, s, frac, ampm, offset] = match
    return build(Number(year), months.indexOf(mon!), Number(dayOfMonth), hours(Number(h), ampm), Number(m), Number(s), frac, offset)
  }
  match = iso.exec(text)
  if (match) {
    const [, year, mon, dayOfMonth, h, m, s, frac, offset] = match
    return build(Number(year), Number(mon) - 1, Number(dayOfMonth), Number(h), Number(m), Number(s ?? 0), frac, offset === 'Z' ? undefined : offset)
  }
  return null
}

function build(year: number, month: number, dayOfMonth: number, h: number, m: number, s: number, frac: string | undefined, offset: string | undefined): number | null {
  if (month < 0 || dayOfMonth < 1 || dayOfMonth > 31 || h > 23 || m > 59 || s > 60) return null
  const at = Date.UTC(year, month, dayOfMonth, h, m, s) + fraction(frac)
  const numeric = offset === undefined ? null : /^([+-])(\d{2}):?(\d{2})$/.exec(offset)
  if (!numeric) return at
  const minutes = Number(numeric[2]) * 60 + Number(numeric[3])
  return at - (numeric[1] === '-' ? -1 : 1) * minutes * 60_000
}

function hours(h: number, ampm: string | undefined): number {
  if (ampm === 'PM' && h < 12) return h + 12
  if (ampm === 'AM' && h === 12) return 0
  return h
}

/** ".123456789" -> 123.456789 ms (kept to the microsecond). */
function fraction(digits: string | undefined): number {
  if (!digits) return 0
  return Math.round(Number(`0.${digits}`) * 1_000_000) / 1000
}
