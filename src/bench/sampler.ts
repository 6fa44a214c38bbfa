import {allProcTables, portRows, type ProcTable} from '../probes/collect-proc.js'
import {ProcNetFile} from '../probes/proc-net-file.js'
import {acceptQueueInProcText} from '../probes/procfs.js'
import type {SocketRecord} from '../probes/types.js'
import {toTimelinePoint} from './timeline-point.js'
import type {TimelinePoint} from './types.js'

export interface Sampler {
  /** Times count from this moment (the load's start); earlier samples get negative times. */
  markLoadStarted(at: number): void
  /** From now on, samples are marked as taken after the load. */
  markLoadEnded(): void
  /** Stop sampling; resolves once the reads in flight are done, with the samples in time order. */
  stop(): Promise<TimelinePoint[]>
}

/**
 * Two loops sample the port. Every intervalMs, one read of the port's LISTEN row: the accept
 * queue, which moves within milliseconds. Apart from it, at most every 100 ms and with at most 1%
 * of the time, a read of the whole table for the ESTAB and CLOSE-WAIT counts. Any read of the
 * table walks the kernel's whole established hash and prints every socket of the namespace,
 * TIME-WAIT ones included: 3-10 ms of CPU on this 24 GiB VM however few sockets the port holds,
 * a third of a core at 50 Hz, taken from the server under test. The table read yields to the
 * event loop between pages, so under load it takes a while; the queue loop goes on meanwhile.
 *
 * Always from /proc, whatever --source says: spawning ss forks this process, which stalls the
 * load engine for milliseconds and slows its connection burst enough to hide the very race the
 * bench looks for (measured: the seed bug showed in 0 of 8 runs sampled with ss, against 5 of 8
 * with /proc). Owners are not read here: too costly at 50 Hz.
 */
export const FULL_TABLE_EVERY_MS = 100
/** Table reads may take at most 1/100 of the time: 1% of a core. */
const FULL_TABLE_TIME_SHARE = 100

/**
 * Starts sampling once a first read of the whole table has found which table (IPv4 or IPv6)
 * holds the port's listener: that read is the first sample, taken before the load starts.
 */
export async function startSampler(options: {port: number; intervalMs: number; completed: () => number}): Promise<Sampler> {
  const {port, intervalMs} = options
  // Times are absolute (ms since the epoch) until stop() counts them from the load's start.
  const samples: TimelinePoint[] = []
  let origin = Date.now()
  let afterLoad = false
  const running = new AbortController()
  // Each loop keeps its own files open between samples: a read at offset 0 restarts the kernel's
  // iterator, and two loops sharing one file would restart each other's reads.
  const queueFiles = new TableFiles()
  const tableFiles = new TableFiles()

  const readTable = async (tables: readonly ProcTable[]): Promise<{sockets: SocketRecord[]; busyMs: number}> => {
    const at = Date.now()
    const sockets: SocketRecord[] = []
    let busyMs = 0
    for (const table of tables) {
      const read = await tableFiles.get(table)?.readAll()
      sockets.push(...portRows(read?.text ?? null, port))
      busyMs += read?.busyMs ?? 0
    }
    samples.push(toTimelinePoint({at, source: 'proc', sockets}, port, 0, options.completed(), afterLoad))
    return {sockets, busyMs}
  }

  // A failed read is a gap in the chart, not a failed bench: the final readings decide.
  const first = await readTable(allProcTables).catch(() => ({sockets: [], busyMs: 0}))
  const tables = tablesListening(first.sockets)

  const readQueue = () => {
    const queues = tables.map((table) => acceptQueueInProcText(queueFiles.get(table)?.readListenSection() ?? '', port))
    const acceptQueue = queues.every((queue) => queue === null) ? null : queues.reduce<number>((sum, queue) => sum + (queue ?? 0), 0)
    // /proc shows no backlog limit; ESTAB and CLOSE-WAIT come from the table reads.
    samples.push({atMs: Date.now(), acceptQueue, backlog: null, estab: null, closeWait: null, completed: options.completed(), afterLoad})
  }

  const loops = Promise.all([
    repeat(running.signal, async () => {
      readQueue()
      return intervalMs
    }),
    // The second table read comes soon, once the load's burst has connected; later ones by cost.
    repeat(running.signal, async () => {
      const {busyMs} = await readTable(tables)
      return Math.max(FULL_TABLE_EVERY_MS, intervalMs, busyMs * FULL_TABLE_TIME_SHARE)
    }, Math.max(FULL_TABLE_EVERY_MS, intervalMs)),
  ])

  return {
    markLoadStarted(at) {
      origin = at
    },
    markLoadEnded() {
      afterLoad = true
    },
    async stop() {
      running.abort()
      await loops
      queueFiles.close()
      tableFiles.close()
      return samples.sort((a, b) => a.atMs - b.atMs).map((sample) => ({...sample, atMs: sample.atMs - origin}))
    },
  }
}

/**
 * Runs `action` until the signal fires: each run says how long after its start the next one
 * begins (a slow run delays the next rather than piling up). A failed run is a gap in the chart.
 */
async function repeat(signal: AbortSignal, action: () => Promise<number>, firstDelayMs = 0): Promise<void> {
  let next = Date.now() + firstDelayMs
  while (!signal.aborted) {
    await sleepUntil(next, signal)
    if (signal.aborted) return
    const began = Date.now()
    try {
      next = began + (await action())
    } catch {
      next = began + FULL_TABLE_EVERY_MS
    }
  }
}

function sleepUntil(time: number, signal: AbortSignal): Promise<void> {
  const ms = time - Date.now()
  if (ms <= 0) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, {once: true})
  })
}

/** /proc/net/tcp and tcp6, each opened once; a missing one (no IPv6) is null. */
class TableFiles {
  private readonly files = new Map<ProcTable, ProcNetFile | null>()

  get(table: ProcTable): ProcNetFile | null {
    if (!this.files.has(table)) this.files.set(table, ProcNetFile.open(`/proc/net/${table}`))
    return this.files.get(table)!
  }

  close(): void {
    for (const file of this.files.values()) file?.close()
    this.files.clear()
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
