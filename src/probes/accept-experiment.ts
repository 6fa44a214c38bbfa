import net from 'node:net'
import {setTimeout as sleep} from 'node:timers/promises'
import {takeSnapshot, type ResolvedSource} from './index.js'
import {isLoopback} from './loopback.js'
import {acceptQueueOf, listenersOf} from './socket-evidence.js'
import type {Snapshot} from './types.js'

/** What the accept queue did as probe connections arrived, one at a time. */
export type ProbeOutcome =
  /** Unchanged after each: one accept() per new wakeup, which takes the oldest connection. */
  | 'one-accept-per-wakeup'
  /** One longer after each: nothing accepts. */
  | 'not-accepting'
  /** Shorter: the server accepts, slowly. */
  | 'draining'
  /** None of the above (the queue moved both ways). */
  | 'unclear'

export interface AcceptProbe {
  host: string
  port: number
  /** Accept-queue length before the first probe connection, then after each. */
  queueBefore: number
  queueAfter: number[]
  outcome: ProbeOutcome
  /** ms waited after each connection before reading the queue. */
  waitMs: number
  /** Why fewer connections than planned were made (a full queue drops the handshake). */
  stoppedEarly: string | null
}

export interface ProbeOptions {
  host: string
  port: number
  source: ResolvedSource
  connections?: number
  waitMs?: number
}

/**
 * The accept experiment: opens up to 3 connections to a port whose accept queue is not empty,
 * one at a time, reading the queue after each; closes them all afterwards, on every path.
 * Loopback only. Returns null when the queue is empty or the port has no LISTEN row.
 */
export async function runAcceptProbe(options: ProbeOptions): Promise<AcceptProbe | null> {
  if (!isLoopback(options.host)) throw new Error(`accept probe refused: ${options.host} is not a loopback address`)
  const count = options.connections ?? 3
  const waitMs = options.waitMs ?? 100
  const queue = async () => acceptQueueOf(await takeSnapshot({port: options.port, source: options.source, owners: false}), options.port)
  const queueBefore = await queue()
  if (queueBefore === null || queueBefore === 0) return null
  const sockets: net.Socket[] = []
  const queueAfter: number[] = []
  let stoppedEarly: string | null = null
  try {
    for (let i = 0; i < count && stoppedEarly === null; i++) {
      try {
        sockets.push(await connect(options.host, options.port, 2000))
      } catch (error) {
        stoppedEarly = (error as Error).message
        break
      }
      await sleep(waitMs)
      queueAfter.push((await queue()) ?? 0)
    }
  } finally {
    for (const socket of sockets) socket.destroy()
  }
  const outcome = queueAfter.length === 0 ? 'unclear' : classifyProbe(queueBefore, queueAfter)
  return {host: options.host, port: options.port, queueBefore, queueAfter, outcome, waitMs, stoppedEarly}
}

/** Pure: the outcome of a queue series (see ProbeOutcome). */
export function classifyProbe(before: number, after: number[]): ProbeOutcome {
  const series = [before, ...after]
  const steps = series.slice(1).map((value, i) => value - series[i]!)
  if (steps.every((step) => step === 0)) return 'one-accept-per-wakeup'
  if (steps.every((step) => step === 1)) return 'not-accepting'
  if (steps.every((step) => step <= 0)) return 'draining'
  return 'unclear'
}

/** The address to probe a listener at: its own loopback address, or loopback for a wildcard. */
export function probeHost(listenAddress: string): string | null {
  if (listenAddress === '*' || listenAddress === '0.0.0.0') return '127.0.0.1'
  if (listenAddress === '::') return '::1'
  return isLoopback(listenAddress) ? listenAddress : null
}

function connect(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({host, port})
    const fail = (error: Error) => {
      socket.destroy()
      reject(error)
    }
    socket.setTimeout(timeoutMs, () => fail(new Error(`a probe connection got no handshake in ${timeoutMs} ms (a full accept queue drops it)`)))
    socket.once('error', fail)
    socket.once('connect', () => {
      socket.setTimeout(0)
      socket.removeListener('error', fail)
      socket.on('error', () => {})
      resolve(socket)
    })
  })
}

/**
 * The experiment when a reading still shows connections in the accept queue: the probe, or a
 * note saying why none ran (turned off, not loopback, failed). Both null for an empty queue.
 */
export async function probeIfQueued(
  snapshot: Snapshot,
  port: number,
  options: {enabled: boolean; offNote: string; source: ResolvedSource; host?: string},
): Promise<{probe: AcceptProbe | null; note: string | null}> {
  if (!acceptQueueOf(snapshot, port)) return {probe: null, note: null}
  if (!options.enabled) return {probe: null, note: options.offNote}
  const listen = listenersOf(snapshot, port)[0]?.local.address
  const host = (listen === undefined ? null : probeHost(listen)) ?? options.host ?? null
  if (host === null) return {probe: null, note: `no accept experiment: the listener (${listen}) is not on a loopback address`}
  try {
    return {probe: await runAcceptProbe({host, port, source: options.source}), note: null}
  } catch (error) {
    return {probe: null, note: `the accept experiment failed: ${(error as Error).message}`}
  }
}
