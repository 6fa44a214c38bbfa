import {formatEndpoint} from '../probes/address.js'
import type {SocketRecord} from '../probes/types.js'

/**
 * Whether a client connecting to `host` reaches a socket listening on `address`: the same
 * address, a wildcard of its family ("*" and "::" may take both: ss prints a dual-stack listener
 * as "*", and "::" takes IPv4 unless IPV6_V6ONLY is set, which no reading shows), or the
 * v4-mapped form of an IPv4 host.
 */
export function reaches(host: string, address: string): boolean {
  const lower = address.toLowerCase()
  if (lower === host.toLowerCase() || lower === '*' || lower === '::') return true
  if (host.includes(':')) return false
  return lower === '0.0.0.0' || lower === `::ffff:${host}`
}

/**
 * Where the port's listeners are when none takes connections to `host` (the load would only be
 * refused while the port looks open): their endpoints, and the address of the first. Null when
 * one of them does, or when there is none to judge.
 */
export function unreachableListeners(listeners: SocketRecord[], host: string): {where: string; address: string} | null {
  if (listeners.length === 0 || listeners.some((listener) => reaches(host, listener.local.address))) return null
  return {where: listeners.map((listener) => formatEndpoint(listener.local)).join(', '), address: listeners[0]!.local.address}
}
