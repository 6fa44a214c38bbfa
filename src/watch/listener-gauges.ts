import {ownershipOf, pairKey} from '../probes/socket-evidence.js'
import type {Snapshot, SocketRecord} from '../probes/types.js'
import type {FindingKind} from '../diagnose/types.js'

/**
 * The per-listener figures `sockets --watch --textfile/--metrics-listen` exports. A listener is
 * one (port, local address) pair: a port may have an IPv4 and an IPv6 listener, or several
 * SO_REUSEPORT sockets on one address (summed). Labels never hold a client's address or port, so
 * the series count is bounded by the host's listeners, not its connections.
 */
export interface ListenerFigures {
  port: number
  /** The listener's local address as ss prints it: 0.0.0.0, ::, 127.0.0.1, * ... */
  address: string
  /** Owner process names of the listening socket(s), sorted and joined by ','; '' when unknown. */
  process: string
  /** Connections in the accept queue now (LISTEN Recv-Q). */
  acceptQueue: number
  /** The backlog limit (LISTEN Send-Q); null where the source does not show it (netstat, /proc). */
  backlog: number | null
  /** ESTAB or CLOSE-WAIT sockets no file refers to: in the accept queue, never accepted. */
  neverAccepted: number
  closeWait: number
  /** CLOSE-WAIT sockets seen for at least stuck-after. */
  stuckCloseWait: number
  /** Seconds since the oldest CLOSE-WAIT socket still there was first seen; 0 with none. */
  oldestCloseWaitSeconds: number
  /** Never-accepted CLOSE-WAIT sockets with unread bytes (Recv-Q > 1, the FIN counts one): a client sent a request, waited, gave up. */
  ownerlessCloseWaitUnread: number
  /** Drops counted by the listening socket(s) (ss -m skmem d); null where not shown. */
  drops: number | null
  /** Finding kinds the diagnosis of this listener's recent readings reports. */
  findings: FindingKind[]
}

/** `port|address`: the key of one listener. */
export function listenerKey(port: number, address: string): string {
  return `${port}|${address}`
}

/**
 * Splits one reading into per-listener readings: each holds the listener's LISTEN row(s) and the
 * server-side sockets of its port that belong to it (see ownerAddress). Ports without a LISTEN
 * row are left out: connections whose listener has gone are nobody's queue.
 */
export function splitByListener(snapshot: Snapshot): Map<string, Snapshot> {
  const addressesOfPort = new Map<number, string[]>()
  for (const socket of snapshot.sockets) {
    if (socket.state !== 'LISTEN' || socket.local.port === null) continue
    const list = addressesOfPort.get(socket.local.port) ?? []
    if (!list.includes(socket.local.address)) list.push(socket.local.address)
    addressesOfPort.set(socket.local.port, list)
  }
  const slices = new Map<string, Snapshot>()
  for (const [port, addresses] of addressesOfPort) {
    for (const address of addresses) slices.set(listenerKey(port, address), {at: snapshot.at, source: snapshot.source, sockets: []})
  }
  for (const socket of snapshot.sockets) {
    const port = socket.local.port
    const addresses = port === null ? undefined : addressesOfPort.get(port)
    if (addresses === undefined) continue
    const address = socket.state === 'LISTEN' ? socket.local.address : ownerAddress(socket.local.address, addresses)
    if (address !== null) slices.get(listenerKey(port!, address))!.sockets.push(socket)
  }
  return slices
}

/**
 * Which listener a connection with this local address came through: the listener bound to that
 * very address, else the wildcard of its family (0.0.0.0 for IPv4; :: or * also take IPv4 on a
 * dual-stack socket, where ss shows the connection as ::ffff:a.b.c.d), else null.
 */
export function ownerAddress(local: string, listeners: readonly string[]): string | null {
  if (listeners.includes(local)) return local
  const ipv4 = !local.includes(':')
  const mapped = local.startsWith('::ffff:') && local.includes('.')
  const candidates = ipv4 ? ['0.0.0.0', '*', '::'] : mapped ? ['::', '*', local.slice(7), '0.0.0.0'] : ['::', '*']
  return candidates.find((candidate) => listeners.includes(candidate)) ?? null
}

/**
 * Follows CLOSE-WAIT sockets across readings: when each was first seen. Keyed by address pair;
 * a socket gone from a reading is forgotten, so the map holds only what is there now.
 */
export function followCloseWait(firstSeen: ReadonlyMap<string, number>, snapshot: Snapshot): Map<string, number> {
  const next = new Map<string, number>()
  for (const socket of snapshot.sockets) {
    if (socket.state !== 'CLOSE-WAIT') continue
    const key = pairKey(socket)
    next.set(key, firstSeen.get(key) ?? snapshot.at)
  }
  return next
}

export interface FiguresInput {
  port: number
  address: string
  /** This listener's reading (from splitByListener). */
  snapshot: Snapshot
  /** When each CLOSE-WAIT socket of the listener was first seen (followCloseWait). */
  closeWaitFirstSeen: ReadonlyMap<string, number>
  stuckAfterMs: number
  process: string
  findings: FindingKind[]
}

/** The figures of one listener from its latest reading and what is followed over time. */
export function listenerFigures(input: FiguresInput): ListenerFigures {
  const {snapshot, closeWaitFirstSeen, stuckAfterMs} = input
  const listeners = snapshot.sockets.filter((socket) => socket.state === 'LISTEN')
  const connections = snapshot.sockets.filter((socket) => socket.state !== 'LISTEN')
  const closeWait = connections.filter((socket) => socket.state === 'CLOSE-WAIT')
  const ages = closeWait.map((socket) => snapshot.at - (closeWaitFirstSeen.get(pairKey(socket)) ?? snapshot.at))
  const neverAccepted = (socket: SocketRecord) => ownershipOf(socket) === 'never-accepted'
  const drops = listeners.map((socket) => socket.drops)
  return {
    port: input.port,
    address: input.address,
    process: input.process,
    acceptQueue: sum(listeners.map((socket) => socket.recvQ)),
    backlog: snapshot.source === 'ss' ? sum(listeners.map((socket) => socket.sendQ)) : null,
    neverAccepted: connections.filter((socket) => (socket.state === 'ESTAB' || socket.state === 'CLOSE-WAIT') && neverAccepted(socket)).length,
    closeWait: closeWait.length,
    stuckCloseWait: ages.filter((age) => age >= stuckAfterMs).length,
    oldestCloseWaitSeconds: ages.length === 0 ? 0 : Math.max(...ages) / 1000,
    // Recv-Q counts the FIN as one byte: more than 1 is request bytes never read.
    ownerlessCloseWaitUnread: closeWait.filter((socket) => neverAccepted(socket) && socket.recvQ > 1).length,
    drops: drops.length > 0 && drops.every((value) => value !== undefined) ? sum(drops as number[]) : null,
    findings: input.findings,
  }
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0)
}
