import {assertLoopback, normalizeAddress} from '../probes/loopback.js'
import {UserError} from '../user-error.js'

export interface TargetAddress {
  host: string
  port: number
  path: string
}

/** Parse --url: http only, loopback only, explicit or default port 80. */
export function parseTargetUrl(text: string): TargetAddress {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UserError(`--url ${text} is not a URL`, 'use the form http://127.0.0.1:PORT/path')
  }
  if (url.protocol !== 'http:') {
    throw new UserError(`--url ${text}: only http:// is supported`, 'point it at the plain-HTTP port of the server')
  }
  assertLoopback(url.hostname)
  return {host: normalizeAddress(url.hostname), port: url.port ? Number(url.port) : 80, path: `${url.pathname}${url.search}`}
}
