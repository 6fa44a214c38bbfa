import {readProcNetFile} from '../probes/proc-net-file.js'
import {parseProcNetTcp} from '../probes/procfs.js'
import {runTool} from '../probes/run-tool.js'
import {parseSs} from '../probes/ss.js'
import type {ResolvedSource} from '../probes/index.js'
import type {Snapshot, SocketRecord} from '../probes/types.js'
import {UserError} from '../user-error.js'
import {endianness} from 'node:os'

/** Which listeners to read: these ports, or (null) every port with a LISTEN socket on the host. */
export type ListenerPorts = readonly number[] | null

/**
 * One reading of several ports at once: a single `ss -tanem` (kernel-side port filter when the
 * ports are given) or one read of /proc/net/tcp and tcp6, however many listeners are watched. The
 * sockets kept are the server side of each port that has a LISTEN row (or is asked for).
 */
export async function readListeners(source: ResolvedSource, ports: ListenerPorts): Promise<Snapshot> {
  const at = Date.now()
  let sockets: SocketRecord[]
  if (source.source === 'ss') {
    const filter = ports === null ? [] : [`( ${ports.map((port) => `sport = :${port}`).join(' or ')} )`]
    sockets = parseSs(await runTool(source.tool!, ['-tanemH', ...filter]), {ownersShown: false})
  } else if (source.source === 'proc') {
    sockets = []
    for (const table of ['tcp', 'tcp6']) {
      const text = await readProcNetFile(`/proc/net/${table}`)
      if (text !== null) sockets.push(...parseProcNetTcp(text, endianness() === 'LE'))
    }
  } else {
    throw new UserError('the exporter reads ss or /proc, not netstat (it reads every watched port at once)', 'use --source ss or --source proc')
  }
  return {at, source: source.source, sockets: keepServerSide(sockets, ports)}
}

/** The sockets whose local port is watched: the ports given, or those with a LISTEN row. */
export function keepServerSide(sockets: SocketRecord[], ports: ListenerPorts): SocketRecord[] {
  const watched = new Set(ports ?? sockets.filter((socket) => socket.state === 'LISTEN').map((socket) => socket.local.port))
  return sockets.filter((socket) => socket.local.port !== null && watched.has(socket.local.port))
}

/**
 * Owner process names of listening sockets by inode, from `ss -tlnpe` (a scan of every process's
 * fds inside ss: done only when a listener with an unknown inode appears). Without root, other
 * users' processes stay unknown. /proc and netstat sources: none (the label stays '').
 */
export async function readListenerOwners(source: ResolvedSource): Promise<Map<number, string>> {
  const names = new Map<number, string>()
  if (source.source !== 'ss') return names
  for (const socket of parseSs(await runTool(source.tool!, ['-tlnpeH']))) {
    if (socket.inode === null || socket.inode === 0 || !socket.owners || socket.owners.length === 0) continue
    names.set(socket.inode, [...new Set(socket.owners.map((owner) => owner.name))].sort().join(','))
  }
  return names
}
