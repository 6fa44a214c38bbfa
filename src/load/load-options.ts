import {assertLoopback} from '../probes/loopback.js'
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
    throw new UserError('the autocannon engine only runs keep-alive', 'use the ab engine without keep-alive')
  }
  if (options.bodyBytes !== undefined && (!Number.isInteger(options.bodyBytes) || options.bodyBytes < 0)) {
    throw new UserError(`invalid body size ${options.bodyBytes}: expected a whole number of bytes`)
  }
  assertPositive('stall', options.stallMs)
  assertPositive('timeout', options.timeoutMs)
  if (options.requestTimeoutMs !== undefined) assertPositive('request timeout', options.requestTimeoutMs)
  if (options.requests !== undefined) {
    assertPositiveInteger('requests', options.requests)
    // ab refuses this too: some connections would never send anything.
    if (options.concurrency > options.requests) {
      throw new UserError(`concurrency ${options.concurrency} is greater than the ${options.requests} requests`)
    }
  } else if (engine === 'ab') {
    throw new UserError('the ab engine needs a request count')
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
