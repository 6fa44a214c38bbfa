import {portSockets} from '../socket-evidence.js'
import type {Snapshot} from '../types.js'
import {readReactor} from './collect-reactor.js'
import type {ReactorReading} from './types.js'

/**
 * The reactor of the processes behind a port: the owners a reading with owners shows, plus any
 * known pids (a server bench started; their descendants come too), kept to those holding one of
 * the port's sockets. null when no process is known (no owners shown, nothing started).
 */
export async function readPortReactor(snapshot: Snapshot, port: number, knownPids: number[] = []): Promise<ReactorReading | null> {
  const sockets = portSockets(snapshot, port)
  const owners = sockets.flatMap((socket) => socket.owners ?? []).map((owner) => owner.pid)
  const pids = [...new Set([...knownPids, ...owners])]
  if (pids.length === 0) return null
  const inodes = new Set(sockets.map((socket) => socket.inode).filter((inode): inode is number => inode !== null && inode > 0))
  return readReactor({pids, inodes})
}

/** Said in place of a cause when no process could be found behind the port. */
export const noOwnerSeen = 'no process could be seen behind the port (ss/netstat showed no owner): run reactor-doctor as root or as the server\'s user'
