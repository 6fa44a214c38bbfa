/**
 * The one place reactor-doctor starts long-running child processes (the reference server, the
 * user's own server command), so every one of them has an owner that stops it on every path.
 *
 *   const child = spawnOwned('reactor-server', ['--port', '0'])
 *   const off = child.onStdoutLine((line) => ...)   // lines as they arrive, without '\n'
 *   child.stderrTail                                 // the last stderr lines, for error messages
 *   await child.exited                               // {code, signal, error?} once it is gone
 *   await child.stop()                               // SIGTERM, up to 2 s grace, then SIGKILL
 *
 * Each child leads its own process group (detached), and stop() signals the whole group, so a
 * shell wrapper (`sh -c '...; exec server'`) and anything it forked go with it. Live children
 * are kept in a registry; a handler installed once kills every live group when this process
 * exits, and on SIGINT/SIGTERM/SIGHUP when nobody else handles the signal, so nothing outlives
 * a Ctrl-C, a closed terminal or an error path.
 */
import {spawn} from 'node:child_process'

export interface ProcessExit {
  code: number | null
  signal: NodeJS.Signals | null
  /** Set when the process could not be started at all (e.g. ENOENT). */
  error?: Error
}

export interface SpawnOwnedOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
}

export interface OwnedProcess {
  readonly pid: number
  /** Calls listener with each stdout line as it arrives. Returns the unsubscribe function. */
  onStdoutLine(listener: (line: string) => void): () => void
  onStderrLine(listener: (line: string) => void): () => void
  /** The last stderr lines (at most STDERR_TAIL_LINES). */
  readonly stderrTail: readonly string[]
  /** Resolves when the process has exited and its output is fully read. */
  readonly exited: Promise<ProcessExit>
  /** Null while running. */
  readonly exit: ProcessExit | null
  /** SIGTERM to the group, then SIGKILL after graceMs (default 2000). Resolves to the exit. */
  stop(graceMs?: number): Promise<ProcessExit>
}

const STDERR_TAIL_LINES = 20
const DEFAULT_GRACE_MS = 2000
const live = new Set<{pid: number}>()
let handlersInstalled = false

/** Starts command in its own process group, owned until it exits or stop() is called. */
export function spawnOwned(command: string, args: readonly string[], options: SpawnOwnedOptions = {}): OwnedProcess {
  installExitHandlers()
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const stdoutListeners = new Set<(line: string) => void>()
  const stderrListeners = new Set<(line: string) => void>()
  const stderrTail: string[] = []
  const entry = {pid: child.pid ?? -1}
  let exit: ProcessExit | null = null

  splitLines(child.stdout, (line) => {
    for (const listener of stdoutListeners) listener(line)
  })
  splitLines(child.stderr, (line) => {
    stderrTail.push(line)
    if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift()
    for (const listener of stderrListeners) listener(line)
  })

  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('error', (error) => {
      // Only a failed spawn has no 'close' to follow; a failed kill() also lands here.
      if (child.pid === undefined) settle({code: null, signal: null, error})
    })
    child.once('close', (code, signal) => settle({code, signal}))
    function settle(result: ProcessExit): void {
      if (exit) return
      exit = result
      live.delete(entry)
      resolve(result)
    }
  })
  if (child.pid !== undefined) live.add(entry)

  const subscribe = (set: Set<(line: string) => void>, listener: (line: string) => void) => {
    set.add(listener)
    return () => void set.delete(listener)
  }

  return {
    pid: entry.pid,
    onStdoutLine: (listener) => subscribe(stdoutListeners, listener),
    onStderrLine: (listener) => subscribe(stderrListeners, listener),
    stderrTail,
    exited,
    get exit() {
      return exit
    },
    async stop(graceMs = DEFAULT_GRACE_MS) {
      if (exit) return exit
      signalGroup(entry.pid, 'SIGTERM')
      const timer = new Promise<'timeout'>((resolve) => setTimeout(resolve, graceMs, 'timeout').unref())
      if ((await Promise.race([exited, timer])) === 'timeout') signalGroup(entry.pid, 'SIGKILL')
      return exited
    },
  }
}

/** How many owned children are still running; tests use it to prove nothing leaked. */
export function countLiveProcesses(): number {
  return live.size
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // ESRCH: the group is already gone.
  }
}

function killAllGroups(): void {
  for (const entry of live) signalGroup(entry.pid, 'SIGKILL')
  live.clear()
}

function installExitHandlers(): void {
  if (handlersInstalled) return
  handlersInstalled = true
  process.on('exit', killAllGroups)
  // SIGHUP too: closing the terminal must not orphan a server in its own process group.
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signal, () => {
      // Another handler (a command stopping its server gracefully) owns this signal; the
      // 'exit' handler still reaps whatever it leaves behind.
      if (process.listenerCount(signal) > 1) return
      killAllGroups()
      process.exit(code)
    })
  }
}

/** Feeds listener each complete line of the stream, and a last unterminated one at its end. */
function splitLines(stream: NodeJS.ReadableStream, listener: (line: string) => void): void {
  let pending = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) listener(line)
  })
  stream.on('end', () => {
    if (pending) listener(pending)
  })
}
