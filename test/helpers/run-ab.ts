import {runAb as runDebianAb, type AbOptions, type AbResult} from '../../scripts/lib/ab.js'

export type {AbResult}

/** Debian's ab with keep-alive, as the benchmarks run it, but giving up after 3 s of silence. */
export function runAb(url: string, options: AbOptions): Promise<AbResult> {
  return runDebianAb(url, {timeoutS: 3, ...options})
}
