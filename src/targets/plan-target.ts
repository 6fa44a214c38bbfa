import {UserError} from '../user-error.js'
import type {ReferenceServerMode} from './reference-server.js'
import {DEFAULT_MODE, modeFromFlags, modeNames} from './reference-modes.js'
import {parseTargetUrl} from './parse-target-url.js'
import {assertLoopback, normalizeAddress} from '../probes/loopback.js'

/** What a bench run loads. */
export type TargetSpec =
  | {kind: 'reference'; mode: ReferenceServerMode; host: string; port: number; acceptDelayUs: number}
  | {kind: 'command'; argv: string[]; host: string; port: number | null; path: string; readyTimeoutMs: number}
  | {kind: 'url'; host: string; port: number; path: string}

export type BenchPlan =
  | {kind: 'single'; target: TargetSpec}
  | {kind: 'matrix'; threads: number; backlog: number; protocol: ReferenceServerMode['protocol']; acceptDelayUs: number}

export interface TargetFlags {
  command: string[]
  url?: string
  host: string
  port?: number
  trigger?: string
  threads?: number
  accept?: string
  read?: string
  backlog?: number
  /** The reference server's protocol (bench derives it from the load's --protocol). */
  protocol?: string
  'ready-timeout': string
  /** The reference server's pause after each accept(), in µs. */
  acceptDelayUs: number
}

/** I/O threads of the matrix's multi-threaded modes: as in the seed's muduo setup. */
const matrixThreads = 4

/**
 * Which target the flags name: --url, a command after --, the reference server in one mode,
 * or (no target, no mode flag) the mode matrix. Conflicting flags are a usage error.
 */
export function planTarget(flags: TargetFlags, parseMs: (text: string, flag: string) => number): BenchPlan {
  // --backlog and --protocol apply to every mode, so they alone do not pick one over the matrix.
  const modeFlags = modeNames.filter((name) => name !== 'backlog' && name !== 'protocol' && flags[name] !== undefined)
  const hasCommand = flags.command.length > 0
  if (flags.url !== undefined && flags.url.trim() === '') throw new UserError('--url is empty', 'give the running server\'s URL, e.g. --url http://127.0.0.1:8080/')
  if (flags.url && hasCommand) throw new UserError('--url and a server command both name a target', 'give one of them')
  if ((flags.url || hasCommand) && modeFlags.length > 0) {
    throw new UserError(`--${modeFlags[0]} configures the bundled reference server`, 'drop it when testing your own server (--url or -- command)')
  }
  assertLoopback(flags.host)
  // One spelling from here on (127.1 -> 127.0.0.1), so the server and the load use the same.
  flags = {...flags, host: normalizeAddress(flags.host)}
  if (flags.url) {
    if (flags.port !== undefined) throw new UserError('--port and --url both give a port', 'put the port in the URL')
    return {kind: 'single', target: {kind: 'url', ...parseTargetUrl(flags.url)}}
  }
  if (hasCommand) {
    return {
      kind: 'single',
      target: {kind: 'command', argv: flags.command, host: flags.host, port: flags.port ?? null, path: '/', readyTimeoutMs: parseMs(flags['ready-timeout'], '--ready-timeout')},
    }
  }
  if (modeFlags.length === 0) {
    // Each of the matrix's runs starts its own server; on one port, a run would read what the
    // run before left behind.
    if (flags.port !== undefined) throw new UserError('--port is for one server, and the mode matrix starts one per run, each on a free port', 'drop --port, or pick one mode (e.g. --trigger et)')
    const protocol = (flags.protocol ?? DEFAULT_MODE.protocol) as ReferenceServerMode['protocol']
    return {kind: 'matrix', threads: matrixThreads, backlog: flags.backlog ?? DEFAULT_MODE.backlog, protocol, acceptDelayUs: flags.acceptDelayUs}
  }
  const mode = modeFromFlags(flags)
  return {kind: 'single', target: {kind: 'reference', mode, host: flags.host, port: flags.port ?? 0, acceptDelayUs: flags.acceptDelayUs}}
}
