import type {TargetInfo} from '../targets/types.js'
import type {LoadResult} from '../load/types.js'
import type {ServerStats} from '../targets/reference-server.js'
import type {SocketEvidence} from '../probes/socket-evidence.js'
import type {Verdict} from './types.js'
import {diagnose} from './verdict.js'
import type {ServerView} from './explain-findings.js'

export interface BenchEvidence {
  target: TargetInfo
  load: LoadResult
  /** Readings with owners after the load: [right after, after the settle]; the stalled one beside. */
  evidence: SocketEvidence
  /** What was seen of the server: its reactor, the accept experiment. */
  server: ServerView
  serverStats: ServerStats | null
  /** How the server ended if it exited before we stopped it. */
  exitedEarly: string | null
}

/**
 * The bench's diagnosis: the same detectors as any reading, with the client's view of the run
 * (connections that never got a byte, a stalled load, the server's exit and own counters).
 */
export function diagnoseBench(input: BenchEvidence): Verdict {
  const {load, evidence, serverStats, target, exitedEarly} = input
  return diagnose({...evidence, bench: {target, load, serverStats, exitedEarly}}, input.server, {
    gaps: findLoadGaps(load),
    caveats: findModeCaveats(target, load),
  })
}

/** The reference server's read() takes up to 16 KiB (RS_INBUF in reference-server/conn.c). */
const REFERENCE_READ_BYTES = 16 * 1024

/**
 * An edge-triggered server that reads once per wakeup leaves data unread only when a request is
 * larger than one read(); with smaller requests a healthy verdict says nothing about that bug.
 */
function findModeCaveats(target: TargetInfo, load: LoadResult): string[] {
  const mode = target.mode
  if (mode === null || mode.trigger !== 'et' || mode.read !== 'once' || load.requestBytes === undefined) return []
  if (load.requestBytes > REFERENCE_READ_BYTES) return []
  return [
    `--read once leaves data unread only when a request is larger than one read() (16 KiB in the reference server); ` +
      `these requests were ${load.requestBytes} bytes: add --body-size 65536 to show it`,
  ]
}

/**
 * A load that reached nobody cannot say the server is healthy; nor can one whose every answer
 * was wrong (a server that speaks another protocol than --protocol).
 */
function findLoadGaps(load: LoadResult): string[] {
  if (!load.connections.some((c) => c.connected)) {
    const errors = [...new Set(load.connections.map((c) => c.error).filter(Boolean))].join(', ')
    return [`no client connection was established${errors ? ` (${errors})` : ''}: nothing to judge`]
  }
  const badAnswer = load.connections.find((c) => c.error?.startsWith('bad response'))?.error
  if (load.completed === 0 && badAnswer !== undefined) {
    return [`no request got the answer expected (${badAnswer}): nothing to judge; does the server speak what --protocol says?`]
  }
  return []
}
