import type {BenchPlan} from '../targets/plan-target.js'
import {runBench, type BenchOptions} from './run-bench.js'
import {runMatrix} from './run-matrix.js'
import {runRepeat} from './run-repeat.js'
import type {BenchReport} from './types.js'

export interface PlanOptions extends Omit<BenchOptions, 'target' | 'onProgress'> {
  host: string
  /** Runs per mode (matrix) or on the one target (--repeat). */
  repeat: number
  /** Progress for a bar: done of total, and what is counted. */
  onProgress: (done: number, total: number, label: string) => void
}

/** Runs what planTarget decided: the mode matrix, N runs on one target, or one run. */
export async function runPlan(plan: BenchPlan, options: PlanOptions): Promise<BenchReport> {
  const {onProgress, repeat, host, ...bench} = options
  if (plan.kind === 'matrix') {
    const matrix = await runMatrix({
      ...bench,
      host,
      repeat,
      threads: plan.threads,
      backlog: plan.backlog,
      serverProtocol: plan.protocol,
      acceptDelayUs: plan.acceptDelayUs,
      onRunDone: (done, total, label) => onProgress(done, total, label),
    })
    return {kind: 'matrix', matrix}
  }
  if (repeat > 1) {
    return {kind: 'repeat', repeat: await runRepeat({...bench, target: plan.target, repeat, onRunDone: (done, total) => onProgress(done, total, 'runs')})}
  }
  return {kind: 'single', run: await runBench({...bench, target: plan.target, onProgress: (done, total) => onProgress(done, total, 'requests')})}
}
