import {hostHeader} from './http-request.js'
import type {LoadOptions} from './types.js'

/** What the load went to: an http:// URL, or tcp://host:port for the other protocols. */
export function loadUrl(options: Pick<LoadOptions, 'host' | 'port' | 'path' | 'protocol'>): string {
  const kind = options.protocol?.kind ?? 'http'
  if (kind !== 'http') return `tcp://${hostHeader(options.host, options.port)} (${kind})`
  return `http://${hostHeader(options.host, options.port)}${options.path}`
}

/** Rate over the whole run, rounded to a tenth. */
export function perSecond(count: number, durationMs: number): number {
  return durationMs > 0 ? Math.round((count / durationMs) * 10_000) / 10 : 0
}
