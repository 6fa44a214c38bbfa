/**
 * The one place that decides whether output is coloured. Renderers take a Style and never ask
 * the environment themselves, so the same renderer is exact-line testable with plainStyle.
 */
import {Chalk, type ChalkInstance, type ColorSupportLevel} from 'chalk'
import type {VerdictStatus} from '../diagnose/types.js'

export type Style = ChalkInstance

export interface ColourTarget {
  isTTY?: boolean
  /** tty.WriteStream's terminal colour depth in bits (1, 4, 8 or 24). */
  getColorDepth?: () => number
}

/** No colour at all: for pipes, files, --json and tests. */
export const plainStyle: Style = new Chalk({level: 0})

/**
 * Not chalk's own detection: its vendored supports-color (chalk 5.6) ignores NO_COLOR
 * (no-color.org), which users set to keep CI logs plain.
 * Colour only on a terminal and without NO_COLOR; FORCE_COLOR wins over both, as it does for
 * Node itself (FORCE_COLOR=0 or false turns colour off, 1-3 pick the level).
 */
export function detectColourLevel(stream: ColourTarget, env: NodeJS.ProcessEnv): ColorSupportLevel {
  const forced = env.FORCE_COLOR
  if (forced !== undefined) {
    if (forced === '0' || forced === 'false') return 0
    return forced === '2' || forced === '3' ? (Number(forced) as ColorSupportLevel) : 1
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0
  if (!stream.isTTY || env.TERM === 'dumb') return 0
  const depth = stream.getColorDepth?.() ?? 4
  if (depth >= 24) return 3
  if (depth >= 8) return 2
  return depth >= 4 ? 1 : 0
}

export function createStyle(level: ColorSupportLevel): Style {
  return new Chalk({level})
}

/** The Style for text written to `stream` (stdout for reports, stderr for progress). */
export function createStreamStyle(stream: ColourTarget, env: NodeJS.ProcessEnv = process.env): Style {
  return createStyle(detectColourLevel(stream, env))
}

/** Healthy green, findings red, inconclusive yellow: the same mapping everywhere. */
export function paintVerdict(style: Style, status: VerdictStatus, text: string): string {
  switch (status) {
    case 'healthy':
      return style.green.bold(text)
    case 'findings':
      return style.red.bold(text)
    case 'inconclusive':
      return style.yellow.bold(text)
  }
}
