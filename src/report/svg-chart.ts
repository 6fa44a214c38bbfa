/**
 * Inline SVG timeline charts: stacked panels sharing one time axis, each with its own y scale,
 * so a queue of 4 stays visible next to 94 open connections. Pure: returns markup, no ids (many
 * charts share a page), sized by viewBox so it scales to the page width.
 */
import {formatMs, type ChartSample} from './ascii-chart.js'

export interface SvgSeries {
  label: string
  color: string
  /** step: a state held until the next sample (socket counts). bars: an amount per interval. */
  kind: 'step' | 'bars'
  /** Shade the area under a step line. */
  fill?: boolean
  points: ChartSample[]
}

export interface SvgPanel {
  title: string
  series: SvgSeries[]
}

export interface TimelineChart {
  /** Read by screen readers and shown as a tooltip. */
  label: string
  panels: SvgPanel[]
  /** Where the load ended: a dashed line, and the time after it shaded as the settle phase. */
  markAtMs: number | null
  markLabel: string
}

const WIDTH = 960
const LEFT = 56
const RIGHT = 24
const TOP = 8
const TITLE_HEIGHT = 24
const PANEL_HEIGHT = 72
const PANEL_GAP = 14
const AXIS_HEIGHT = 40
const TEXT = '#334155'
const MUTED = '#64748b'
const GRID = '#e2e8f0'

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}

/** The smallest 1, 2 or 5 x 10^k at or above value (at least 1): round axis maxima. */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1
  const magnitude = 10 ** Math.floor(Math.log10(value))
  const step = [1, 2, 5, 10].find((factor) => factor * magnitude >= value) ?? 10
  return step * magnitude
}

/** Round time ticks (multiples of 1, 2 or 5 x 10^k ms), about `count` of them across the span. */
export function pickTimeTicks(fromMs: number, toMs: number, count: number): number[] {
  if (toMs <= fromMs) return [fromMs]
  const raw = (toMs - fromMs) / count
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = Math.max(1, ([1, 2, 5, 10].find((factor) => factor * magnitude >= raw) ?? 10) * magnitude)
  const ticks: number[] = []
  // Multiply rather than accumulate (no float drift); `+ 0` turns -0 into 0.
  for (let index = Math.ceil(fromMs / step); index * step <= toMs; index++) ticks.push(Math.round(index * step) + 0)
  return ticks
}

export function drawTimelineSvg(chart: TimelineChart): string {
  const times = chart.panels.flatMap((panel) => panel.series.flatMap((series) => series.points.map((point) => point.atMs)))
  if (chart.markAtMs !== null) times.push(chart.markAtMs)
  const fromMs = Math.min(...times)
  const toMs = Math.max(fromMs + 1, ...times)
  const x = (atMs: number): number => LEFT + ((atMs - fromMs) / (toMs - fromMs)) * (WIDTH - LEFT - RIGHT)
  const plotsTop = TOP + TITLE_HEIGHT
  const plotsBottom = TOP + chart.panels.length * (TITLE_HEIGHT + PANEL_HEIGHT + PANEL_GAP) - PANEL_GAP
  const height = plotsBottom + AXIS_HEIGHT
  const ticks = pickTimeTicks(fromMs, toMs, 8)
  const parts = [
    `<svg class="timeline" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${escapeXml(chart.label)}" ` +
      `font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12" xmlns="http://www.w3.org/2000/svg">`,
    `<title>${escapeXml(chart.label)}</title>`,
    ...chart.panels.map((panel, index) => drawPanel(panel, TOP + index * (TITLE_HEIGHT + PANEL_HEIGHT + PANEL_GAP), x, ticks, chart.markAtMs, toMs)),
    drawTimeAxis(ticks, x, plotsBottom),
  ]
  if (chart.markAtMs !== null) parts.push(drawMark(x(chart.markAtMs), plotsTop, plotsBottom, chart.markLabel))
  parts.push('</svg>')
  return parts.join('\n')
}

function drawPanel(panel: SvgPanel, top: number, x: (atMs: number) => number, ticks: number[], markAtMs: number | null, toMs: number): string {
  const plotTop = top + TITLE_HEIGHT
  const base = plotTop + PANEL_HEIGHT
  const values = panel.series.flatMap((series) => series.points.map((point) => point.value ?? 0))
  const max = niceCeiling(Math.max(0, ...values))
  const y = (value: number): number => base - (value / max) * PANEL_HEIGHT
  const right = WIDTH - RIGHT
  const parts = [`<g class="panel">`]
  if (markAtMs !== null && markAtMs < toMs) {
    parts.push(`<rect class="settle" x="${fmt(x(markAtMs))}" y="${plotTop}" width="${fmt(right - x(markAtMs))}" height="${PANEL_HEIGHT}" fill="#f1f5f9"/>`)
  }
  for (const tick of ticks) parts.push(line(x(tick), plotTop, x(tick), base, GRID))
  const levels = max % 2 === 0 ? [0, max / 2, max] : [0, max]
  for (const level of levels) {
    parts.push(line(LEFT, y(level), right, y(level), level === 0 ? '#94a3b8' : GRID))
    parts.push(`<text x="${LEFT - 8}" y="${fmt(y(level) + 4)}" text-anchor="end" fill="${MUTED}">${level}</text>`)
  }
  parts.push(drawPanelTitle(panel, top))
  for (const series of panel.series) parts.push(series.kind === 'bars' ? drawBars(series, x, y, base) : drawStep(series, x, y, base))
  parts.push('</g>')
  return parts.join('\n')
}

