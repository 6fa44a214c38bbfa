import {Flags} from '@oclif/core'
import type {EngineName} from '../load/types.js'
import {UserError} from '../user-error.js'

/**
 * Connection bursts per run when --waves is not given (ab engine, keep-alive), fewer when -n
 * does not give every connection of every wave a request. Measured on the bare reference
 * acceptor (`--trigger et --threads 4 --accept once --accept-delay 0`, scripts/gate-rate.ts,
 * docs/perf.md): one burst caught the bug in about 3 of 4 runs; the default waves catch it in
 * at least 19 of 20, and a healthy run still takes well under a second of load.
 */
export const DEFAULT_WAVES = 10

export const wavesFlag = Flags.integer({
  min: 1,
  max: 10_000,
  summary: `Connection bursts in one run (ab engine): after each, the -c connections close and connect again at once; -n is divided over them (default ${DEFAULT_WAVES}, fewer when -n is under ${DEFAULT_WAVES} x -c).`,
  description:
    'A race that shows in a fraction p of bursts is caught with 1-(1-p)^N over N waves. A wave that loses a connection stalls the run ' +
    'with its clients still connected, so the report names them. Bounded by --timeout.',
})

export interface WavesFlags {
  waves?: number
  engine: string
  keepalive: boolean
  requests: number
  concurrency: number
  duration?: string
}

/**
 * The waves of a run: the flag as given (the engine checks it fits), or the default, fewer when
 * -n is too small for it, and 1 where waves do not apply (autocannon, no keep-alive, a duration).
 */
export function resolveWaves(flags: WavesFlags): number {
  if (flags.waves !== undefined) {
    if (flags.duration !== undefined && flags.waves > 1) throw new UserError('--waves divides -n over the bursts, and --duration runs by time', 'drop --waves or --duration')
    return flags.waves
  }
  const engine = flags.engine as EngineName
  if (engine !== 'ab' || !flags.keepalive || flags.duration !== undefined) return 1
  return Math.max(1, Math.min(DEFAULT_WAVES, Math.floor(flags.requests / flags.concurrency)))
}
