/** The fixed-width layout the text reports share. */
import type {Style} from './style.js'

export const LINE_WIDTH = 78
export const LABEL_WIDTH = 11

/** "   label      value": a dim label column, then the value. */
export function labelled(label: string, value: string, style: Style): string {
  return `   ${style.dim(label.padEnd(LABEL_WIDTH))}${value}`
}

/** A long value wrapped under its label. */
export function labelledWrapped(label: string, text: string, style: Style): string[] {
  return wrapWords(text, LINE_WIDTH - 3 - LABEL_WIDTH).map((line, at) => labelled(at === 0 ? label : '', line, style))
}

/** Greedy word wrap; a word longer than the width gets a line of its own. */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = []
  let current = ''
  for (const word of text.split(/\s+/).filter((part) => part !== '')) {
    if (current !== '' && current.length + 1 + word.length > width) {
      lines.push(current)
      current = word
    } else {
      current = current === '' ? word : `${current} ${word}`
    }
  }
  if (current !== '') lines.push(current)
  return lines
}
