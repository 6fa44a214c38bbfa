import {setTimeout as sleep} from 'node:timers/promises'
import {listenersOf} from '../probes/socket-evidence.js'
import {takeSnapshot, type ResolvedSource} from '../probes/index.js'
import type {SocketRecord} from '../probes/types.js'

const POLL_MS = 25

/** The port's LISTEN sockets now; none when nothing listens there. */
export async function listenersNow(port: number, source: ResolvedSource): Promise<SocketRecord[]> {
  return listenersOf(await takeSnapshot({port, source, owners: false}), port)
}

/** True when something LISTENs on the port now. */
export async function isListening(port: number, source: ResolvedSource): Promise<boolean> {
  return (await listenersNow(port, source)).length > 0
}

/**
 * Ready means the port is LISTENing (the kernel's word, not a log line). Resolves with its
 * listeners once it is; with none when timeoutMs passes or `gone()` says the process has exited.
 */
export async function waitForListen(port: number, source: ResolvedSource, timeoutMs: number, gone: () => boolean): Promise<SocketRecord[]> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && !gone()) {
    const listeners = await listenersNow(port, source)
    if (listeners.length > 0) return listeners
    await sleep(POLL_MS)
  }
  return []
}
