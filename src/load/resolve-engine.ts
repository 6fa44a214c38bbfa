import {DEFAULT_ENGINE, FALLBACK_ENGINE} from './engines.js'
import {nativeDriverBuilt, nativeDriverPath} from './native-engine.js'
import type {EngineName} from './types.js'
import {UserError} from '../user-error.js'

export interface ResolvedEngine {
  engine: EngineName
  /** Set when the default native engine could not run and the Node one runs instead: say so. */
  note: string | null
}

/**
 * --engine as given, or the default. rd-load is built with the reference server, so a machine
 * without a C compiler has none: the default then falls back to the Node driver (same semantics,
 * fewer requests/s) with a note; asking for --engine native there is an error.
 */
export function resolveEngine(asked: EngineName | undefined): ResolvedEngine {
  const engine = asked ?? DEFAULT_ENGINE
  if (engine !== 'native' || nativeDriverBuilt()) return {engine, note: null}
  const build = 'install gcc and make, then run npm rebuild -g reactor-doctor (npm run build in a checkout)'
  if (asked !== undefined) throw new UserError(`--engine native needs rd-load, which is not built (${nativeDriverPath()})`, `${build}, or use --engine ${FALLBACK_ENGINE}`)
  return {
    engine: FALLBACK_ENGINE,
    note: `load: the native driver rd-load is not built (${nativeDriverPath()}), so the Node engine (--engine ${FALLBACK_ENGINE}) ran, with the same semantics at fewer requests/s; to build it, ${build}`,
  }
}
