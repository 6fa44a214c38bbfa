import {afterEach} from 'vitest'
import {
  DEFAULT_MODE,
  type ReferenceServer,
  type ReferenceServerMode,
  type ReferenceServerOptions,
  startReferenceServer,
} from '../../src/targets/reference-server.js'

/** A start function whose servers are all stopped after each test, whatever happened. */
export function useReferenceServers(): (mode?: Partial<ReferenceServerMode>, options?: ReferenceServerOptions) => Promise<ReferenceServer> {
  const running: ReferenceServer[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.stop()))
  })
  return async (mode = {}, options = {}) => {
    const server = await startReferenceServer({...DEFAULT_MODE, ...mode}, {statsIntervalMs: 0, ...options})
    running.push(server)
    return server
  }
}
