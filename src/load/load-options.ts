import {assertLoopback} from '../probes/loopback.js'
import {engineNames, engineTable, speaks, wavesEngines} from './engines.js'
import type {EngineName, LoadOptions} from './types.js'
import {UserError} from '../user-error.js'

/** Rejects options no engine can run, before any connection is opened. */
export function validateLoadOptions(engine: EngineName, options: LoadOptions): void {
  assertLoopback(options.host)
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535) {
    throw new UserError(`invalid port ${options.port}: expected 1-65535`)
  }
  if (!/^\/[^\s]*$/.test(options.path)) {
    throw new UserError(`invalid path ${JSON.stringify(options.path)}: expected an absolute path without spaces`)
  }
  assertPositiveInteger('concurrency', options.concurrency)
  if (engine === 'autocannon' && !options.keepAlive) {
    // autocannon writes its next request on a connection the server is closing and loses it.
    throw new UserError('the autocannon engine only runs keep-alive', 'use --engine native (or ab) without keep-alive')
  }
  if (options.bodyBytes !== undefined && (!Number.isInteger(options.bodyBytes) || options.bodyBytes < 0)) {
    throw new UserError(`invalid body size ${options.bodyBytes}: expected a whole number of bytes`)
  }
  validateWaves(engine, options)
  validateProtocol(engine, options)
  assertPositive('stall', options.stallMs)
  assertPositive('timeout', options.timeoutMs)
  if (options.requestTimeoutMs !== undefined) assertPositive('request timeout', options.requestTimeoutMs)
  if (options.requests !== undefined) {
    assertPositiveInteger('requests', options.requests)
    // ab refuses this too: some connections would never send anything.
    if (options.concurrency > options.requests) {
      throw new UserError(`concurrency ${options.concurrency} is greater than the ${options.requests} requests`)
    }
  } else if (engineTable[engine].waves) {
    throw new UserError(`the ${engine} engine needs a request count`)
  } else if (options.durationMs === undefined) {
    throw new UserError('the autocannon engine needs a request count or a duration')
  } else {
    assertPositive('duration', options.durationMs)
  }
}

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new UserError(`invalid ${name} ${value}: expected a whole number of at least 1`)
}

function assertPositive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) throw new UserError(`invalid ${name} ${value}: expected a positive number`)
}

/** Waves need an engine that runs them, keep-alive, and a request for every connection in every wave. */
function validateWaves(engine: EngineName, options: LoadOptions): void {
  const waves = options.waves ?? 1
  if (!Number.isInteger(waves) || waves < 1) throw new UserError(`invalid waves ${waves}: expected a whole number of at least 1`)
  if (waves === 1) return
  if (!engineTable[engine].waves) {
    const able = wavesEngines()
    throw new UserError(`${waves} waves need the ${able.join(' or ')} engine`, `drop --waves or use --engine ${able[0]}`)
  }
  if (!options.keepAlive) throw new UserError(`${waves} waves need keep-alive: without it every request is a new connection already`, 'drop --waves or --no-keepalive')
  const requests = options.requests ?? 0
  if (Math.floor(requests / waves) < options.concurrency) {
    throw new UserError(
      `${waves} waves of ${options.concurrency} connections need at least ${waves * options.concurrency} requests, got ${requests}`,
      'raise -n, or lower --waves or -c',
    )
  }
}

/** echo and raw: the engines that speak them (autocannon speaks HTTP only), and no HTTP body. */
function validateProtocol(engine: EngineName, options: LoadOptions): void {
  const protocol = options.protocol
  if (protocol === undefined || protocol.kind === 'http') return
  if (!speaks(engine, protocol.kind)) {
    const able = engineNames.filter((other) => speaks(other, protocol.kind))
    throw new UserError(`the ${engine} engine speaks only ${engineTable[engine].protocols.join(', ').replace('http', 'HTTP')}, not ${protocol.kind}`, `use --engine ${able[0]}`)
  }
  if ((options.bodyBytes ?? 0) > 0) throw new UserError(`a body size is for HTTP requests, not ${protocol.kind}`, protocol.kind === 'echo' ? 'use --payload' : 'put the bytes in --send')
  if (protocol.kind === 'echo') assertPositiveInteger('payload size', protocol.payloadBytes)
  if (protocol.kind === 'raw' && (protocol.send.length === 0 || protocol.expect.length === 0)) {
    throw new UserError('the raw protocol needs bytes to send and the answer to expect', 'give --send and --expect, e.g. --send "PING\\r\\n" --expect "+PONG\\r\\n"')
  }
}
