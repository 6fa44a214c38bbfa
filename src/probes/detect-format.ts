import {ReadingSplitter, notSocketOutput} from './split-readings.js'
import type {SnapshotSource, SocketRecord} from './types.js'

/**
 * Which tool printed saved text (ss, netstat, lsof or /proc/net/tcp), by its first header or row:
 * the same reading of the text as `sockets --file` (split-readings.ts); null when none.
 */
export function detectFormat(text: string): SnapshotSource | null {
  const splitter = new ReadingSplitter()
  const lines = text.split('\n')
  for (let i = 0; i < lines.length && splitter.stats.formats.size === 0; i++) splitter.push(lines[i]!, i + 1)
  return [...splitter.stats.formats][0] ?? null
}

/** Parses saved text of one reading whose format is detected; `name` is for the error message. */
export function parseSaved(text: string, name: string): {format: SnapshotSource; sockets: SocketRecord[]} {
  const splitter = new ReadingSplitter()
  const readings = text.split('\n').flatMap((line, index) => splitter.push(line, index + 1))
  readings.push(...splitter.end())
  const first = readings[0]
  if (first === undefined) {
    if (splitter.stats.bad.first) throw splitter.stats.bad.first
    throw notSocketOutput(name)
  }
  return {format: first.source, sockets: readings.flatMap((reading) => reading.sockets)}
}
