/**
 * The exporter's loop (`sockets --watch --textfile/--metrics-listen`): every interval, one
 * reading of all watched listeners, split per listener, followed over a short window, turned
 * into figures. It runs for days, so it keeps only that window: memory stays bounded by the
 * listeners and their current sockets, not by time.
 */
import {diagnoseSockets} from '../diagnose/verdict.js'
import type {ResolvedSource} from '../probes/index.js'
import type {Snapshot} from '../probes/types.js'
import {followCloseWait, listenerFigures, splitByListener, type ListenerFigures} from './listener-gauges.js'
import {readListenerOwners, readListeners, type ListenerPorts} from './read-listeners.js'
import {sleep} from './watch-port.js'

export interface ListenersReading {
  /** ms since the epoch. */
  at: number
  /** How long the reading and its figures took (ms). */
  tookMs: number
  listeners: ListenerFigures[]
  /** Watched ports (--port) with no LISTEN socket in this reading. */
  portsNotListening: number[]
}

/** Follows each listener across readings: a window of its recent readings and its CLOSE-WAIT ages. */
export class ListenerTracker {
  private readonly windows = new Map<string, Snapshot[]>()
  private readonly closeWait = new Map<string, Map<string, number>>()

  /** windowMs: how far back the diagnosis looks (stuck-after plus a couple of intervals). */
  constructor(
    private readonly stuckAfterMs: number,
    private readonly windowMs: number,
  ) {}

  /** The figures of every listener in this reading; listeners gone since the last are forgotten. */
  update(snapshot: Snapshot, processOf: (inodes: number[]) => string): ListenerFigures[] {
    const slices = splitByListener(snapshot)
    for (const key of [...this.windows.keys()]) {
      if (!slices.has(key)) {
        this.windows.delete(key)
        this.closeWait.delete(key)
      }
    }
    const figures: ListenerFigures[] = []
    for (const [key, slice] of slices) {
      const window = [...(this.windows.get(key) ?? []), slice].filter((reading) => reading.at >= slice.at - this.windowMs)
      this.windows.set(key, window)
      const firstSeen = followCloseWait(this.closeWait.get(key) ?? new Map(), slice)
      this.closeWait.set(key, firstSeen)
      const listener = slice.sockets.find((socket) => socket.state === 'LISTEN')!
      const port = listener.local.port!
      // Diagnosed once followed for stuck-after: one reading of a busy queue is not a finding.
      const followed = window.length > 1 && slice.at - window[0]!.at >= this.stuckAfterMs
      const findings = followed ? diagnoseSockets({port, snapshots: window, stuckAfterMs: this.stuckAfterMs}).findings : []
      const inodes = slice.sockets.filter((socket) => socket.state === 'LISTEN' && socket.inode !== null).map((socket) => socket.inode!)
      figures.push(
        listenerFigures({
          port,
          address: listener.local.address,
          snapshot: slice,
          closeWaitFirstSeen: firstSeen,
          stuckAfterMs: this.stuckAfterMs,
          process: processOf(inodes),
          findings: findings.map((finding) => finding.kind),
        }),
      )
    }
    return figures.sort((a, b) => a.port - b.port || a.address.localeCompare(b.address))
  }
}

export interface WatchListenersOptions {
  ports: ListenerPorts
  source: ResolvedSource
  intervalMs: number
  /** Infinity: until the signal fires. */
  durationMs: number
  stuckAfterMs: number
  signal: AbortSignal
  onReading: (reading: ListenersReading) => Promise<void> | void
  /**
   * A reading (or its onReading) that failed after the first one succeeded: the exporter runs
   * for weeks and one `ss` timeout must not end it. Without onError, or on the first reading
   * (a setup problem: say it and stop), the error is thrown.
   */
  onError?: (error: unknown) => void
}

/** Reads every interval until the duration ends or the signal fires; each reading goes to onReading. */
export async function watchListeners(options: WatchListenersOptions): Promise<void> {
  const {ports, source, intervalMs, durationMs, stuckAfterMs, signal} = options
  const tracker = new ListenerTracker(stuckAfterMs, stuckAfterMs + 2 * intervalMs)
  let owners = new Map<number, string>()
  let lookedUp = new Set<number>()
  const readOnce = async (): Promise<ListenersReading> => {
    const began = performance.now()
    const snapshot = await readListeners(source, ports)
    // Owner names: one `ss -p` when a listener with an inode never looked up appears (a restart).
    const listenerInodes = snapshot.sockets.filter((socket) => socket.state === 'LISTEN' && socket.inode).map((socket) => socket.inode!)
    if (listenerInodes.some((inode) => !lookedUp.has(inode))) owners = await readListenerOwners(source)
    // Only the current listeners' inodes are remembered: a host that restarts servers for weeks keeps none of the old ones.
    lookedUp = new Set(listenerInodes)
    const processOf = (inodes: number[]) => [...new Set(inodes.map((inode) => owners.get(inode)).filter((name) => name))].sort().join(',')
    const listeners = tracker.update(snapshot, processOf)
    const listening = new Set(listeners.map((figures) => figures.port))
    const portsNotListening = (ports ?? []).filter((port) => !listening.has(port))
    return {at: snapshot.at, tookMs: performance.now() - began, listeners, portsNotListening}
  }
  const startedAt = Date.now()
  let succeeded = false
  for (let tick = 0; !signal.aborted; tick++) {
    tick = Math.max(tick, Math.floor((Date.now() - startedAt) / intervalMs))
    try {
      await options.onReading(await readOnce())
      succeeded = true
    } catch (error) {
      if (!succeeded || options.onError === undefined) throw error
      options.onError(error)
    }
    if ((tick + 1) * intervalMs > durationMs) break
    await sleep(startedAt + (tick + 1) * intervalMs - Date.now(), signal)
  }
}
