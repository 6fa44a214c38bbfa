/**
 * `sockets --file`: the readings of a saved file as one timeline of a port, with the same history,
 * summary and diagnosis as `sockets --watch`. A file of one reading is a snapshot; one of many
 * (a `while sleep 1; do date +%s.%N; ss -tanpe; done` recording) is a watch read back. Readings
 * are taken one at a time, so a recording of any length is held thinned (WatchHistory).
 */
import {diagnoseSockets} from '../diagnose/verdict.js'
import {savedFileView} from './look-at-server.js'
import type {Verdict} from '../diagnose/types.js'
import {seconds} from '../diagnose/describe.js'
import {inferPort} from '../probes/read-sockets-file.js'
import type {Reading, SplitStats} from '../probes/split-readings.js'
import {describeSplitStats, fullScreenTranscript, notSocketOutput} from '../probes/split-readings.js'
import type {Snapshot} from '../probes/types.js'
import {UserError} from '../user-error.js'
import {WatchHistory} from './watch-history.js'
import {summarizeWatch, type WatchView} from './watch-summary.js'

export interface RecordingOptions {
  /** --port; otherwise taken from the first reading that shows one. */
  port?: number
  stuckAfterMs: number
  /** The spacing of readings without times (--interval); default 1 s, said in a note. */
  intervalMs?: number
  /** For messages: the file name, or stdin. */
  name: string
  /** Told the port once it is known, so the reader can drop other ports' rows from then on. */
  onPort?: (port: number) => void
}

export interface RecordingResult {
  port: number
  snapshots: Snapshot[]
  /** null for a file of one reading. */
  watch: WatchView | null
  verdict: Verdict
}

const timeKindText = {epoch: '`date +%s` lines', date: '`date` lines', iso: 'ISO time lines', watch: '`watch` headers'}

/** Reads the readings (a stream), then diagnoses the port's timeline; `stats()` is read at the end. */
export async function analyseRecording(readings: AsyncIterable<Reading>, stats: () => SplitStats, options: RecordingOptions): Promise<RecordingResult> {
  let port = options.port
  let history: WatchHistory | undefined
  const pending: Reading[] = []
  const timing = new ReadingClock(options.intervalMs)
  const add = (reading: Reading) => {
    history!.add({at: timing.next(reading), source: reading.source, sockets: reading.sockets.filter((socket) => socket.local.port === port)})
  }
  for await (const reading of readings) {
    if (history) {
      add(reading)
      continue
    }
    pending.push(reading)
    port ??= inferPort(reading.sockets, options.name)
    if (port !== undefined) {
      options.onPort?.(port)
      history = new WatchHistory(port)
      for (const held of pending.splice(0)) add(held)
    }
  }
  const fileStats = stats()
  if (!history || port === undefined) {
    if (fileStats.bad.first) throw fileStats.bad.first
    if (fileStats.readings === 0) {
      throw fileStats.fullScreen ? fullScreenTranscript(options.name) : notSocketOutput(options.name)
    }
    const why = fileStats.unresolved.size > 0 ? ` (service names not in /etc/services: ${[...fileStats.unresolved].slice(0, 5).join(', ')})` : ''
    throw new UserError(`${options.name} holds no TCP socket${why}`, fileStats.otherRows > 0 ? `only rows of other socket types (udp, unix); save \`ss -tanpe\`` : 'save the output of `ss -tanpe`')
  }
  const {snapshots} = history
  const many = snapshots.length > 1
  const intervalMs = timing.intervalMs(fileStats.watchIntervalMs)
  const watch = many ? summarizeWatch(history, intervalMs, options.stuckAfterMs) : null
  // A saved file has no server to look at: the diagnosis says so rather than naming a cause.
  const verdict = diagnoseSockets({port, snapshots, stuckAfterMs: options.stuckAfterMs}, savedFileView(port))
  const notes = [...describeSplitStats(fileStats)]
  if (many) notes.push(timing.describe(snapshots.length, fileStats, intervalMs))
  return {port, snapshots, watch, verdict: {...verdict, notes: [...verdict.notes, ...notes]}}
}

/**
 * Times of readings: the file's own where it has them; readings without one follow the one
 * before by the interval (the first at the time of reading the file). A time that goes
 * backwards (lines pasted out of order) is taken in file order, said in the note.
 */
class ReadingClock {
  private last: number | undefined
  private readonly base = Date.now()
  private timed = 0
  private untimed = 0
  private backwards = 0
  private readonly gaps: number[] = []

  constructor(private readonly givenIntervalMs: number | undefined) {}

  next(reading: Reading): number {
    const step = this.givenIntervalMs ?? 1000
    let at: number
    if (reading.at === null) {
      this.untimed++
      at = this.last === undefined ? this.base : this.last + step
    } else {
      this.timed++
      at = reading.at
      if (this.last !== undefined && at < this.last) {
        this.backwards++
        at = this.last
      }
    }
    if (this.last !== undefined && reading.at !== null && this.gaps.length < 10_000) this.gaps.push(at - this.last)
    this.last = at
    return at
  }

  /** --interval, else watch's own, else the median gap between timed readings, else 1 s. */
  intervalMs(watchIntervalMs: number | undefined): number {
    if (this.givenIntervalMs !== undefined) return this.givenIntervalMs
    if (watchIntervalMs !== undefined) return watchIntervalMs
    const sorted = [...this.gaps].sort((a, b) => a - b)
    const median = sorted[Math.floor(sorted.length / 2)]
    return median !== undefined && median > 0 ? Math.round(median) : 1000
  }

  describe(count: number, stats: SplitStats, intervalMs: number): string {
    const kinds = [...stats.timeKinds].map((kind) => timeKindText[kind]).join(' and ')
    if (this.untimed === count) {
      const given = this.givenIntervalMs === undefined ? 'assumed 1.0 s apart (give --interval with the recording\'s interval)' : `${seconds(intervalMs)} apart (--interval)`
      return `${count} readings without timestamps: taken in file order, ${given}`
    }
    const parts = [`${count} readings, times from the file's ${kinds || 'time lines'}`]
    if (this.untimed > 0) parts.push(`${this.untimed} without a time placed ${seconds(this.givenIntervalMs ?? 1000)} after the one before`)
    if (this.backwards > 0) parts.push(`${this.backwards} time(s) went backwards: readings taken in file order`)
    return parts.join('; ')
  }
}
