import {acceptQueueOf, backlogOf, countConnections} from '../probes/socket-evidence.js'
import type {Snapshot} from '../probes/types.js'
import type {TimelinePoint} from './types.js'

/** Reduce one snapshot of the target port to the few numbers the timeline charts. */
export function toTimelinePoint(snapshot: Snapshot, port: number, startedAt: number, completed: number, afterLoad: boolean): TimelinePoint {
  return {
    atMs: snapshot.at - startedAt,
    acceptQueue: acceptQueueOf(snapshot, port),
    backlog: backlogOf(snapshot, port),
    ...countConnections(snapshot, port),
    completed,
    afterLoad,
  }
}

/** Samples from /proc carry no backlog limit; fill it in from a reading that had one (ss). */
export function fillBacklog(timeline: TimelinePoint[], backlog: number | null): TimelinePoint[] {
  return backlog === null ? timeline : timeline.map((point) => ({...point, backlog: point.backlog ?? backlog}))
}

/** The timeline with whole readings taken after the load added in time order. */
export function addReadings(timeline: TimelinePoint[], readings: Snapshot[], port: number, startedAt: number, completed: number): TimelinePoint[] {
  const points = readings.map((reading) => toTimelinePoint(reading, port, startedAt, completed, true))
  return [...timeline, ...points].sort((a, b) => a.atMs - b.atMs)
}
