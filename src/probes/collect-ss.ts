import {parseSs} from './ss.js'
import {runTool} from './run-tool.js'
import type {SocketRecord} from './types.js'

export interface CollectOptions {
  port: number
  /** Ask for owner processes (-p): a /proc scan inside the tool, too slow for 50 Hz sampling. */
  owners: boolean
  /** Ask for per-listener drops (-m skmem d). */
  drops?: boolean
}

/**
 * `ss -tane '( sport = :PORT )'`: the kernel filters by port (inet_diag bytecode), so the cost
 * does not grow with the other sockets on the host. -e is free (inode from the diag message) and
 * tells accepted sockets from those still queued (ino 0) even without -p.
 */
export async function collectSs(ss: string, options: CollectOptions): Promise<SocketRecord[]> {
  const flags = `-tane${options.owners ? 'p' : ''}${options.drops ? 'm' : ''}`
  const text = await runTool(ss, [flags, `( sport = :${options.port} )`])
  const isRoot = process.getuid?.() === 0
  return parseSs(text, {ownersShown: options.owners && isRoot}).filter((record) => record.local.port === options.port)
}
