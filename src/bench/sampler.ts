import {allProcTables, portRows, type ProcTable} from '../probes/collect-proc.js'
import {ProcNetFile} from '../probes/proc-net-file.js'
import {acceptQueueInProcText} from '../probes/procfs.js'
import type {SocketRecord} from '../probes/types.js'
import {toTimelinePoint} from './timeline-point.js'
import type {TimelinePoint} from './types.js'

export interface Sampler {
  /** Stop sampling; resolves once the sample in flight is done. */
  stop(): Promise<TimelinePoint[]>
  /** From now on, samples are marked as taken after the load. */
  markLoadEnded(): void
}

/**
 * Most samples read only the port's LISTEN row; the whole table is read at most every 100 ms, and
 * less often when reading it is slow. Any read of the table walks the kernel's whole established
 * hash and prints every socket of the namespace, TIME-WAIT ones included: 3-10 ms of CPU on this
 * 24 GiB VM however few sockets the port holds, a third of a core at 50 Hz, taken from the server
 * under test. The accept queue moves within milliseconds and gets every sample; the ESTAB and
 * CLOSE-WAIT counts change more slowly and are charted from the table reads (2-10 a second).
 */
export const FULL_TABLE_EVERY_MS = 100
/** Table reads may take at most 1/100 of the time: 1% of a core. */
const FULL_TABLE_TIME_SHARE = 100

/**
 * Sample the port every intervalMs, one read at a time (a slow read delays the next sample rather
 * than piling up reads). Always from /proc, whatever --source says: spawning ss forks this
 * process, which stalls the load engine for milliseconds and slows its connection burst enough to
 * hide the very race the bench looks for (measured: the seed bug showed in 0 of 8 runs sampled
 * with ss, against 5 of 8 with /proc). Owners are not read here: too costly at 50 Hz.
 */
export function startSampler(options: {
  port: number
  intervalMs: number
  startedAt: number
  completed: () => number
}): Sampler {
  const {port} = options
  const points: TimelinePoint[] = []
  let running = true
  let afterLoad = false
  let wake: (() => void) | null = null
  let tables: readonly ProcTable[] = allProcTables
  let nextFullAt = 0
  // Kept open between samples; a missing file (no IPv6) is null.
  const files = new Map<ProcTable, ProcNetFile | null>()
  const fileOf = (table: ProcTable) => {
    if (!files.has(table)) files.set(table, ProcNetFile.open(`/proc/net/${table}`))
    return files.get(table)!
  }

  const sample = async (): Promise<TimelinePoint> => {
    const at = Date.now()
    if (at < nextFullAt) {
      const queues = tables.map((table) => acceptQueueInProcText(fileOf(table)?.readListenSection() ?? '', port))
      const acceptQueue = queues.every((queue) => queue === null) ? null : queues.reduce<number>((sum, queue) => sum + (queue ?? 0), 0)
      // /proc shows no backlog limit; estab and closeWait are for the table reads.
      return {atMs: at - options.startedAt, acceptQueue, backlog: null, estab: null, closeWait: null, completed: options.completed(), afterLoad}
    }
    const sockets: SocketRecord[] = []
    let busyMs = 0
    for (const table of tables) {
      const read = await fileOf(table)?.readAll()
      sockets.push(...portRows(read?.text ?? null, port))
      busyMs += read?.busyMs ?? 0
    }
    nextFullAt = at + Math.max(FULL_TABLE_EVERY_MS, options.intervalMs, busyMs * FULL_TABLE_TIME_SHARE)
    tables = tablesListening(sockets)
    return toTimelinePoint({at, source: 'proc', sockets}, port, options.startedAt, options.completed(), afterLoad)
  }

  const loop = (async () => {
    while (running) {
      const began = Date.now()
      try {
        points.push(await sample())
      } catch {
        // A failed sample is a gap in the chart, not a failed run; the final snapshot decides.
      }
      const wait = Math.max(0, options.intervalMs - (Date.now() - began))
      if (running && wait > 0) await new Promise<void>((resolve) => {
        wake = resolve
        setTimeout(resolve, wait)
      })
    }
  })()

  return {
    markLoadEnded() {
      afterLoad = true
    },
    async stop() {
      running = false
      wake?.()
      await loop
      for (const file of files.values()) file?.close()
      return points
    },
  }
}

/**
 * The tables holding the port's LISTEN rows: its connections are in the same family (a dual-stack
 * listener's IPv4 clients show as v4-mapped rows of tcp6). No listener: both, to see what is left.
 */
export function tablesListening(sockets: SocketRecord[]): readonly ProcTable[] {
  const listeners = sockets.filter((socket) => socket.state === 'LISTEN')
  if (listeners.length === 0) return allProcTables
  return allProcTables.filter((table) => listeners.some((socket) => (table === 'tcp6') === socket.local.address.includes(':')))
}
