import {basename} from 'node:path'
import type {TargetInfo} from './types.js'
import type {ResolvedSource} from '../probes/index.js'
import {describeMode} from './reference-modes.js'
import {UserError} from '../user-error.js'
import {expandCommand, formatCommand} from './expand-command.js'
import {findFreePort} from './free-port.js'
import {spawnOwned, type OwnedProcess, type ProcessExit} from '../process/owned-process.js'
import type {TargetSpec} from './plan-target.js'
import {startReferenceServer, type ServerStats} from './reference-server.js'
import {unreachableListeners} from './listener-reach.js'
import {isListening, listenersNow, waitForListen} from './wait-for-listen.js'
import {formatEndpoint} from '../probes/address.js'

export type {TargetSpec} from './plan-target.js'

export interface StartedTarget {
  info: TargetInfo
  /** Stops what we started (idempotent); the reference server's last stats, else null. */
  stop(): Promise<ServerStats | null>
  /** How the server ended if it exited before stop() (a crash under load); else null. */
  exitedEarly(): string | null
}

/** Start (or, for --url, find) the server to load; ready once its port is LISTENing. */
export async function startTarget(spec: TargetSpec, source: ResolvedSource): Promise<StartedTarget> {
  if (spec.kind === 'reference') return startReference(spec)
  if (spec.kind === 'command') return startCommand(spec, source)
  const listeners = await listenersNow(spec.port, source)
  if (listeners.length === 0) {
    throw new UserError(`nothing listens on ${formatEndpoint({address: spec.host, port: spec.port})}`, 'start the server first, or let bench start it: bench -- <command> {port}')
  }
  const elsewhere = unreachableListeners(listeners, spec.host)
  if (elsewhere) {
    const url = `http://${formatEndpoint({address: elsewhere.address, port: spec.port})}${spec.path}`
    throw new UserError(`the server on port ${spec.port} listens on ${elsewhere.where}, not on ${spec.host}`, `use --url ${url}`)
  }
  return {
    info: {kind: 'url', description: `running server at http://${formatEndpoint({address: spec.host, port: spec.port})}${spec.path}`, host: spec.host, port: spec.port, path: spec.path, mode: null, pid: null},
    stop: async () => null,
    exitedEarly: () => null,
  }
}

async function startReference(spec: Extract<TargetSpec, {kind: 'reference'}>): Promise<StartedTarget> {
  const server = await startReferenceServer(spec.mode, {host: spec.host, port: spec.port, acceptDelayUs: spec.acceptDelayUs})
  let stopped: Promise<ServerStats | null> | null = null
  const early = watchEarlyExit(server.exited, () => stopped !== null)
  return {
    info: {
      kind: 'reference',
      description: `reference server: ${describeMode(spec.mode, spec.acceptDelayUs)}`,
      host: server.host,
      port: server.port,
      path: '/',
      mode: spec.mode,
      pid: server.pid,
    },
    stop: () => (stopped ??= server.stop()),
    exitedEarly: early,
  }
}

async function startCommand(spec: Extract<TargetSpec, {kind: 'command'}>, source: ResolvedSource): Promise<StartedTarget> {
  const port = spec.port ?? (await findFreePort(spec.host))
  if (await isListening(port, source)) {
    throw new UserError(`port ${port} is already in use`, 'stop what listens there, or pick another --port')
  }
  const argv = expandCommand(spec.argv, port)
  const child = spawnOwned(argv[0]!, argv.slice(1))
  let stopped: Promise<ProcessExit> | null = null
  const early = watchEarlyExit(child.exited, () => stopped !== null)
  const stop = async () => {
    await (stopped ??= child.stop())
    return null
  }
  const listeners = await waitForListen(port, source, spec.readyTimeoutMs, () => child.exit !== null)
  const elsewhere = unreachableListeners(listeners, spec.host)
  if (listeners.length === 0 || elsewhere) {
    const error = elsewhere
      ? new UserError(`${basename(argv[0]!)} listens on ${elsewhere.where}, not on ${spec.host}`, `add --host ${elsewhere.address}, or make it listen on ${spec.host}`)
      : notReady(child, argv, port, spec.readyTimeoutMs)
    await stop()
    throw error
  }
  return {
    info: {kind: 'command', description: formatCommand(argv), host: spec.host, port, path: spec.path, mode: null, pid: child.commandPid()},
    stop,
    exitedEarly: early,
  }
}

/** Remembers an exit that came before we asked for one, described for the report. */
function watchEarlyExit(exited: Promise<ProcessExit>, stopping: () => boolean): () => string | null {
  let early: string | null = null
  void exited.then((exit) => {
    if (!stopping()) early = describeExit(exit)
  })
  return () => early
}

function describeExit(exit: ProcessExit): string {
  if (exit.error) return exit.error.message
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`
}

function notReady(child: OwnedProcess, argv: string[], port: number, timeoutMs: number): UserError {
  const name = basename(argv[0]!)
  const exit = child.exit
  if (exit?.error) return new UserError(`cannot start ${name}: ${exit.error.message}`, 'check the command after --')
  const said = child.stderrTail.at(-1)
  if (exit) {
    return new UserError(`${name} ${describeExit(exit)} before listening on port ${port}${said ? `: ${said}` : ''}`, 'run the command by hand to see why')
  }
  return new UserError(
    `${name} did not listen on port ${port} within ${timeoutMs} ms`,
    'put {port} where your server takes its port, or give --port and --ready-timeout',
  )
}
