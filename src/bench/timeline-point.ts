import type {Snapshot} from '../probes/types.js'
import type {TimelinePoint} from './types.js'

/** Reduce one snapshot of the target port to the few numbers the timeline charts. */
export function toTimelinePoint(snapshot: Snapshot, startedAt: number, completed: number, afterLoad: boolean): TimelinePoint {
  let acceptQueue: number | null = null
  let backlog: number | null = null
  let estab = 0
  let closeWait = 0
  for (const socket of snapshot.sockets) {
    if (socket.state === 'LISTEN') {
      acceptQueue = (acceptQueue ?? 0) + socket.recvQ
      // netstat and /proc report Send-Q 0 on listeners: no backlog known.
      if (snapshot.source === 'ss') backlog = (backlog ?? 0) + socket.sendQ
    } else if (socket.state === 'ESTAB') {
      estab++
    } else if (socket.state === 'CLOSE-WAIT') {
      closeWait++
    }
  }
  return {atMs: snapshot.at - startedAt, acceptQueue, backlog, estab, closeWait, completed, afterLoad}
}
