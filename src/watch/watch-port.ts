/**
 * `sockets --watch`: reads a port every interval until the duration ends or the signal fires,
 * then diagnoses the whole timeline. Samples skip owners (a scan of every process; the inode
 * still tells accepted from queued); the last one reads them, so the report names who holds the
 * listener and the stuck sockets.
 */
import {diagnoseSockets} from '../diagnose/verdict.js'
import type {Verdict} from '../diagnose/types.js'
import {readListenCounters, takeSnapshot, type ResolvedSource} from '../probes/index.js'
import {WatchHistory} from './watch-history.js'
import {lookAtServer, type ServerLook} from './look-at-server.js'
import {summarizeWatch, type WatchSample, type WatchView} from './watch-summary.js'

export interface WatchPortOptions {
  port: number
  source: ResolvedSource
  intervalMs: number
  /** Infinity: until the signal fires. */
  durationMs: number
  stuckAfterMs: number
  /** Ends the watch early (Ctrl-C), with one closing reading with owners. */
  signal: AbortSignal
  /** After the last reading: the accept experiment if connections are still queued (--probe). */
  probe: boolean
  onSample?: (sample: WatchSample) => void
}

export interface WatchPortResult {
  history: WatchHistory
  view: WatchView
  verdict: Verdict
  /** The server behind the port, looked at after the last reading. */
  server: ServerLook
}

export async function watchPort(options: WatchPortOptions): Promise<WatchPortResult> {
  const {port, source, intervalMs, durationMs, stuckAfterMs, signal} = options
  const history = new WatchHistory(port)
  const countersBefore = await readListenCounters()
  const startedAt = Date.now()
  const read = async (owners: boolean) => {
    const sample = history.add(await takeSnapshot({port, source, owners, drops: source.source === 'ss'}))
    options.onSample?.(sample)
  }
  // Samples start on ticks every intervalMs; ticks a slow sample ran past are skipped, and the
  // last sample is the one after which no tick falls within the duration.
  let ownersRead = false
  for (let tick = 0; !signal.aborted; tick++) {
    tick = Math.max(tick, Math.floor((Date.now() - startedAt) / intervalMs))
    ownersRead = (tick + 1) * intervalMs > durationMs
    await read(ownersRead)
    if (ownersRead) break
    await sleep(startedAt + (tick + 1) * intervalMs - Date.now(), signal)
  }
  if (!ownersRead) await read(true)
  const server = await lookAtServer(history.snapshots.at(-1)!, port, {probe: options.probe, source})
  const countersAfter = await readListenCounters()
  const verdict = diagnoseSockets({port, snapshots: history.snapshots, countersBefore, countersAfter, stuckAfterMs}, server.view)
  return {history, view: summarizeWatch(history, intervalMs, stuckAfterMs), verdict, server}
}

/** Waits, or returns early when the signal fires (Ctrl-C ends the watch with its summary). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, {once: true})
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
