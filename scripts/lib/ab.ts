import {execa} from 'execa'

export interface AbResult {
  exitCode: number
  /** Requests ab counted as done: "Complete requests", or "Total of N" when it gave up. */
  completed: number
  failed: number
  /** ab hit its -s no-activity timeout (exit 119, "Total of N requests completed"). */
  timedOut: boolean
  /** null when ab gave up before printing its summary. */
  requestsPerSecond: number | null
  /** Wall time of the ab process, as a user waiting for it sees it. */
  wallMs: number
  output: string
}

export interface AbOptions {
  requests: number
  concurrency: number
  /** ab's -s; ab's own default is 30. */
  timeoutS?: number
}

/** Debian's ab with keep-alive (-k), bounded by its own -s timeout and a hard kill after it. */
export async function runAb(url: string, options: AbOptions): Promise<AbResult> {
  const timeoutS = options.timeoutS ?? 30
  const args = ['-q', '-k', '-n', String(options.requests), '-c', String(options.concurrency), '-s', String(timeoutS), url]
  const startedAt = performance.now()
  const result = await execa('ab', args, {reject: false, timeout: (timeoutS + 20) * 1000, all: true})
  const wallMs = performance.now() - startedAt
  const output = result.all ?? ''
  const complete = /Complete requests:\s+(\d+)/.exec(output)
  const totalOf = /Total of (\d+) requests completed/.exec(output)
  const rps = /Requests per second:\s+([\d.]+)/.exec(output)
  return {
    exitCode: result.exitCode ?? -1,
    completed: Number(complete?.[1] ?? totalOf?.[1] ?? 0),
    failed: Number(/Failed requests:\s+(\d+)/.exec(output)?.[1] ?? 0),
    timedOut: totalOf !== null,
    requestsPerSecond: rps ? Number(rps[1]) : null,
    wallMs,
    output,
  }
}
