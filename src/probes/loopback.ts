import {isIP} from 'node:net'
import {UserError} from '../user-error.js'

/** True for 127.0.0.0/8, ::1 and their v4-mapped forms: the only places load may go. */
export function isLoopback(host: string): boolean {
  const address = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (address === 'localhost') return true
  if (address === '::1' || address === '0:0:0:0:0:0:0:1') return true
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  return isIP(v4) === 4 && v4.startsWith('127.')
}

export function assertLoopback(host: string): void {
  if (!isLoopback(host)) {
    throw new UserError(
      `refusing to send load to ${host}: reactor-doctor only loads loopback addresses (127.0.0.0/8, ::1)`,
      'run reactor-doctor on the server host and point it at 127.0.0.1',
    )
  }
}
