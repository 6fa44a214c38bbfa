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
 * Each child runs under rd-launch (reference-server/launcher.c) when it is built: the kernel
 * sends rd-launch SIGTERM when this process dies, even by SIGKILL (PR_SET_PDEATHSIG), and as a
 * subreaper it adopts whatever the command forks or daemonizes, so on a stop or our death it
 * stops them all. Each child also leads its own process group (detached), and stop() signals
 * the whole group. Live children are kept in a registry; a handler installed once stops every
 * live group when this process exits, and on SIGINT/SIGTERM/SIGHUP when nobody else handles the
 * signal, so nothing outlives a Ctrl-C, a closed terminal or an error path.
 */
import {spawn} from 'node:child_process'
import {accessSync, constants, existsSync, readFileSync} from 'node:fs'
import {findTool} from './find-tool.js'
import {fileURLToPath} from 'node:url'

export interface ProcessExit {
  code: number | null
  signal: NodeJS.Signals | null
  /** Set when the process could not be started at all (e.g. ENOENT). */
  error?: Error
}

export interface SpawnOwnedOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** 'pipe': the child reads what is written to OwnedProcess.stdin (default: nothing, /dev/null). */
  stdin?: 'ignore' | 'pipe'
}

export interface OwnedProcess {
  /** The started process: rd-launch when it runs the command. */
  readonly pid: number
  /** The child's stdin with `stdin: 'pipe'` (write errors ignored: the child may be gone); else null. */
  readonly stdin: NodeJS.WritableStream | null
  /** The command's own pid (rd-launch's child), once it is running; else pid. */
  commandPid(): number
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
/** How long rd-launch gives the command's processes after SIGTERM before it kills them. */
const LAUNCHER_GRACE_MS = 1500
/** After the process exits, how long its output pipes may stay open (a daemon it left may hold them). */
const CLOSE_AFTER_EXIT_MS = 500
const LAUNCHER = fileURLToPath(new URL('../../reference-server/build/rd-launch', import.meta.url))
const live = new Set<{pid: number; launched: boolean}>()
let handlersInstalled = false

/** Starts command in its own process group, owned until it exits or stop() is called. */
export function spawnOwned(command: string, args: readonly string[], options: SpawnOwnedOptions = {}): OwnedProcess {
  installExitHandlers()
  // A command that cannot run is spawned as it is, so its ENOENT or EACCES says so directly.
  const launched = existsSync(LAUNCHER) && canRun(command, options.env?.PATH ?? process.env.PATH)
  const argv = launched ? [LAUNCHER, '--grace-ms', String(LAUNCHER_GRACE_MS), '--', command, ...args] : [command, ...args]
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  })
  child.stdin?.on('error', () => {})
  const stdoutListeners = new Set<(line: string) => void>()
  const stderrListeners = new Set<(line: string) => void>()
  const stderrTail: string[] = []
  const entry = {pid: child.pid ?? -1, launched}
  let exit: ProcessExit | null = null

  splitLines(child.stdout!, (line) => {
    for (const listener of stdoutListeners) listener(line)
  })
  splitLines(child.stderr!, (line) => {
    stderrTail.push(line)
    if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift()
    for (const listener of stderrListeners) listener(line)
  })

  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('error', (error) => {
      // Only a failed spawn has no 'close' to follow; a failed kill() also lands here.
      if (child.pid === undefined) settle({code: null, signal: null, error})
    })
    // 'exit', then the output read to its end; bounded, since a daemon it left could hold the pipes.
    child.once('exit', (code, signal) => {
      const closed = new Promise<void>((done) => child.once('close', () => done()))
      const bound = new Promise<void>((done) => setTimeout(done, CLOSE_AFTER_EXIT_MS).unref())
      void Promise.race([closed, bound]).then(() => settle({code, signal}))
    })
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
    stdin: child.stdin,
    commandPid: () => (launched ? (firstChild(entry.pid) ?? entry.pid) : entry.pid),
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
      // rd-launch kills what is left of the command after its own grace; give it the time.
      const wait = launched ? Math.max(graceMs, LAUNCHER_GRACE_MS + 1000) : graceMs
      const timer = new Promise<'timeout'>((resolve) => setTimeout(resolve, wait, 'timeout').unref())
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

/**
 * On our own exit: SIGKILL a plain child's group; SIGTERM an rd-launch one, which then stops the
 * command and everything it forked or daemonized (a SIGKILL would leave those to init).
 */
function killAllGroups(): void {
  for (const entry of live) signalGroup(entry.pid, entry.launched ? 'SIGTERM' : 'SIGKILL')
  live.clear()
}

function canRun(command: string, path: string | undefined): boolean {
  if (!command.includes('/')) return findTool(command, path) !== null
  try {
    accessSync(command, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The first child of pid (rd-launch forks the command at once). */
function firstChild(pid: number): number | null {
  try {
    const first = Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0])
    return Number.isInteger(first) && first > 0 ? first : null
  } catch {
    return null
  }
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
