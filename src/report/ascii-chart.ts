/** A few-row terminal bar chart of one value over time, in unicode eighth blocks. */

const EIGHTHS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█']

export interface ChartSample {
  atMs: number
  /** null: nothing to measure at that moment (e.g. no LISTEN row); drawn as a gap. */
  value: number | null
}

export interface BarChartOptions {
  /** Columns of the plot area. */
  width: number
  /** Rows of the plot area; each row holds eight levels. */
  height: number
  /** A moment to mark on the time axis with ┴ (the end of the load), or null. */
  markAtMs: number | null
}

/** "850 ms", "1.26 s", "41.3 s": short labels for axes and summaries. */
export function formatMs(ms: number): string {
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`
  const seconds = ms / 1000
  return `${Math.abs(seconds) < 10 ? seconds.toFixed(2) : seconds.toFixed(1)} s`
}

/**
 * One value per column: the highest sample in the column, so a short peak is never averaged
 * away. A column with no sample repeats the previous one: the state held until the next sample.
 */
export function bucketSamples(samples: ChartSample[], width: number): Array<number | null> {
  if (samples.length === 0) return []
  const columns: Array<number | null | undefined> = Array.from({length: width}, () => undefined)
  for (const sample of samples) {
    const column = columnAt(samples, width, sample.atMs)
    const held = columns[column]
    if (sample.value === null) columns[column] = held ?? null
    else columns[column] = Math.max(held ?? 0, sample.value)
  }
  let previous: number | null = null
  return columns.map((value) => (previous = value === undefined ? previous : value))
}

/**
 * The chart as lines: the peak labels the top row, 0 the axis, and the axis carries the time
 * span and the mark. Empty when there are no samples.
 */
export function drawBarChart(samples: ChartSample[], options: BarChartOptions): string[] {
  if (samples.length === 0) return []
  const {width, height} = options
  const columns = bucketSamples(samples, width)
  const peak = Math.max(0, ...columns.map((value) => value ?? 0))
  const gutter = String(peak).length
  const lines: string[] = []
  for (let row = height - 1; row >= 0; row--) {
    const label = row === height - 1 ? String(peak) : ''
    const cells = columns.map((value) => EIGHTHS[cellEighths(value, peak, height, row)])
    lines.push(`${label.padStart(gutter)} ${row === height - 1 ? '┤' : '│'}${cells.join('')}`)
  }
  const axis = Array.from({length: width}, () => '─')
  const markColumn = markColumnOf(samples, width, options.markAtMs)
  if (markColumn !== null) axis[markColumn] = '┴'
  lines.push(`${'0'.padStart(gutter)} └${axis.join('')}`)
  lines.push(`${' '.repeat(gutter + 2)}${labelTimeAxis(samples, width, markColumn, options.markAtMs)}`)
  return lines
}

function cellEighths(value: number | null, peak: number, height: number, row: number): number {
  if (value === null || value <= 0 || peak === 0) return 0
  // A non-zero value always shows, even when tiny next to the peak: a queue of 1 matters.
  const total = Math.max(1, Math.round((value / peak) * height * 8))
  return Math.min(8, Math.max(0, total - row * 8))
}

function columnAt(samples: ChartSample[], width: number, atMs: number): number {
  const first = samples[0].atMs
  const span = samples[samples.length - 1].atMs - first
  if (span <= 0) return 0
  return Math.min(width - 1, Math.max(0, Math.floor(((atMs - first) / span) * width)))
}

function markColumnOf(samples: ChartSample[], width: number, markAtMs: number | null): number | null {
  if (markAtMs === null) return null
  const first = samples[0].atMs
  const last = samples[samples.length - 1].atMs
  if (markAtMs < first || markAtMs > last) return null
  return columnAt(samples, width, markAtMs)
}

/** Start at the left, end at the right, the mark under its column when it fits between them. */
function labelTimeAxis(samples: ChartSample[], width: number, markColumn: number | null, markAtMs: number | null): string {
  const start = formatMs(samples[0].atMs)
  const end = formatMs(samples[samples.length - 1].atMs)
  const line = Array.from({length: Math.max(width, start.length)}, () => ' ')
  const taken: boolean[] = line.map(() => false)
  const place = (text: string, at: number): boolean => {
    if (at < 0 || at + text.length > line.length) return false
    // Keep one blank column on each side so two labels never read as one.
    for (let i = at - 1; i <= at + text.length; i++) if (taken[i]) return false
    for (let i = 0; i < text.length; i++) {
      line[at + i] = text[i]
      taken[at + i] = true
    }
    return true
  }
  place(start, 0)
  place(end, width - end.length)
  if (markColumn !== null && markAtMs !== null) {
    const mark = formatMs(markAtMs)
    if (!place(mark, markColumn)) place(mark, markColumn - mark.length + 1)
  }
  return line.join('').trimEnd()
}
