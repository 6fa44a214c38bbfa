/**
 * The native engine: rd-load (reference-server/load-driver.c, built by `npm run build` like the
 * reference server), a C driver with the ab engine's semantics step for step, one thread and
 * epoll. Node's fixed cost per read and write keeps the ab engine under Debian ab's requests/s
 * on 2 cores (docs/perf.md); the driver does not pay it.
 *
 * It runs as an owned process (it dies with us, even on SIGKILL). The options go as argv; the
 * request and the exact answer as bytes on its stdin, built here by planProtocol, so both
 * engines send the same bytes. It prints JSON lines: progress, stalled, and the result. On a
 * stall or the timeout it keeps its clients connected until we write "go" (after onStalled),
 * so bench reads the stuck sockets while the clients still hold them, as with the ab engine.
 */
import {accessSync, constants} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {spawnOwned} from '../process/owned-process.js'
import {normalizeAddress} from '../probes/loopback.js'
import {formatEndpoint} from '../probes/address.js'
import {UserError} from '../user-error.js'
import {loadUrl, perSecond} from './load-result.js'
import {planProtocol} from './protocol.js'
import type {ConnectionRecord, LatencySummary, LoadEnd, LoadHooks, LoadOptions, LoadResult} from './types.js'
import {WAVE_PAUSE_MS} from './waves.js'

/** Points the engine at another rd-load binary: for tests of the missing-driver fallback. */
export const NATIVE_DRIVER_ENV = 'REACTOR_DOCTOR_RD_LOAD'

/** The longest the driver keeps a stalled load's clients connected while onStalled reads. */
const STALL_HOLD_MS = 60_000

export function nativeDriverPath(): string {
  return process.env[NATIVE_DRIVER_ENV] || fileURLToPath(new URL('../../reference-server/build/rd-load', import.meta.url))
}

/** Whether rd-load is there to run (no C compiler at install leaves it unbuilt). */
export function nativeDriverBuilt(): boolean {
  try {
    accessSync(nativeDriverPath(), constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** What rd-load prints, one JSON object a line. */
type DriverLine =
  | {type: 'progress'; completed: number; sent: number}
  | {type: 'stalled'; end: 'stalled' | 'timeout'}
  | {type: 'fatal'; code: string}
  | DriverResult

interface DriverResult {
  type: 'result'
  end: LoadEnd
  stallMs: number | null
  startedAt: number
  durationMs: number
  sent: number
  completed: number
  non2xx: number
  errors: number
  wavesStarted: number
  latencyMs: LatencySummary | null
  progress: Array<[atMs: number, completed: number]>
  /** [id, wave, localPort, connected, connectedAtMs, firstByteAtMs, requestsSent, responses, bytesSent, bytesReceived, error, closedByServer] */
  connections: Array<[number, number, number | null, 0 | 1, number | null, number | null, number, number, number, number, string | null, 0 | 1]>
}

export function runNative(options: LoadOptions, hooks: LoadHooks = {}): Promise<LoadResult> {
  const path = nativeDriverPath()
  if (!nativeDriverBuilt()) {
    return Promise.reject(new UserError(`the native engine's driver is not built (${path})`, 'run npm run build (needs a C compiler), or use --engine ab'))
  }
  const plan = planProtocol(options)
  const expected = plan.expected ?? Buffer.alloc(0)
  const waves = options.waves ?? 1
  const args = [
    ...['--host', normalizeAddress(options.host), '--port', String(options.port)],
    ...['--requests', String(options.requests ?? 0), '--concurrency', String(options.concurrency)],
    ...['--keep-alive', options.keepAlive ? '1' : '0', '--waves', String(waves), '--wave-pause-ms', String(WAVE_PAUSE_MS)],
    ...['--stall-ms', String(options.stallMs), '--timeout-ms', String(options.timeoutMs)],
    ...['--hold-ms', String(hooks.onStalled ? STALL_HOLD_MS : 0)],
    ...['--request-bytes', String(plan.request.length), '--expect-bytes', String(expected.length)],
  ]
  const child = spawnOwned(path, args, {stdin: 'pipe'})
  const stdin = child.stdin!
  const say = (line: string): void => void stdin.write(`${line}\n`)
  stdin.write(plan.request)
  if (expected.length > 0) stdin.write(expected)
  say(options.signal?.aborted ? 'abort' : 'go')
  const abort = (): void => say('abort')
  options.signal?.addEventListener('abort', abort, {once: true})

  return new Promise<LoadResult>((resolve, reject) => {
    let outcome: {result: LoadResult} | {error: Error} | null = null
    child.onStdoutLine((text) => {
      if (outcome !== null || !text.startsWith('{')) return
      const line = JSON.parse(text) as DriverLine
      switch (line.type) {
        case 'progress':
          hooks.onProgress?.(line.completed, line.sent)
          return
        case 'stalled':
          // The clients stay connected until "go": the hook's reading sees them.
          void (hooks.onStalled?.() ?? Promise.resolve()).catch(() => {}).finally(() => say('go'))
          return
        case 'fatal': {
          const address = formatEndpoint({address: options.host, port: options.port})
          outcome = {error: new UserError(`cannot connect to ${address}: ${line.code}`, 'is the server running and listening on that port?')}
          return
        }
        case 'result':
          outcome = {result: toLoadResult(line, options, plan.request.length, waves)}
      }
    })
    void child.exited.then((exit) => {
      options.signal?.removeEventListener('abort', abort)
      stdin.end()
      if (outcome === null) {
        const how = exit.error?.message ?? (exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`)
        const stderr = child.stderrTail.join(' ').trim()
        reject(new Error(`rd-load ended without a result (${how})${stderr ? `: ${stderr}` : ''}`))
      } else if ('error' in outcome) {
        reject(outcome.error)
      } else {
        resolve(outcome.result)
      }
    })
  })
}

function toLoadResult(line: DriverResult, options: LoadOptions, requestBytes: number, waves: number): LoadResult {
  return {
    engine: 'native',
    url: loadUrl(options),
    concurrency: options.concurrency,
    keepAlive: options.keepAlive,
    requested: options.requests ?? 0,
    sent: line.sent,
    completed: line.completed,
    non2xx: line.non2xx,
    errors: line.errors,
    reconnects: 0,
    end: line.end,
    stallMs: line.stallMs,
    startedAt: line.startedAt,
    durationMs: line.durationMs,
    requestsPerSecond: perSecond(line.completed, line.durationMs),
    latencyMs: line.latencyMs,
    progress: line.progress.map(([atMs, completed]) => ({atMs, completed})),
    connections: line.connections.map(toRecord),
    requestBytes,
    waves: {requested: waves, started: line.wavesStarted},
  }
}

function toRecord([id, wave, localPort, connected, connectedAtMs, firstByteAtMs, requestsSent, responses, bytesSent, bytesReceived, error, closedByServer]: DriverResult['connections'][number]): ConnectionRecord {
  return {id, wave, localPort, connected: connected === 1, connectedAtMs, firstByteAtMs, requestsSent, responses, bytesSent, bytesReceived, error, closedByServer: closedByServer === 1}
}
