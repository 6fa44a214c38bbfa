import {setTimeout as sleep} from 'node:timers/promises'
import {diagnoseBench} from '../diagnose/diagnose-bench.js'
import {runLoad} from '../load/index.js'
import type {EngineName, LoadOptions, LoadResult} from '../load/types.js'
import {readListenCounters, takeSnapshot, type ResolvedSource} from '../probes/index.js'
import type {Snapshot} from '../probes/types.js'
import {startTarget, type TargetSpec} from '../targets/index.js'
import {startSampler} from './sampler.js'
import {addReadings, fillBacklog} from './timeline-point.js'
import {backlogOf} from '../probes/socket-evidence.js'
import type {BenchRun, TargetInfo, TimelinePoint} from './types.js'

/** The load's own options (see LoadOptions) plus what the bench adds around it. */
export interface BenchOptions
  extends Pick<LoadOptions, 'durationMs' | 'concurrency' | 'keepAlive' | 'bodyBytes' | 'stallMs' | 'timeoutMs' | 'requestTimeoutMs' | 'signal' | 'waves' | 'protocol'> {
  target: TargetSpec
  engine: EngineName
  /** Ignored when durationMs is set (a timed run). */
  requests: number
  /** Sampling period of the port during the load. */
  intervalMs: number
  /** Pause after the load so in-flight closes land before the final snapshot. */
  settleMs: number
  /** Where the final readings (with owners) come from. */
  source: ResolvedSource
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
    const countersBefore = await readListenCounters()
    let completed = 0
    const sampler = await startSampler({port, intervalMs: options.intervalMs, completed: () => completed})
    const loadStartedAt = Date.now()
    sampler.markLoadStarted(loadStartedAt)
    let load: LoadResult
    let timeline: TimelinePoint[]
    let afterLoad: Snapshot
    try {
      load = await runLoad(options.engine, toLoadOptions(options, target.info), {
        onProgress(done) {
          completed = done
          options.onProgress?.(done, options.requests)
        },
      })
      sampler.markLoadEnded()
      // Two readings with owners, settleMs apart: what is still there in the second is stuck,
      // since a healthy server drains its queue and closes within milliseconds of the load's end.
      afterLoad = await takeSnapshot({port, source: options.source, owners: true})
      await sleep(options.settleMs)
    } finally {
      timeline = await sampler.stop()
    }
    const finalSnapshot = await takeSnapshot({port, source: options.source, owners: true})
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
      },
      serverStats,
      exitedEarly,
    })
    // The final readings' source is in the report; a fallback past a missing tool is said too.
    if (options.source.fallback) verdict.notes.push(`final readings: ${options.source.note}; install iproute2 (ss) to see the backlog limit and drops`)
    return {
      target: target.info,
      load,
      source: options.source.source,
      // The two readings with owners are whole readings of the port at the moments that matter.
      timeline: fillBacklog(addReadings(timeline, [afterLoad, finalSnapshot], port, loadStartedAt, load.completed), backlogOf(finalSnapshot, port)),
      finalSnapshot,
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
