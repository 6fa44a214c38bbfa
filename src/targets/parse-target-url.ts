import {assertLoopback, normalizeAddress} from '../probes/loopback.js'
import {UserError} from '../user-error.js'

export interface TargetAddress {
  host: string
  port: number
  path: string
}

/**
 * Parse --url: loopback only; http:// with an explicit or default port 80, or tcp://host:port
 * (a server that does not speak HTTP: bench --protocol echo or raw).
 */
export function parseTargetUrl(text: string): TargetAddress {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UserError(`--url ${text} is not a URL`, 'use the form http://127.0.0.1:PORT/path')
  }
  if (url.protocol === 'tcp:' && url.port === '') throw new UserError(`--url ${text}: a tcp:// URL needs its port`, 'use the form tcp://127.0.0.1:PORT')
  if (url.protocol !== 'http:' && url.protocol !== 'tcp:') {
    throw new UserError(`--url ${text}: only http:// and tcp:// are supported`, 'point it at the plain-HTTP port of the server, or tcp://HOST:PORT with --protocol echo or raw')
  }
  assertLoopback(url.hostname)
  // A tcp:// target has no path; '/' keeps the HTTP-only code paths (a URL to print) simple.
  const path = url.protocol === 'tcp:' ? '/' : `${url.pathname}${url.search}`
  return {host: normalizeAddress(url.hostname), port: url.port ? Number(url.port) : 80, path}
}
