import {runAb} from './ab-engine.js'
import {runAutocannon} from './autocannon-engine.js'
import {validateLoadOptions} from './load-options.js'
import type {EngineName, LoadHooks, LoadOptions, LoadResult} from './types.js'

export type {EngineName, LoadHooks, LoadOptions, LoadResult} from './types.js'

/** The one entry point: checks the options (loopback only), then runs the engine to its end. */
export async function runLoad(engine: EngineName, options: LoadOptions, hooks: LoadHooks = {}): Promise<LoadResult> {
  validateLoadOptions(engine, options)
  return engine === 'ab' ? runAb(options, hooks) : runAutocannon(options, hooks)
}