/** Title on the left, a swatch per series on the right: the legend sits next to its panel. */
function drawPanelTitle(panel: SvgPanel, top: number): string {
  const baseline = top + 16
  const parts = [`<text x="${LEFT}" y="${baseline}" font-weight="600" font-size="13" fill="${TEXT}">${escapeXml(panel.title)}</text>`]
  // Text width is estimated (no layout engine here); 7 px per character is generous at 12 px.
  const widths = panel.series.map((series) => 17 + series.label.length * 7)
  let at = WIDTH - RIGHT - widths.reduce((total, width) => total + width + 16, -16)
  panel.series.forEach((series, index) => {
    parts.push(`<rect class="swatch" x="${fmt(at)}" y="${baseline - 10}" width="12" height="12" rx="2" fill="${series.color}"/>`)
    parts.push(`<text x="${fmt(at + 17)}" y="${baseline}" fill="${TEXT}">${escapeXml(series.label)}</text>`)
    at += widths[index] + 16
  })
  return parts.join('\n')
}

/** A held value per sample; null breaks the line (nothing measured then). */
function drawStep(series: SvgSeries, x: (atMs: number) => number, y: (value: number) => number, base: number): string {
  const runs = splitAtGaps(series.points)
  const line = runs.map((run) => run.map((point, index) => {
    if (index === 0) return `M${fmt(x(point.atMs))} ${fmt(y(point.value))}`
    return `H${fmt(x(point.atMs))} V${fmt(y(point.value))}`
  }).join(' ')).join(' ')
  const parts: string[] = []
  if (series.fill) {
    const area = runs.map((run) => `M${fmt(x(run[0].atMs))} ${fmt(base)} ` +
      run.map((point, index) => `${index === 0 ? '' : `H${fmt(x(point.atMs))} `}V${fmt(y(point.value))}`).join(' ') +
      ` V${fmt(base)} Z`).join(' ')
    parts.push(`<path class="area" d="${area}" fill="${series.color}" fill-opacity="0.14"/>`)
  }
  parts.push(`<path class="series" data-series="${escapeXml(series.label)}" d="${line}" fill="none" stroke="${series.color}" stroke-width="2" stroke-linejoin="round"/>`)
  return parts.join('\n')
}

/** Each point's value covers the interval since the previous point. */
function drawBars(series: SvgSeries, x: (atMs: number) => number, y: (value: number) => number, base: number): string {
  const rects: string[] = []
  series.points.forEach((point, index) => {
    if (index === 0 || point.value === null || point.value <= 0) return
    const left = x(series.points[index - 1].atMs)
    const width = x(point.atMs) - left
    // A hairline gap keeps neighbouring bars apart when there is room for it.
    const gap = width > 4 ? 1 : 0
    rects.push(`<rect class="bar" x="${fmt(left + gap / 2)}" y="${fmt(y(point.value))}" width="${fmt(width - gap)}" height="${fmt(base - y(point.value))}" fill="${series.color}"/>`)
  })
  return `<g class="series" data-series="${escapeXml(series.label)}">${rects.join('')}</g>`
}

function drawTimeAxis(ticks: number[], x: (atMs: number) => number, bottom: number): string {
  return ticks.map((tick) => `<text x="${fmt(x(tick))}" y="${bottom + 16}" text-anchor="middle" fill="${MUTED}">${escapeXml(formatMs(tick))}</text>`).join('\n')
}

/** A dashed line through every panel, labelled under the time axis where no data can hide it. */
function drawMark(at: number, top: number, bottom: number, label: string): string {
  const halfWidth = (label.length * 7) / 2
  const textX = Math.min(WIDTH - RIGHT - halfWidth, Math.max(LEFT + halfWidth, at))
  return [
    `<line class="mark" x1="${fmt(at)}" y1="${top}" x2="${fmt(at)}" y2="${bottom + 22}" stroke="#475569" stroke-width="1.5" stroke-dasharray="5 4"/>`,
    `<text x="${fmt(textX)}" y="${bottom + 35}" text-anchor="middle" fill="#334155" font-weight="600">${escapeXml(label)}</text>`,
  ].join('\n')
}

function splitAtGaps(points: ChartSample[]): Array<Array<{atMs: number; value: number}>> {
  const runs: Array<Array<{atMs: number; value: number}>> = []
  let current: Array<{atMs: number; value: number}> = []
  for (const point of points) {
    if (point.value === null) {
      if (current.length > 0) runs.push(current)
      current = []
    } else {
      current.push({atMs: point.atMs, value: point.value})
    }
  }
  if (current.length > 0) runs.push(current)
  return runs
}

function line(x1: number, y1: number, x2: number, y2: number, stroke: string): string {
  return `<line x1="${fmt(x1)}" y1="${fmt(y1)}" x2="${fmt(x2)}" y2="${fmt(y2)}" stroke="${stroke}" stroke-width="1"/>`
}

/** One decimal is finer than a pixel at any sensible width, and keeps the markup short. */
function fmt(value: number): string {
  return String(Math.round(value * 10) / 10)
}
