/**
 * The load engines, one row each: what they are, the protocols they speak, and how to load them
 * (lazily: autocannon's histogram library costs about 100 ms to load). `--engine`'s choices and
 * help, and runLoad, come from here; a new engine is a row and a file.
 */
import type {EngineName, LoadHooks, LoadOptions, LoadResult, ProtocolName} from './types.js'

interface EngineRow {
  summary: string
  protocols: readonly ProtocolName[]
  load: () => Promise<(options: LoadOptions, hooks: LoadHooks) => Promise<LoadResult>>
}

export const engineTable = {
  ab: {
    summary: "the built-in driver with ab's semantics (one connection, then the rest in a burst; waves)",
    protocols: ['http', 'echo', 'raw'],
    load: async () => (await import('./ab-engine.js')).runAb,
  },
  autocannon: {
    summary: 'autocannon: sustained HTTP load with latency percentiles',
    protocols: ['http'],
    load: async () => (await import('./autocannon-engine.js')).runAutocannon,
  },
} as const satisfies Record<EngineName, EngineRow>

export const engineNames = Object.keys(engineTable) as EngineName[]

export function speaks(engine: EngineName, protocol: ProtocolName): boolean {
  return (engineTable[engine].protocols as readonly ProtocolName[]).includes(protocol)
}
