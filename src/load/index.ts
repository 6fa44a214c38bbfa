import {engineTable} from './engines.js'
import {validateLoadOptions} from './load-options.js'
import type {EngineName, LoadHooks, LoadOptions, LoadResult} from './types.js'

export type {EngineName, LoadHooks, LoadOptions, LoadResult} from './types.js'
export {DEFAULT_ENGINE, engineNames, engineTable, speaks} from './engines.js'

/** The one entry point: checks the options (loopback only), then runs the engine to its end. */
export async function runLoad(engine: EngineName, options: LoadOptions, hooks: LoadHooks = {}): Promise<LoadResult> {
  validateLoadOptions(engine, options)
  const run = await engineTable[engine].load()
  return run(options, hooks)
}
