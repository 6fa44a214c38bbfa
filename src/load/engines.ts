/**
 * The load engines, one row each: what they are, the protocols they speak, whether they run
 * waves and need a request count, and how to load them (lazily: autocannon's histogram library
 * costs about 100 ms to load). `--engine`'s choices and help, and runLoad, come from here; a new
 * engine is a row and a file. The first row is bench's default engine.
 */
import type {EngineName, LoadHooks, LoadOptions, LoadResult, ProtocolName} from './types.js'

interface EngineRow {
  summary: string
  protocols: readonly ProtocolName[]
  /** Runs --waves (connection bursts); such an engine also needs a request count (-n). */
  waves: boolean
  load: () => Promise<(options: LoadOptions, hooks: LoadHooks) => Promise<LoadResult>>
}

export const engineTable = {
  native: {
    summary: "rd-load, the native driver built with the reference server (C, epoll): ab's semantics and waves, at ab's speed (the default)",
    protocols: ['http', 'echo', 'raw'],
    waves: true,
    load: async () => (await import('./native-engine.js')).runNative,
  },
  ab: {
    summary: "the Node driver with the same semantics (one connection, then the rest in a burst; waves); needs no C build",
    protocols: ['http', 'echo', 'raw'],
    waves: true,
    load: async () => (await import('./ab-engine.js')).runAb,
  },
  autocannon: {
    summary: 'autocannon: sustained HTTP load with latency percentiles',
    protocols: ['http'],
    waves: false,
    load: async () => (await import('./autocannon-engine.js')).runAutocannon,
  },
} as const satisfies Record<EngineName, EngineRow>

export const engineNames = Object.keys(engineTable) as EngineName[]

/** bench's engine when --engine is not given (falls back to the Node one when rd-load is not built). */
export const DEFAULT_ENGINE: EngineName = engineNames[0]!

/** The engine that takes over when rd-load is not built: the same semantics in Node. */
export const FALLBACK_ENGINE: EngineName = 'ab'

export function speaks(engine: EngineName, protocol: ProtocolName): boolean {
  return (engineTable[engine].protocols as readonly ProtocolName[]).includes(protocol)
}

/** The engines that run waves, default first, for messages. */
export function wavesEngines(): EngineName[] {
  return engineNames.filter((name) => engineTable[name].waves)
}
