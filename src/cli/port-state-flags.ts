import {resolvePort} from '../probes/services.js'
import {parseFilterState} from '../probes/split-readings.js'
import type {TcpState} from '../probes/types.js'
import {UserError} from '../user-error.js'

/** --port: a number from 1 to 65535 or a TCP service name of /etc/services (`http-alt`). */
export function parsePortFlag(text: string): number {
  const port = resolvePort(text.trim())
  if (port === undefined) {
    throw new UserError(
      /^\d+$/.test(text.trim()) ? `--port ${text} is not a port: expected 1 to 65535` : `--port ${JSON.stringify(text)} is neither a port number nor a TCP service name in /etc/services`,
      'e.g. --port 8080 or --port http-alt',
    )
  }
  return port
}

/** --state: one TCP state as ss's filter names it (close-wait, established, listening) or as ss/netstat print it. */
export function parseStateFlag(text: string): TcpState {
  const state = parseFilterState(text.trim())
  if (state === undefined || state === 'UNKNOWN') throw new UserError(`--state ${JSON.stringify(text)} is not a TCP state`, 'e.g. --state close-wait, established, listening or time-wait')
  return state
}
