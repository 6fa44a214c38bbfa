import {parseNetstat} from './netstat.js'
import {runTool} from './run-tool.js'
import type {CollectOptions} from './collect-ss.js'
import type {SocketRecord} from './types.js'

/**
 * `netstat -tane[p]`: netstat cannot filter, so it prints every TCP socket and we keep the port's.
 * -e adds the inode (0 = still in the accept queue) at no extra cost; -p scans /proc for owners.
 */
export async function collectNetstat(netstat: string, options: CollectOptions): Promise<SocketRecord[]> {
  const text = await runTool(netstat, [`-tane${options.owners ? 'p' : ''}`])
  return parseNetstat(text).filter((record) => record.local.port === options.port)
}
