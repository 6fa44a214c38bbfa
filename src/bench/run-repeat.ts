import type {BenchRun, RepeatReport} from './types.js'
import {lostConnections} from './summarize-matrix.js'
import {runBench, type BenchOptions} from './run-bench.js'

export interface RepeatOptions extends BenchOptions {
  repeat: number
  onRunDone?: (done: number, total: number) => void
}

/**
 * One target `repeat` times, one run after another; runBench starts a fresh server (the
 * reference server or the user's command) for each, so no run reads what one before left.
 */
export async function runRepeat(options: RepeatOptions): Promise<RepeatReport> {
  const runs: BenchRun[] = []
  for (let i = 0; i < options.repeat; i++) {
    options.signal?.throwIfAborted()
    runs.push(await runBench(options))
    options.onRunDone?.(runs.length, options.repeat)
  }
  return summarizeRepeat(runs)
}

export function summarizeRepeat(runs: BenchRun[]): RepeatReport {
  return {lossyRuns: runs.filter(lostConnections).length, runs}
}
