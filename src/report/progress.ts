/**
 * A one-line progress bar on stderr for long runs (the mode matrix). It only ever draws on an
 * interactive terminal: never in CI, into a pipe or with --json, where it would be noise in logs.
 */

export interface ProgressStream {
  isTTY?: boolean
  columns?: number
  write(chunk: string): boolean
}

export interface ProgressOptions {
  /** The caller's say: false with --json. */
  enabled: boolean
  stream?: ProgressStream
  env?: NodeJS.ProcessEnv
  /** Injected clock, for tests. */
  now?: () => number
}

export interface ProgressBar {
  update(done: number, total: number, label: string): void
  /** Clears the line, so the report that follows starts clean. */
  finish(): void
}

const BAR_WIDTH = 24
// At most 10 redraws a second: faster is flicker, and costs the load engine CPU time.
const MIN_INTERVAL_MS = 100

/** "[██████░░░░░░]  50%  6/12 label", cut to the terminal width. Pure. */
export function formatProgress(done: number, total: number, label: string, columns = 80): string {
  const share = total <= 0 ? 0 : Math.min(1, Math.max(0, done / total))
  const filled = Math.round(share * BAR_WIDTH)
  const bar = `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}]`
  const line = `${bar} ${`${Math.floor(share * 100)}%`.padStart(4)}  ${done}/${total}  ${label}`
  // One column spare: writing the last column makes some terminals wrap the cursor.
  return line.length < columns ? line : `${line.slice(0, Math.max(0, columns - 2))}…`
}

export function shouldShowProgress(enabled: boolean, stream: ProgressStream, env: NodeJS.ProcessEnv): boolean {
  return enabled && stream.isTTY === true && (env.CI === undefined || env.CI === '' || env.CI === 'false')
}

export function createProgressBar(options: ProgressOptions): ProgressBar {
  const stream = options.stream ?? process.stderr
  const now = options.now ?? Date.now
  if (!shouldShowProgress(options.enabled, stream, options.env ?? process.env)) {
    return {update: () => undefined, finish: () => undefined}
  }
  let lastDrawAt = -Infinity
  let lastDone = -1
  let drawn = false
  return {
    update(done, total, label) {
      const at = now()
      // Reaching the total always draws once, so the bar never stops short of 100%.
      const reachesEnd = done >= total && lastDone < total
      if (at - lastDrawAt < MIN_INTERVAL_MS && !reachesEnd) return
      lastDrawAt = at
      lastDone = done
      drawn = true
      stream.write(`\r\x1b[2K${formatProgress(done, total, label, stream.columns ?? 80)}`)
    },
    finish() {
      if (drawn) stream.write('\r\x1b[2K')
      drawn = false
    },
  }
}
