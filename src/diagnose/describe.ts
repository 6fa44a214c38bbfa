import {formatEndpoint} from '../probes/address.js'
import type {SocketOwner, SocketRecord} from '../probes/types.js'
import {ownershipOf} from '../probes/socket-evidence.js'

/** Evidence lines name at most this many sockets, then say how many more there are. */
export const maxListed = 8

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

/** "name(pid 12, fd 4)" for each owner; "no owner" / "owner unknown" otherwise. */
export function describeOwners(socket: SocketRecord): string {
  if (socket.owners === null || socket.owners.length === 0) {
    if (socket.inode === 0) return 'never accepted (ino 0)'
    return socket.owners === null ? 'owner unknown' : 'never accepted (no owner)'
  }
  return describeOwnerList(socket.owners)
}

export function describeOwnerList(owners: SocketOwner[]): string {
  // Process names may hold spaces, quotes, parentheses and commas: quote those.
  const name = (text: string) => (/^[\w.:/@+-]+$/.test(text) ? text : JSON.stringify(text))
  return owners.map((owner) => `${name(owner.name)}(pid ${owner.pid}${owner.fd === null ? '' : `, fd ${owner.fd}`})`).join(', ')
}

/** "127.0.0.1:41022 -> CLOSE-WAIT, 114 unread bytes, never accepted (ino 0)" */
export function describeSocket(socket: SocketRecord, extra?: string): string {
  const accepted = ownershipOf(socket) === 'accepted'
  // Sampling skips owners; the inode alone still shows the socket was accepted.
  const who = !accepted ? describeOwners(socket) : socket.owners?.length ? `owned by ${describeOwners(socket)}` : `accepted (ino ${socket.inode})`
  const unread = socket.queuesShown === false ? 'unread bytes not shown' : plural(socket.recvQ, 'unread byte')
  const parts = [`${formatEndpoint(socket.peer)} -> ${socket.state}`, unread, extra ?? who]
  return parts.join(', ')
}

/** Lists lines, at most maxListed, with a closing "... and N more". */
export function listSome(lines: string[]): string[] {
  if (lines.length <= maxListed) return lines
  return [...lines.slice(0, maxListed), `... and ${lines.length - maxListed} more`]
}
