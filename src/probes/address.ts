import type {ServiceNames} from './services.js'
import type {Endpoint} from './types.js'

/**
 * Reads `addr:port` as ss and netstat print it: `127.0.0.1:22`, `[::1]:22`, `::1:22` (old ss and
 * netstat print IPv6 without brackets), `[fe80::1]%eth0:22`, `127.0.0.1%lo:22`, `*:*`, `:::*`.
 * Without -n they print names: a host name is kept as given (`localhost`), a service name
 * (`http-alt`) is resolved with `services`; one not found there keeps `portName` and port null.
 * Returns null when the text is not an endpoint.
 */
export function parseEndpoint(text: string, services?: ServiceNames): Endpoint | null {
  const colon = text.lastIndexOf(':')
  if (colon <= 0) return null
  const portText = text.slice(colon + 1)
  let host = text.slice(0, colon)
  let port: number | null
  let portName: string | undefined
  if (portText === '*') port = null
  else if (/^\d{1,5}$/.test(portText) && Number(portText) <= 65_535) port = Number(portText)
  else if (/^[A-Za-z][\w.+-]*$/.test(portText)) {
    portName = portText
    port = services?.get(portText) ?? null
  } else return null

  let scope: string | undefined
  // `[fe80::1%eth0]:22`: the scope inside the brackets, as some versions print it.
  if (host.startsWith('[') && host.endsWith(']') && host.includes('%')) host = host.slice(1, -1)
  const percent = host.indexOf('%')
  if (percent >= 0) {
    scope = host.slice(percent + 1)
    host = host.slice(0, percent)
    if (scope === '') return null
  }
  if (host.startsWith('[')) {
    if (!host.endsWith(']')) return null
    host = host.slice(1, -1)
  }
  if (!isAddress(host) && !isHostName(host)) return null
  const endpoint: Endpoint = {address: host.includes(':') ? host.toLowerCase() : host, port}
  if (scope !== undefined) endpoint.scope = scope
  if (portName !== undefined) endpoint.portName = portName
  return endpoint
}

/** A host name as a resolver prints it (ss -r, netstat and lsof without -n), possibly cut short. */
function isHostName(host: string): boolean {
  return /^[A-Za-z0-9_][\w.-]*$/.test(host) && /[A-Za-z]/.test(host)
}

function isAddress(host: string): boolean {
  if (host === '*') return true
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return true
  // IPv6, possibly with an embedded dotted quad (::ffff:127.0.0.1).
  return /^[0-9a-fA-F:]*(\d{1,3}(\.\d{1,3}){3})?$/.test(host) && host.includes(':')
}

/** Prints an endpoint the way modern ss does: brackets around IPv6, `%dev` after them. */
export function formatEndpoint(endpoint: Endpoint): string {
  const host = endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address
  const scope = endpoint.scope === undefined ? '' : `%${endpoint.scope}`
  return `${host}${scope}:${endpoint.port ?? endpoint.portName ?? '*'}`
}

/**
 * Formats 16 bytes as inet_ntop does (RFC 5952 plus glibc's dotted quad for ::ffff:a.b.c.d and
 * ::a.b.c.d), so /proc addresses compare equal to what ss and netstat print.
 */
export function formatIpv6(bytes: Uint8Array): string {
  const words: number[] = []
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!)
  let bestStart = -1
  let bestLength = 0
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && words[j] === 0) j++
    if (j - i > bestLength && j - i > 1) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const dotted = `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`
  if (bestStart === 0 && (bestLength === 6 || (bestLength === 5 && words[5] === 0xffff))) {
    return bestLength === 6 ? `::${dotted}` : `::ffff:${dotted}`
  }
  const hex = words.map((word) => word.toString(16))
  if (bestStart < 0) return hex.join(':')
  const head = hex.slice(0, bestStart).join(':')
  const tail = hex.slice(bestStart + bestLength).join(':')
  return `${head}::${tail}`
}
