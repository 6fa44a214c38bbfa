import {isIP} from 'node:net'
import {UserError} from '../user-error.js'

/**
 * One spelling for an address a user typed, as a URL parser reads it: IPv4 shorthands (127.1,
 * 0x7f000001) become dotted quads, IPv6 loses its brackets and is compressed, a v4-mapped
 * address (::ffff:127.0.0.1) becomes its IPv4 address, localhost becomes 127.0.0.1. Anything
 * the parser refuses comes back as typed, and is then refused as not loopback.
 */
export function normalizeAddress(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '')
  let parsed: string
  try {
    parsed = new URL(`http://${bare.includes(':') ? `[${bare}]` : bare}`).hostname.replace(/^\[|\]$/g, '')
  } catch {
    return bare
  }
  if (parsed === 'localhost') return '127.0.0.1'
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(parsed)
  if (mapped) {
    const high = Number.parseInt(mapped[1]!, 16)
    const low = Number.parseInt(mapped[2]!, 16)
    return [high >> 8, high & 255, low >> 8, low & 255].join('.')
  }
  return parsed
}

/** True for 127.0.0.0/8, ::1 and their other spellings: the only places load may go. */
export function isLoopback(host: string): boolean {
  const address = normalizeAddress(host)
  return address === '::1' || (isIP(address) === 4 && address.startsWith('127.'))
}

export function assertLoopback(host: string): void {
  if (!isLoopback(host)) {
    throw new UserError(
      `refusing to send load to ${host}: reactor-doctor only loads loopback addresses (127.0.0.0/8, ::1)`,
      'run reactor-doctor on the server host and point it at 127.0.0.1',
    )
  }
}
