import {execa} from 'execa'

export interface AbResult {
  exitCode: number
  /** Requests ab counted as done: "Complete requests", or "Total of N" when it timed out. */
  completed: number
  failed: number
  timedOut: boolean
  output: string
}

/** Debian's ab with keep-alive, bounded by its own -s timeout and a hard kill. */
export async function runAb(url: string, options: {requests: number; concurrency: number; timeoutS?: number}): Promise<AbResult> {
  const timeoutS = options.timeoutS ?? 3
  const args = ['-q', '-n', String(options.requests), '-c', String(options.concurrency), '-k', '-s', String(timeoutS), url]
  const result = await execa('ab', args, {reject: false, timeout: (timeoutS + 20) * 1000, all: true})
  const output = result.all ?? ''
  const complete = /Complete requests:\s+(\d+)/.exec(output)
  const totalOf = /Total of (\d+) requests completed/.exec(output)
  return {
    exitCode: result.exitCode ?? -1,
    completed: Number(complete?.[1] ?? totalOf?.[1] ?? 0),
    failed: Number(/Failed requests:\s+(\d+)/.exec(output)?.[1] ?? 0),
    timedOut: totalOf !== null,
    output,
  }
}
