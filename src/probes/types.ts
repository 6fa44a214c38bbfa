/** The kernel's view of one TCP socket, whichever tool reported it. */

export type TcpState =
  | 'ESTAB'
  | 'SYN-SENT'
  | 'SYN-RECV'
  | 'FIN-WAIT-1'
  | 'FIN-WAIT-2'
  | 'TIME-WAIT'
  | 'CLOSE'
  | 'CLOSE-WAIT'
  | 'LAST-ACK'
  | 'LISTEN'
  | 'CLOSING'
  | 'NEW-SYN-RECV'
  | 'UNKNOWN'

export interface Endpoint {
  /** IPv4 dotted quad, IPv6 without brackets, or '*' for a wildcard. */
  address: string
  /** null for '*' ports. */
  port: number | null
  /** The `%dev` scope of a link-local or bound address, when shown. */
  scope?: string
  /** netstat's narrow mode cuts long addresses; we report that instead of guessing. */
  truncated?: boolean
  /** The service name printed for the port (output without -n); port is null when it is not in /etc/services. */
  portName?: string
}

export interface SocketOwner {
  name: string
  pid: number
  fd: number | null
}

export interface SocketRecord {
  state: TcpState
  /** LISTEN: accept-queue length. Others: bytes received and not yet read (a FIN counts one). */
  recvQ: number
  /** LISTEN (ss only): backlog limit. Others: bytes sent and not yet acknowledged. */
  sendQ: number
  local: Endpoint
  peer: Endpoint
  /** null: the source could not tell (no -p, no permission). []: known to have no owner. */
  owners: SocketOwner[] | null
  /** 0 means no file refers to it: a connection still in the accept queue. null: unknown. */
  inode: number | null
  uid?: number
  /** Per-listener drops from `ss -m` (skmem d). */
  drops?: number
  /** false: the source printed no Recv-Q/Send-Q (ss -Q, lsof without -T q); recvQ and sendQ are then 0 and mean nothing. */
  queuesShown?: false
}

export type SourceName = 'ss' | 'netstat' | 'proc'

/** Where a reading came from: a live source, or saved output of one of them or of lsof. */
export type SnapshotSource = SourceName | 'lsof'

/** One reading of a port's sockets. */
export interface Snapshot {
  /** Milliseconds since the epoch. */
  at: number
  source: SnapshotSource
  sockets: SocketRecord[]
}

/** Listen-queue counters of the network namespace (TcpExt in /proc/net/netstat). */
export interface ListenCounters {
  listenOverflows: number
  listenDrops: number
}
