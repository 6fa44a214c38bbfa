import {runAb} from './ab-engine.js'
import {validateLoadOptions} from './load-options.js'
import type {EngineName, LoadHooks, LoadOptions, LoadResult} from './types.js'

export type {EngineName, LoadHooks, LoadOptions, LoadResult} from './types.js'

/** The one entry point: checks the options (loopback only), then runs the engine to its end. */
export async function runLoad(engine: EngineName, options: LoadOptions, hooks: LoadHooks = {}): Promise<LoadResult> {
  validateLoadOptions(engine, options)
  if (engine === 'ab') return runAb(options, hooks)
  // Loaded only when asked for: autocannon's histogram library costs about 100 ms to load.
  const {runAutocannon} = await import('./autocannon-engine.js')
  return runAutocannon(options, hooks)
}
