import type {ListenCounters, Snapshot, SocketRecord} from './types.js'

/** What the socket detectors look at: a timeline of one port, oldest snapshot first. */
export interface SocketEvidence {
  port: number
  /** Readings of the port; one for a snapshot or a saved file, many for --watch or a bench. */
  snapshots: Snapshot[]
  /** TcpExt counters around the observed period (whole network namespace). */
  countersBefore?: ListenCounters | null
  countersAfter?: ListenCounters | null
  /** When the load stopped (ms since the epoch): from then on a healthy server drains its queue. */
  loadEndedAt?: number
  /** A socket or queue that stays this long is stuck, not just busy. */
  stuckAfterMs: number
  /** A whole reading taken while the load was stalled, before its clients were closed. */
  stalled?: StalledReading
}

/** The port read while a load was stalled with requests unanswered (bench only). */
export interface StalledReading {
  snapshot: Snapshot
  /** Client ports (the server side's peer ports) whose requests were still unanswered. */
  waitingPorts: number[]
  /** How long no response had come when it was taken. */
  stalledForMs: number
}

/**
 * Accepted ESTAB sockets holding bytes in the stalled reading whose client was waiting for an
 * answer: the request sat unread for the whole stall, whatever the server does once it closes.
 */
export function unreadAtStall(stalled: StalledReading, port: number): SocketRecord[] {
  const waiting = new Set(stalled.waitingPorts)
  return portSockets(stalled.snapshot, port).filter(
    (socket) => socket.state === 'ESTAB' && socket.recvQ > 0 && ownershipOf(socket) === 'accepted' && socket.peer.port !== null && waiting.has(socket.peer.port),
  )
}

export type Ownership = 'never-accepted' | 'accepted' | 'unknown'

/**
 * Server-side sockets of the port (local port = port); clients on the same host are not ours.
 * Ordered by peer port, so evidence lists read in the order the clients connected.
 */
export function portSockets(snapshot: Snapshot, port: number): SocketRecord[] {
  return snapshot.sockets.filter((socket) => socket.local.port === port).sort((a, b) => (a.peer.port ?? 0) - (b.peer.port ?? 0))
}

export function listenersOf(snapshot: Snapshot, port: number): SocketRecord[] {
  return portSockets(snapshot, port).filter((socket) => socket.state === 'LISTEN')
}

/**
 * Accept-queue length summed over the port's listeners (SO_REUSEPORT may give several); null: no
 * LISTEN row. Output without queue columns (ss -Q) still lists the queued connections: ownerless
 * children of the port, counted instead (exact when the source shows owners; see queueHidden).
 */
export function acceptQueueOf(snapshot: Snapshot, port: number): number | null {
  const listeners = listenersOf(snapshot, port)
  if (listeners.length === 0) return null
  if (listeners.some((socket) => socket.queuesShown === false)) {
    return portSockets(snapshot, port).filter((socket) => socket.state !== 'LISTEN' && ownershipOf(socket) === 'never-accepted').length
  }
  return listeners.reduce((sum, socket) => sum + socket.recvQ, 0)
}

/**
 * Why the port's accept queue cannot be read from this snapshot, or null when it can: no Recv-Q
 * column and the queued connections cannot be told (no owners), or lsof, which lists only
 * sockets that have a file (a queued connection has none).
 */
export function queueHidden(snapshot: Snapshot, port: number): string | null {
  const listeners = listenersOf(snapshot, port)
  if (!listeners.some((socket) => socket.queuesShown === false)) return null
  if (snapshot.source === 'lsof') {
    return 'lsof shows no queue sizes without -T q and never lists connections still in the accept queue (they have no file): the accept queue length cannot be judged; save `ss -tanpe` or `lsof -nP -iTCP -T qs`'
  }
  const unknown = portSockets(snapshot, port).some((socket) => socket.state !== 'LISTEN' && ownershipOf(socket) === 'unknown')
  return unknown
    ? `no Recv-Q/Send-Q columns (${snapshot.source} -Q) and no owners shown: the accept queue length cannot be judged; save \`ss -tanpe\` as root`
    : null
}

/** Backlog limit: only ss shows it (Send-Q of LISTEN); netstat and /proc print 0 there. */
export function backlogOf(snapshot: Snapshot, port: number): number | null {
  const listeners = listenersOf(snapshot, port)
  if (snapshot.source !== 'ss' || listeners.length === 0 || listeners.some((socket) => socket.queuesShown === false)) return null
  return listeners.reduce((sum, socket) => sum + socket.sendQ, 0)
}

/**
 * Whether the application ever accepted a connection. A queued connection has no file, so
 * inode 0 and no owner; once accepted it has an inode and an owning process.
 */
export function ownershipOf(socket: SocketRecord): Ownership {
  if (socket.inode === 0 || (socket.owners !== null && socket.owners.length === 0 && socket.inode === null)) return 'never-accepted'
  if ((socket.owners !== null && socket.owners.length > 0) || (socket.inode !== null && socket.inode > 0)) return 'accepted'
  return 'unknown'
}

/** Snapshots from the end of the load on (all of them when the load end is unknown or later). */
export function settledSnapshots(evidence: SocketEvidence): Snapshot[] {
  const {loadEndedAt, snapshots} = evidence
  if (loadEndedAt === undefined) return snapshots
  const after = snapshots.filter((snapshot) => snapshot.at >= loadEndedAt)
  return after.length > 0 ? after : snapshots.slice(-1)
}

export function pairKey(socket: SocketRecord): string {
  return `${socket.local.address}:${socket.local.port}|${socket.peer.address}:${socket.peer.port}`
}

/** ESTAB and CLOSE-WAIT counts of the port's server side: the two a timeline charts. */
export function countConnections(snapshot: Snapshot, port: number): {estab: number; closeWait: number} {
  const sockets = portSockets(snapshot, port)
  return {
    estab: sockets.filter((socket) => socket.state === 'ESTAB').length,
    closeWait: sockets.filter((socket) => socket.state === 'CLOSE-WAIT').length,
  }
}

/** The port's socket inodes, listeners apart from connections (0 and unknown left out). */
export function portInodes(snapshot: Snapshot, port: number): {listeners: number[]; connections: number[]} {
  const known = (sockets: SocketRecord[]) => sockets.map((s) => s.inode).filter((inode): inode is number => inode !== null && inode > 0)
  const sockets = portSockets(snapshot, port)
  return {listeners: known(sockets.filter((s) => s.state === 'LISTEN')), connections: known(sockets.filter((s) => s.state !== 'LISTEN'))}
}
