import {Flags} from '@oclif/core'
import type {EngineName, LoadProtocol, ProtocolName} from '../load/types.js'
import {engineNames, engineTable, speaks} from '../load/engines.js'
import {UserError} from '../user-error.js'
import {parseEscapes} from './parse-escapes.js'

/**
 * Connection bursts per run when --waves is not given (native and ab engines, keep-alive), fewer when -n
 * does not give every connection of every wave a request. Measured on the bare reference
 * acceptor (`--trigger et --threads 4 --accept once --accept-delay 0`, scripts/gate-rate.ts,
 * docs/perf.md): one burst caught the bug in about 3 of 4 runs; the default waves catch it in
 * at least 19 of 20, and a healthy run still takes well under a second of load.
 */
export const DEFAULT_WAVES = 10

export const wavesFlag = Flags.integer({
  min: 1,
  max: 10_000,
  summary: `Connection bursts in one run (native and ab engines): after each, the -c connections close and connect again at once; -n is divided over them (default ${DEFAULT_WAVES}, fewer when -n is under ${DEFAULT_WAVES} x -c).`,
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
  if (!engineTable[engine].waves || !flags.keepalive || flags.duration !== undefined) return 1
  return Math.max(1, Math.min(DEFAULT_WAVES, Math.floor(flags.requests / flags.concurrency)))
}

/** Runs of the mode matrix per mode when --repeat is not given. */
export const MATRIX_REPEAT = 5

export const repeatFlag = Flags.integer({
  min: 1,
  max: 1000,
  summary: `Runs per mode in the mode matrix (default ${MATRIX_REPEAT}), or runs of one target (default 1), each with a fresh server: "lost connections in k of N runs", exit 1 if any did.`,
})

/** --repeat's value for the plan; a server already running (--url) cannot be started fresh. */
export function resolveRepeat(repeat: number | undefined, plan: {kind: 'matrix'} | {kind: 'single'; target: {kind: string}}): number {
  if (plan.kind === 'matrix') return repeat ?? MATRIX_REPEAT
  if (repeat !== undefined && repeat > 1 && plan.target.kind === 'url') {
    throw new UserError('--repeat starts a fresh server for each run, and --url names one already running', 'give the server command after -- instead of --url')
  }
  return repeat ?? 1
}

/** Bytes of each echo request when --payload is not given. */
export const DEFAULT_PAYLOAD_BYTES = 64

export const protocolFlags = {
  protocol: Flags.string({
    options: ['http', 'echo', 'raw'],
    default: 'http',
    summary: 'What the load speaks: HTTP requests, an echo (each request --payload bytes, answered by the same bytes), or raw --send/--expect.',
  }),
  payload: Flags.integer({min: 1, max: 64 * 1024 * 1024, summary: `--protocol echo: bytes per request (default ${DEFAULT_PAYLOAD_BYTES}).`}),
  send: Flags.string({summary: '--protocol raw: the bytes of each request, with escapes \\r \\n \\t \\\\ \\xHH, e.g. "PING\\r\\n".'}),
  expect: Flags.string({summary: '--protocol raw: the exact answer to each request, same escapes, e.g. "+PONG\\r\\n".'}),
}

export interface ProtocolFlags {
  protocol: string
  url?: string
  payload?: number
  send?: string
  expect?: string
  'body-size'?: number
  engine: string
}

/** The load's protocol from the flags; a flag that does not apply to it is refused with one line. */
export function resolveProtocol(flags: ProtocolFlags): LoadProtocol {
  const name = flags.protocol as ProtocolName
  const refuse = (flag: string, belongs: string, instead?: string) => {
    throw new UserError(`${flag} is for ${belongs}, not --protocol ${name}`, instead ?? `drop ${flag}`)
  }
  const engine = flags.engine as EngineName
  if (!speaks(engine, name)) {
    const able = engineNames.filter((other) => speaks(other, name))
    throw new UserError(`--protocol ${name} needs the ${able.join(' or ')} engine: ${engine} speaks only ${engineTable[engine].protocols.join(', ')}`, `use --engine ${able[0]}`)
  }
  if (name !== 'http' && flags['body-size'] !== undefined) refuse('--body-size', '--protocol http', name === 'echo' ? 'use --payload' : 'put the bytes in --send')
  if (name !== 'echo' && flags.payload !== undefined) refuse('--payload', '--protocol echo')
  if (name !== 'raw' && flags.send !== undefined) refuse('--send', '--protocol raw')
  if (name !== 'raw' && flags.expect !== undefined) refuse('--expect', '--protocol raw')
  if (name === 'http' && flags.url?.trim().toLowerCase().startsWith('tcp:')) {
    throw new UserError(`--url ${flags.url} names a plain TCP server, and --protocol http sends HTTP`, 'add --protocol echo, or --protocol raw with --send and --expect')
  }
  switch (name) {
    case 'http':
      return {kind: 'http'}
    case 'echo':
      return {kind: 'echo', payloadBytes: flags.payload ?? DEFAULT_PAYLOAD_BYTES}
    case 'raw': {
      if (flags.send === undefined || flags.expect === undefined) {
        throw new UserError('--protocol raw needs --send and --expect', 'e.g. --send "PING\\r\\n" --expect "+PONG\\r\\n"')
      }
      const send = parseEscapes(flags.send, '--send')
      const expect = parseEscapes(flags.expect, '--expect')
      if (send.length === 0) throw new UserError('--send is empty', 'give the bytes of a request, e.g. "PING\\r\\n"')
      if (expect.length === 0) throw new UserError('--expect is empty', 'give the exact answer, e.g. "+PONG\\r\\n"')
      return {kind: 'raw', send, expect}
    }
  }
}

/**
 * The reference server's protocol for a load: it answers HTTP and echoes; a raw line protocol
 * needs the user's own server.
 */
export function serverProtocolFor(protocol: LoadProtocol, targetsReference: boolean): 'http' | 'echo' {
  if (protocol.kind === 'raw') {
    if (targetsReference) throw new UserError('the reference server speaks http or echo, not --protocol raw', 'give your server after -- (e.g. -- ./my-server --port {port})')
    return 'http'
  }
  return protocol.kind
}
