import {isIP} from 'node:net'
import {UserError} from '../user-error.js'

export interface ListenAddress {
  host: string
  /** 0: the kernel picks a free port (the exporter prints the one it got). */
  port: number
}

/**
 * `--metrics-listen`: `HOST:PORT`, `[IPV6]:PORT`, or a bare `PORT` (on 127.0.0.1). Any address
 * may be given (Prometheus scrapes from elsewhere); only the default stays on loopback.
 */
export function parseListenAddress(text: string): ListenAddress {
  const bad = () =>
    new UserError(`--metrics-listen ${JSON.stringify(text)}: expected HOST:PORT, [IPV6]:PORT or PORT`, 'e.g. --metrics-listen 127.0.0.1:9464')
  const match = /^(?:(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)|([A-Za-z0-9.-]+)):)?(\d{1,5})$/.exec(text.trim())
  if (!match) throw bad()
  const [, ipv6, ipv4, name, portText] = match
  const port = Number(portText)
  if (port > 65_535) throw bad()
  const host = ipv6 ?? ipv4 ?? (name === 'localhost' ? '127.0.0.1' : name) ?? '127.0.0.1'
  if (isIP(host) === 0) throw new UserError(`--metrics-listen ${JSON.stringify(text)}: ${JSON.stringify(host)} is not an IP address`, 'give a numeric address, e.g. 127.0.0.1:9464 or 0.0.0.0:9464')
  if (ipv6 !== undefined && isIP(host) !== 6) throw bad()
  return {host, port}
}

/** `127.0.0.1:9464`, `[::1]:9464`. */
export function formatListenAddress(address: ListenAddress): string {
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`
}
