/** Load engines take LoadOptions and return a plain, JSON-safe LoadResult. */

export type EngineName = 'native' | 'ab' | 'autocannon'

export interface LoadOptions {
  /** Loopback only: 127.0.0.0/8 or ::1 (checked by assertLoopback before any load starts). */
  host: string
  port: number
  path: string
  /** Total requests (ab's -n). The autocannon engine may use durationMs instead. */
  requests?: number
  durationMs?: number
  concurrency: number
  keepAlive: boolean
  /** Stop when no response arrived for this long while requests are outstanding. */
  stallMs: number
  /** Hard bound on the whole run. */
  timeoutMs: number
  /** Request body size in bytes: above 0, each request is a POST with that many bytes (ab -p). */
  bodyBytes?: number
  /** Per-request timeout (autocannon only; ab has none, like ab itself). */
  requestTimeoutMs?: number
  /**
   * Connection bursts in one run (ab engine, keep-alive; default 1): the requests are divided
   * over the waves, and after each wave the c connections close and c new ones connect at once.
   */
  waves?: number
  /** What is sent and what answers it (default HTTP). */
  protocol?: LoadProtocol
  signal?: AbortSignal
}

/**
 * The protocol a load speaks. http: the request of buildRequest, answers parsed as HTTP/1.x.
 * echo: each request is payloadBytes bytes, answered by the same bytes. raw: each request is
 * `send`, answered by exactly `expect` (a line protocol: PING\r\n / +PONG\r\n).
 */
export type LoadProtocol = {kind: 'http'} | {kind: 'echo'; payloadBytes: number} | {kind: 'raw'; send: Buffer; expect: Buffer}

export type ProtocolName = LoadProtocol['kind']

/** What happened on one client connection, matched later to server-side sockets by localPort. */
export interface ConnectionRecord {
  id: number
  /** The wave (connection burst) it belongs to, from 1 (absent: 1). */
  wave?: number
  /** The client's ephemeral port: the peer port the server side sees. null if never connected. */
  localPort: number | null
  connected: boolean
  /** ms from the start of the run until connect completed. */
  connectedAtMs: number | null
  /** ms from the start of the run until the first response byte. null: never got a byte. */
  firstByteAtMs: number | null
  requestsSent: number
  responses: number
  bytesSent: number
  bytesReceived: number
  /** Socket error code (ECONNRESET, ...) if the connection failed. */
  error: string | null
  /** The server closed the connection (EOF from the server side). */
  closedByServer: boolean
}

export interface LatencySummary {
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
}

export type LoadEnd = 'completed' | 'stalled' | 'timeout' | 'aborted' | 'duration'

export interface LoadResult {
  engine: EngineName
  url: string
  concurrency: number
  keepAlive: boolean
  /** Requests asked for (null for a duration run). */
  requested: number | null
  sent: number
  completed: number
  /** Responses with a status other than 2xx. */
  non2xx: number
  /** Connection-level errors (resets, refused). */
  errors: number
  /** Connections the engine opened to replace timed-out ones (autocannon). */
  reconnects: number
  end: LoadEnd
  /** When end is 'stalled': ms without a response before the engine gave up. */
  stallMs: number | null
  startedAt: number
  durationMs: number
  requestsPerSecond: number
  latencyMs: LatencySummary | null
  /** Cumulative responses, sampled about every 50 ms: for charts. */
  progress: Array<{atMs: number; completed: number}>
  connections: ConnectionRecord[]
  /** Bytes of one request (ab engine): a never-read request shows as Recv-Q requestBytes + 1 in CLOSE-WAIT. */
  requestBytes?: number
  /** Requests that hit requestTimeoutMs (autocannon); each one made it open a new connection. */
  timeouts?: number
  /** Connection bursts asked for, and how many started (a wave that loses connections stalls the run). */
  waves?: {requested: number; started: number}
}

/** Optional callbacks while a load runs (progress bars). */
export interface LoadHooks {
  /** Called about every 50 ms with cumulative responses and requests written. */
  onProgress?: (completed: number, sent: number) => void
  /**
   * Called once when the load stalls or hits its time limit with requests outstanding, before
   * the client connections are closed; the run ends when it settles (errors are ignored).
   */
  onStalled?: () => Promise<void>
}
