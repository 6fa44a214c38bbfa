/**
 * The `sockets` command's result: plain JSON-safe data, so `--json` is JSON.stringify of it.
 * Documented shape (README "sockets --json"); add fields, never rename.
 */
import {formatEndpoint} from '../probes/address.js'
import type {Snapshot, SnapshotSource, SocketOwner, SocketRecord, TcpState} from '../probes/types.js'
import type {Verdict} from '../diagnose/types.js'
import {acceptQueueOf, backlogOf, listenersOf, ownershipOf, portInodes, portSockets, type Ownership} from '../probes/socket-evidence.js'
import {exitCodeFor} from '../exit-codes.js'
import type {WatchView} from '../watch/watch-summary.js'
import type {AcceptProbe} from '../probes/accept-experiment.js'
import type {ReactorReading} from '../probes/reactor/types.js'

export interface SocketsReport {
  /** snapshot: one live reading; watch: --watch; file: saved output read with --file. */
  mode: 'snapshot' | 'watch' | 'file'
  port: number
  /** Which tool the data came from. */
  source: SnapshotSource
  /** How the source was chosen, e.g. "ss and netstat not found on PATH: read /proc/net/tcp ...". */
  sourceNote: string
  /** --file path ('-' for stdin); null for live readings. */
  file: string | null
  /** The last reading. */
  snapshot: SnapshotView
  /** --watch only: one entry per sample, and the summary. */
  watch: WatchView | null
  verdict: Verdict
  /** The server behind the port (live readings): its reactor from /proc and the accept experiment; null for --file. */
  server: {reactor: ReactorReading | null; probe: AcceptProbe | null; inodes: {listeners: number[]; connections: number[]}} | null
  /** 0 healthy, 1 findings, 3 inconclusive (2, usage or tool error, prints no report). */
  exitCode: number
}

export interface SnapshotView {
  /** ISO time of the reading. */
  at: string
  listeners: ListenerView[]
  /** Server-side sockets of the port (local port = port) by state, LISTEN included. */
  counts: Partial<Record<TcpState, number>>
  /** Accept-queue length over all listeners; null when there is no LISTEN row. */
  acceptQueue: number | null
  /** Backlog limit: ss only, null for netstat and /proc. */
  backlog: number | null
  /** The sockets worth a look, each with why. */
  rows: RowView[]
}

export interface ListenerView {
  /** "127.0.0.1:1022", "[::]:1022", "127.0.0.1%lo:1022" */
  address: string
  /** Connections waiting in this listener's accept queue (Recv-Q); 0 when queueShown is false. */
  queue: number
  /** false: the source printed no Recv-Q for it (ss -Q, lsof without -T q). */
  queueShown: boolean
  /** Backlog limit (ss Send-Q); null when the source does not show it. */
  backlog: number | null
  /** null: the source could not tell. */
  owners: SocketOwner[] | null
  /** Drops counted on this listener (ss -m skmem d); null when not read. */
  drops: number | null
}

export type RowReason = 'never-accepted' | 'accepted-close-wait' | 'unread-bytes' | 'owner-unknown'

export interface RowView {
  reason: RowReason
  state: TcpState
  local: string
  peer: string
  recvQ: number
  sendQ: number
  /** false: the source printed no Recv-Q/Send-Q (recvQ and sendQ are then 0). */
  queuesShown: boolean
  ownership: Ownership
  owners: SocketOwner[] | null
  /** 0: still in the accept queue; null: not shown by the source. */
  inode: number | null
}

export function buildSocketsReport(input: {
  mode: SocketsReport['mode']
  port: number
  sourceNote: string
  file: string | null
  snapshots: Snapshot[]
  watch: WatchView | null
  verdict: Verdict
  server?: {reactor: ReactorReading | null; probe: AcceptProbe | null}
}): SocketsReport {
  const last = input.snapshots.at(-1)!
  return {
    mode: input.mode,
    port: input.port,
    source: last.source,
    sourceNote: input.sourceNote,
    file: input.file,
    snapshot: viewSnapshot(last, input.port),
    watch: input.watch,
    verdict: input.verdict,
    server: input.server ? {reactor: input.server.reactor, probe: input.server.probe, inodes: portInodes(last, input.port)} : null,
    exitCode: exitCodeFor(input.verdict.status),
  }
}

export function viewSnapshot(snapshot: Snapshot, port: number): SnapshotView {
  const sockets = portSockets(snapshot, port)
  const counts: Partial<Record<TcpState, number>> = {}
  for (const socket of sockets) counts[socket.state] = (counts[socket.state] ?? 0) + 1
  const showsBacklog = snapshot.source === 'ss'
  return {
    at: new Date(snapshot.at).toISOString(),
    listeners: listenersOf(snapshot, port).map((listener) => ({
      address: formatEndpoint(listener.local),
      queue: listener.recvQ,
      queueShown: listener.queuesShown !== false,
      backlog: showsBacklog && listener.queuesShown !== false ? listener.sendQ : null,
      owners: listener.owners,
      drops: listener.drops ?? null,
    })),
    counts,
    acceptQueue: acceptQueueOf(snapshot, port),
    backlog: backlogOf(snapshot, port),
    rows: sockets.flatMap((socket) => {
      const reason = rowReason(socket)
      return reason ? [viewRow(socket, reason)] : []
    }),
  }
}

/** Which rows matter: never accepted, owned CLOSE-WAIT, bytes waiting, or unknown owner. */
function rowReason(socket: SocketRecord): RowReason | null {
  if (socket.state !== 'ESTAB' && socket.state !== 'CLOSE-WAIT') return null
  const ownership = ownershipOf(socket)
  if (ownership === 'never-accepted') return 'never-accepted'
  if (ownership === 'accepted' && socket.state === 'CLOSE-WAIT') return 'accepted-close-wait'
  if (socket.recvQ > 0) return ownership === 'unknown' ? 'owner-unknown' : 'unread-bytes'
  return ownership === 'unknown' && socket.state === 'CLOSE-WAIT' ? 'owner-unknown' : null
}

function viewRow(socket: SocketRecord, reason: RowReason): RowView {
  return {
    reason,
    state: socket.state,
    local: formatEndpoint(socket.local),
    peer: formatEndpoint(socket.peer),
    recvQ: socket.recvQ,
    sendQ: socket.sendQ,
    queuesShown: socket.queuesShown !== false,
    ownership: ownershipOf(socket),
    owners: socket.owners,
    inode: socket.inode,
  }
}
