import type {ConnectionRecord} from '../load/types.js'
import type {SocketRecord} from '../probes/types.js'
import {describeOwners, plural} from './describe.js'
import {ownershipOf} from '../probes/socket-evidence.js'

/** The server-side socket of one client connection: local port = target, peer port = client's. */
export function findServerSide(
  client: ConnectionRecord,
  targetPort: number,
  sockets: SocketRecord[],
): SocketRecord | undefined {
  return sockets.find(
    (s) => s.state !== 'LISTEN' && s.local.port === targetPort && s.peer.port === client.localPort,
  )
}

/**
 * One evidence line for a client connection that never got a byte, e.g.
 * "127.0.0.1:41022: never accepted, still in the accept queue (ESTAB, 78 unread bytes)".
 */
export function describeClientSocket(
  client: ConnectionRecord,
  host: string,
  targetPort: number,
  sockets: SocketRecord[],
): string {
  const name = `${host}:${client.localPort ?? '?'}`
  if (!client.connected) return `${name}: never connected${client.error ? ` (${client.error})` : ''}`
  const server = findServerSide(client, targetPort, sockets)
  if (!server) return `${name}: got no byte; the server side is gone (closed without a response)`
  const unread = plural(server.recvQ, 'unread byte')
  if (ownershipOf(server) === 'never-accepted') {
    return server.state === 'CLOSE-WAIT'
      ? `${name}: never accepted; CLOSE-WAIT with ${unread} after the client gave up`
      : `${name}: never accepted, still in the accept queue (${server.state}, ${unread})`
  }
  const by = ownershipOf(server) === 'accepted' ? ` by ${describeOwners(server)}` : ''
  return `${name}: got no byte; server side ${server.state} with ${unread}${by}`
}
