import {setTimeout as sleep} from 'node:timers/promises'
import {listenersOf} from '../diagnose/socket-evidence.js'
import {takeSnapshot, type ResolvedSource} from '../probes/index.js'

const POLL_MS = 25

/** True when something LISTENs on the port now. */
export async function isListening(port: number, source: ResolvedSource): Promise<boolean> {
  const snapshot = await takeSnapshot({port, source, owners: false})
  return listenersOf(snapshot, port).length > 0
}

/**
 * Ready means the port is LISTENing (the kernel's word, not a log line). Resolves true when it
 * is, false when timeoutMs passes or `gone()` says the process has exited.
 */
export async function waitForListen(port: number, source: ResolvedSource, timeoutMs: number, gone: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && !gone()) {
    if (await isListening(port, source)) return true
    await sleep(POLL_MS)
  }
  return false
}
