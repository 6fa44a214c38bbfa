/**
 * Runs the C reference server (reference-server/, built by `npm run build`) as an owned child
 * and follows its JSON-line events.
 */
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {UserError} from '../user-error.js'
import {modeArgs} from './reference-modes.js'
import {type OwnedProcess, type ProcessExit, spawnOwned} from '../process/owned-process.js'
import {type ReferenceServerMode, type ServerEvent, type ServerStats, parseServerEvent} from './server-events.js'

export type {ReferenceServerMode, ServerStats} from './server-events.js'

export {DEFAULT_MODE} from './reference-modes.js'

export interface ReferenceServerOptions {
  host?: string
  /** 0 (the default) lets the kernel pick a free port. */
  port?: number
  /** Run the AddressSanitizer/UBSan build (`make -C reference-server asan`). */
  asan?: boolean
  statsIntervalMs?: number
  /** Pause after each accept(), to widen the seed's race window. Off (0) by default. */
  acceptDelayUs?: number
  maxEvents?: number
  /** Start under `ulimit -n`, to test behaviour at the fd limit. */
  fdLimit?: number
  readyTimeoutMs?: number
}

export interface ReferenceServer {
  readonly host: string
  readonly port: number
  readonly pid: number
  readonly url: string
  readonly mode: ReferenceServerMode
  /** The latest stats event, null before the first. */
  readonly stats: ServerStats | null
  onStats(listener: (stats: ServerStats) => void): () => void
  /** Every raw stdout line, for `--json` pass-through. */
  onLine(listener: (line: string) => void): () => void
  readonly stderrTail: readonly string[]
  readonly exited: Promise<ProcessExit>
  /**
   * SIGTERM, then the last stats it printed: the final ones (`final: true`) when it shut down
   * cleanly, else the last periodic ones (null if it never printed any).
   */
  stop(): Promise<ServerStats | null>
}

const DEFAULT_READY_TIMEOUT_MS = 5000

/** Path of the built server binary; throws a UserError when it has not been built. */
export function findReferenceServerBinary(asan = false): string {
  const name = asan ? 'reactor-server-asan' : 'reactor-server'
  const path = fileURLToPath(new URL(`../../reference-server/build/${name}`, import.meta.url))
  if (!existsSync(path)) {
    throw new UserError(
      asan ? 'reference server ASan build missing: run make -C reference-server asan' : 'reference server not built: run npm run build (a checkout) or npm rebuild -g reactor-doctor (installed); it needs gcc and make',
    )
  }
  return path
}

/** The server's command-line flags for a mode and options. */
export function buildServerArgs(mode: ReferenceServerMode, options: ReferenceServerOptions): string[] {
  const args = modeArgs(mode)
  args.push('--host', options.host ?? '127.0.0.1', '--port', String(options.port ?? 0))
  if (options.statsIntervalMs !== undefined) args.push('--stats-interval-ms', String(options.statsIntervalMs))
  if (options.acceptDelayUs) args.push('--accept-delay-us', String(options.acceptDelayUs))
  if (options.maxEvents !== undefined) args.push('--max-events', String(options.maxEvents))
  return args
}

/** Starts the server and resolves once it reports `listening`; UserError when it cannot. */
export async function startReferenceServer(
  mode: ReferenceServerMode,
  options: ReferenceServerOptions = {},
): Promise<ReferenceServer> {
  const binary = findReferenceServerBinary(options.asan)
  const args = buildServerArgs(mode, options)
  const child =
    options.fdLimit === undefined
      ? spawnOwned(binary, args)
      : spawnOwned('sh', ['-c', `ulimit -n ${options.fdLimit} && exec "$0" "$@"`, binary, ...args])
  let latest: ServerStats | null = null
  const statsListeners = new Set<(stats: ServerStats) => void>()
  const listening = new Promise<Extract<ServerEvent, {event: 'listening'}>>((resolve) => {
    child.onStdoutLine((line) => {
      const event = parseServerEvent(line)
      if (event?.event === 'listening') resolve(event)
      if (event?.event !== 'stats') return
      const {event: _, ...stats} = event
      latest = stats
      for (const listener of statsListeners) listener(stats)
    })
  })

  const ready = await waitForListening(child, listening, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS)
  const url = `http://${ready.host}:${ready.port}/`
  return {
    host: ready.host,
    port: ready.port,
    pid: ready.pid,
    url,
    mode: ready.mode,
    get stats() {
      return latest
    },
    onStats(listener) {
      statsListeners.add(listener)
      return () => void statsListeners.delete(listener)
    },
    onLine: (listener) => child.onStdoutLine(listener),
    stderrTail: child.stderrTail,
    exited: child.exited,
    async stop() {
      await child.stop()
      return latest
    },
  }
}

async function waitForListening<T>(child: OwnedProcess, listening: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(resolve, timeoutMs, 'timeout')
  })
  try {
    const first = await Promise.race([listening, child.exited, timeout])
    if (first === 'timeout') {
      await child.stop()
      throw new UserError(`reference server did not report listening within ${timeoutMs} ms`)
    }
    if (isProcessExit(first)) throw new UserError(`reference server failed to start: ${describeExit(child, first)}`)
    return first
  } finally {
    clearTimeout(timer)
  }
}

function isProcessExit(value: unknown): value is ProcessExit {
  return typeof value === 'object' && value !== null && 'code' in value && 'signal' in value
}

function describeExit(child: OwnedProcess, exit: ProcessExit): string {
  if (exit.error) return exit.error.message
  const line = child.stderrTail.at(-1)
  if (line) return line.replace(/^reactor-server: /, '')
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`
}
