import type {BenchRun, MatrixReport} from './types.js'
import type {ReferenceServerMode} from '../targets/reference-server.js'
import {matrixModes} from './matrix-modes.js'
import {concludeMatrix, describeObservedCauses, summarizeMode} from './summarize-matrix.js'
import {runBench, type BenchOptions} from './run-bench.js'

export interface MatrixOptions extends Omit<BenchOptions, 'target' | 'onProgress'> {
  host: string
  repeat: number
  threads: number
  backlog: number
  serverProtocol?: ReferenceServerMode['protocol']
  acceptDelayUs: number
  onRunDone?: (done: number, total: number, label: string) => void
}

/** Every matrix mode `repeat` times, one run at a time so runs never compete for the cores. */
export async function runMatrix(options: MatrixOptions): Promise<MatrixReport> {
  const modes = matrixModes(options.threads, options.backlog, options.serverProtocol)
  const total = modes.length * options.repeat
  const runs: BenchRun[] = []
  const rows = []
  for (const mode of modes) {
    const modeRuns: BenchRun[] = []
    for (let i = 0; i < options.repeat; i++) {
      options.signal?.throwIfAborted()
      const run = await runBench({...options, target: {kind: 'reference', mode: mode.mode, host: options.host, port: 0, acceptDelayUs: options.acceptDelayUs}})
      modeRuns.push(run)
      options.onRunDone?.(runs.length + modeRuns.length, total, mode.label)
    }
    runs.push(...modeRuns)
    rows.push(summarizeMode(mode, modeRuns))
  }
  return {rows, conclusion: [...concludeMatrix(rows), ...describeObservedCauses(runs)], runs}
}
