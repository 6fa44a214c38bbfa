/** What a bench run loaded, as its report and the diagnosis see it. */
import type {ReferenceServerMode} from './reference-server.js'

export type TargetKind = 'reference' | 'command' | 'url'

export interface TargetInfo {
  kind: TargetKind
  /** e.g. "reference server: et, 4 I/O threads, accept once, read drain" or the user's command. */
  description: string
  host: string
  port: number
  path: string
  /** Only for the reference server. */
  mode: ReferenceServerMode | null
  /** The server's pid when we started it; null for --url. */
  pid: number | null
}
