import {setTimeout as sleep} from 'node:timers/promises'
import {diagnoseBench} from '../diagnose/diagnose-bench.js'
import {runLoad} from '../load/index.js'
import type {EngineName, LoadOptions, LoadResult} from '../load/types.js'
import {readListenCounters, takeSnapshot, type ResolvedSource} from '../probes/index.js'
import type {Snapshot} from '../probes/types.js'
import {startTarget, type TargetSpec} from '../targets/index.js'
import {startSampler} from './sampler.js'
import {readServerView, runProbe, stalledReading, toServerView, type ServerReadings} from './read-server.js'
import {addReadings, fillBacklog} from './timeline-point.js'
import {backlogOf} from '../probes/socket-evidence.js'
import type {BenchRun, TargetInfo, TimelinePoint} from './types.js'

/** The load's own options (see LoadOptions) plus what the bench adds around it. */
export interface BenchOptions
  extends Pick<LoadOptions, 'durationMs' | 'concurrency' | 'keepAlive' | 'bodyBytes' | 'stallMs' | 'timeoutMs' | 'requestTimeoutMs' | 'signal' | 'waves' | 'protocol'> {
  target: TargetSpec
  engine: EngineName
  /** Why the engine is not the one asked for (rd-load not built): a note in the verdict. */
  engineNote?: string | null
  /** Ignored when durationMs is set (a timed run). */
  requests: number
  /** Sampling period of the port during the load. */
  intervalMs: number
  /** Pause after the load so in-flight closes land before the final snapshot. */
  settleMs: number
  /** Where the final readings (with owners) come from. */
  source: ResolvedSource
  /** Run the accept experiment when the queue stays non-empty (--no-probe turns it off). */
  probe: boolean
  onProgress?: (completed: number, total: number) => void
}

/**
 * One bench run: start the target, load it while sampling its port, take a final snapshot with
 * owners, stop the target, diagnose. The target is stopped on every path.
 */
export async function runBench(options: BenchOptions): Promise<BenchRun> {
  const startedAt = Date.now()
  const target = await startTarget(options.target, options.source)
  try {
    const {port} = target.info
    // Owners from the server's own process tree: its fds, not a scan of every process (ss -p).
    const ownerTree = target.info.pid === null ? undefined : [target.info.pid]
    // The listener's own drop count (ss -m skmem d): overflow evidence about this port alone.
    const drops = options.source.source === 'ss'
    const countersBefore = await readListenCounters()
    let completed = 0
    const sampler = await startSampler({port, intervalMs: options.intervalMs, completed: () => completed})
    const loadStartedAt = Date.now()
    sampler.markLoadStarted(loadStartedAt)
    let load: LoadResult
    let timeline: TimelinePoint[]
    let afterLoad: Snapshot
    const readings: ServerReadings = {stalled: null, reactorAtStall: null, reactorAtEnd: null, probe: null, probeNote: null}
    try {
      load = await runLoad(options.engine, toLoadOptions(options, target.info), {
        onProgress(done) {
          completed = done
          options.onProgress?.(done, options.requests)
        },
        // While stalled, the clients still hold their connections: read the port and the reactor now.
        async onStalled() {
          readings.stalled = await takeSnapshot({port, source: options.source, owners: true, ownerTree, drops})
          readings.reactorAtStall = await readServerView(target.info, readings.stalled)
        },
      })
      sampler.markLoadEnded()
      // Two readings with owners, settleMs apart: what is still there in the second is stuck,
      // since a healthy server drains its queue and closes within milliseconds of the load's end.
      afterLoad = await takeSnapshot({port, source: options.source, owners: true, ownerTree, drops})
      await sleep(options.settleMs)
    } finally {
      timeline = await sampler.stop()
    }
    const finalSnapshot = await takeSnapshot({port, source: options.source, owners: true, ownerTree, drops})
    readings.reactorAtEnd = await readServerView(target.info, finalSnapshot)
    await runProbe(readings, finalSnapshot, target.info, options)
    const countersAfter = await readListenCounters()
    const exitedEarly = target.exitedEarly()
    const serverStats = await target.stop()
    const verdict = diagnoseBench({
      target: target.info,
      load,
      evidence: {
        port,
        snapshots: [afterLoad, finalSnapshot],
        countersBefore,
        countersAfter,
        loadEndedAt: afterLoad.at,
        stuckAfterMs: options.settleMs,
        stalled: stalledReading(readings.stalled, load),
      },
      server: toServerView(readings),
      serverStats,
      exitedEarly,
    })
    // The final readings' source is in the report; a fallback past a missing tool is said too.
    if (options.engineNote) verdict.notes.push(options.engineNote)
    if (options.source.fallback) verdict.notes.push(`final readings: ${options.source.note}; install iproute2 (ss) to see the backlog limit and drops`)
    return {
      target: target.info,
      load,
      source: options.source.source,
      // The two readings with owners are whole readings of the port at the moments that matter.
      timeline: fillBacklog(addReadings(timeline, [afterLoad, finalSnapshot], port, loadStartedAt, load.completed), backlogOf(finalSnapshot, port)),
      afterLoadSnapshot: afterLoad,
      finalSnapshot,
      stalledSnapshot: readings.stalled,
      reactor: {atStall: readings.reactorAtStall, atEnd: readings.reactorAtEnd},
      probe: readings.probe,
      counters: {before: countersBefore, after: countersAfter},
      serverStats,
      verdict,
      durationMs: Date.now() - startedAt,
    }
  } finally {
    await target.stop()
  }
}

function toLoadOptions(options: BenchOptions, target: TargetInfo): LoadOptions {
  const {durationMs, concurrency, keepAlive, bodyBytes, stallMs, timeoutMs, requestTimeoutMs, signal, waves, protocol} = options
  const requests = durationMs ? undefined : options.requests
  const {host, port, path} = target
  return {host, port, path, requests, durationMs, concurrency, keepAlive, bodyBytes, stallMs, timeoutMs, requestTimeoutMs, signal, waves, protocol}
}
