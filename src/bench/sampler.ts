import {allProcTables, type ProcTable} from '../probes/collect-proc.js'
import {ProcNetFile} from '../probes/proc-net-file.js'
import {addPortCounts, countPortRows, type PortCounts} from '../probes/proc-row-scan.js'
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
 * queue, which moves within milliseconds. Apart from it, at most every 100 ms and with about 1%
 * of a core, a read of the whole table for the ESTAB and CLOSE-WAIT counts. Any read of the
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
/**
 * Table reads may spend 1/200 of the time inside read() and counting. The turns of the event
 * loop between pages and the wakeups cost about as much again (measured: 5-10 ms of CPU per read
 * against 4-5 ms inside read()), so about 1% of a core in all.
 */
const FULL_TABLE_TIME_SHARE = 200

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

  /** Counts the port's rows in the tables; says which tables hold its listener, and the time it took. */
  const readTable = async (tables: readonly ProcTable[]): Promise<{listening: ProcTable[]; busyMs: number}> => {
    const at = Date.now()
    let counts: PortCounts = {acceptQueue: null, estab: 0, closeWait: 0}
    const listening: ProcTable[] = []
    let busyMs = 0
    for (const table of tables) {
      const read = await tableFiles.get(table)?.readAll()
      if (!read) continue
      const began = performance.now()
      const tableCounts = countPortRows(read.bytes, port)
      busyMs += read.busyMs + performance.now() - began
      if (tableCounts.acceptQueue !== null) listening.push(table)
      counts = addPortCounts(counts, tableCounts)
    }
    // /proc shows no backlog limit; the readings with ss after the load fill it in.
    samples.push({atMs: at, ...counts, backlog: null, completed: options.completed(), afterLoad})
    return {listening, busyMs}
  }

  // A failed read is a gap in the chart, not a failed bench: the final readings decide.
  const first = await readTable(allProcTables).catch(() => ({listening: [], busyMs: 0}))
  // The port's connections are in its listener's table (a dual-stack listener's IPv4 clients show
  // as v4-mapped rows of tcp6). No listener: both, to see what is left.
  const tables = first.listening.length > 0 ? first.listening : allProcTables

  const readQueue = () => {
    let acceptQueue: number | null = null
    for (const table of tables) {
      const queue = queueFiles.get(table)?.readListenSection(port).acceptQueue ?? null
      if (queue !== null) acceptQueue = (acceptQueue ?? 0) + queue
    }
    // ESTAB and CLOSE-WAIT come from the table reads.
    samples.push({atMs: Date.now(), acceptQueue, backlog: null, estab: null, closeWait: null, completed: options.completed(), afterLoad})
  }

  // The queue loop is a plain interval timer: at 50 Hz even a promise and an abort listener per
  // sample show in its cost. A failed read is a gap in the chart.
  const sampleQueue = () => {
    try {
      readQueue()
    } catch {}
  }
  sampleQueue()
  const queueTimer = setInterval(sampleQueue, intervalMs)
  // The second table read comes soon, once the load's burst has connected; later ones by cost.
  const tableLoop = repeat(running.signal, async () => {
    const {busyMs} = await readTable(tables)
    return Math.max(FULL_TABLE_EVERY_MS, intervalMs, busyMs * FULL_TABLE_TIME_SHARE)
  }, Math.max(FULL_TABLE_EVERY_MS, intervalMs))

  return {
    markLoadStarted(at) {
      origin = at
    },
    markLoadEnded() {
      afterLoad = true
    },
    async stop() {
      clearInterval(queueTimer)
      running.abort()
      await tableLoop
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
