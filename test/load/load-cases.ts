import type {EngineName, LoadOptions} from '../../src/load/types.js'

/** ab's seed run (-n 1000 -c 94 -k) against a test server on port, with the test's changes. */
export function seedOptions(port: number, overrides: Partial<LoadOptions> = {}): LoadOptions {
  return {host: '127.0.0.1', port, path: '/', requests: 1000, concurrency: 94, keepAlive: true, stallMs: 1000, timeoutMs: 10_000, ...overrides}
}

/** The Node driver and rd-load have the same semantics: every engine test runs on both. */
export const abStyleEngines: EngineName[] = ['ab', 'native']
