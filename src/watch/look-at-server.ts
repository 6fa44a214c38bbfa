import {unseenServer, type ServerView} from '../diagnose/explain-findings.js'
import {probeIfQueued, type AcceptProbe} from '../probes/accept-experiment.js'
import type {ResolvedSource} from '../probes/index.js'
import {noOwnerSeen, readPortReactor} from '../probes/reactor/read-port-reactor.js'
import type {ReactorReading} from '../probes/reactor/types.js'
import type {Snapshot} from '../probes/types.js'

/** What `sockets --port` saw of the server behind the port, for the report and the diagnosis. */
export interface ServerLook {
  reactor: ReactorReading | null
  probe: AcceptProbe | null
  view: ServerView
}

/**
 * Right after a reading with owners: the reactor of the processes holding the port's sockets,
 * then, with --probe and connections still queued, the accept experiment.
 */
export async function lookAtServer(snapshot: Snapshot, port: number, options: {probe: boolean; source: ResolvedSource}): Promise<ServerLook> {
  const reactor = await readPortReactor(snapshot, port)
  const offNote = 'no accept experiment ran: add --probe to open 3 connections, one at a time, and see how the server accepts'
  const {probe, note} = await probeIfQueued(snapshot, port, {enabled: options.probe, offNote, source: options.source})
  const view = reactor ? {reactorAtStall: null, reactorAtEnd: reactor, missing: null, probe, probeNote: note} : {...unseenServer(noOwnerSeen), probe, probeNote: note}
  return {reactor, probe, view}
}

/** For a saved file: the server itself was not there to look at. */
export const savedFileView = (port: number): ServerView =>
  unseenServer(`read from a saved file, so the server's reactor was not seen: run \`reactor-doctor sockets --port ${port} --probe\` on that host, as root or as the server's user, to see the cause`)
