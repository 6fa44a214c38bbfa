import {readFile} from 'node:fs/promises'
import {collectNetstat} from './collect-netstat.js'
import {collectProc} from './collect-proc.js'
import {collectSs} from './collect-ss.js'
import {parseListenCounters} from './counters.js'
import {findTool} from '../process/find-tool.js'
import {ownersFromTree, withTreeOwners} from './tree-owners.js'
import type {ListenCounters, Snapshot, SourceName} from './types.js'
import {UserError} from '../user-error.js'

export type SourceChoice = 'auto' | SourceName

export interface ResolvedSource {
  source: SourceName
  /** The executable (ss, netstat); null for /proc. */
  tool: string | null
  /** Why this source: "ss" or "ss not found on PATH: netstat". */
  note: string
  /** True when auto fell back past a missing tool: reports say so as a note. */
  fallback: boolean
}

/** auto: ss, else netstat, else /proc (always there on Linux). A forced tool must exist. */
export function resolveSource(choice: SourceChoice, path = process.env.PATH ?? ''): ResolvedSource {
  if (choice === 'proc') return {source: 'proc', tool: null, note: '/proc/net/tcp (--source proc)', fallback: false}
  if (choice !== 'auto') {
    const tool = findTool(choice, path)
    if (!tool) {
      const pkg = choice === 'ss' ? 'iproute2' : 'net-tools'
      throw new UserError(`${choice} not found on PATH`, `install ${pkg}, or use --source auto`)
    }
    return {source: choice, tool, note: `${choice} (--source ${choice})`, fallback: false}
  }
  const missing: string[] = []
  for (const name of ['ss', 'netstat'] as const) {
    const tool = findTool(name, path)
    if (tool) return {source: name, tool, note: missing.length === 0 ? name : `${missing.join(' and ')} not found on PATH: used ${name}`, fallback: missing.length > 0}
    missing.push(name)
  }
  return {source: 'proc', tool: null, note: 'ss and netstat not found on PATH: read /proc/net/tcp and /proc/net/tcp6', fallback: true}
}

export interface SnapshotOptions {
  port: number
  /** A choice is resolved on each call (a few stat calls); pass a ResolvedSource to skip that. */
  source: SourceChoice | ResolvedSource
  /** Owner processes: costly (a scan of every process's fds); sampling leaves it off. */
  owners: boolean
  /** Per-listener drops from `ss -m` (ss only). */
  drops?: boolean
  /**
   * With owners and the ss source: the server's own process tree (bench started it). Owners then
   * come from those processes' fds, not from `ss -p`, which scans every process on the host.
   */
  ownerTree?: number[]
}

/** One reading of the port's sockets. Without owners, inode 0 still marks never-accepted ones. */
export async function takeSnapshot(options: SnapshotOptions): Promise<Snapshot> {
  const at = Date.now()
  const {source, tool} = typeof options.source === 'string' ? resolveSource(options.source) : options.source
  const fromTree = options.owners && source === 'ss' && options.ownerTree !== undefined && options.ownerTree.length > 0
  const collect = {port: options.port, owners: options.owners && !fromTree, drops: options.drops}
  if (fromTree) {
    const [records, owners] = await Promise.all([collectSs(tool!, collect), ownersFromTree(options.ownerTree!)])
    return {at, source, sockets: withTreeOwners(records, owners)}
  }
  const sockets =
    source === 'ss' ? await collectSs(tool!, collect) : source === 'netstat' ? await collectNetstat(tool!, collect) : await collectProc(collect)
  return {at, source, sockets}
}

/** TcpExt ListenOverflows/ListenDrops of this network namespace; null where /proc lacks them. */
export async function readListenCounters(): Promise<ListenCounters | null> {
  try {
    return parseListenCounters(await readFile('/proc/net/netstat', 'utf8'))
  } catch {
    return null
  }
}
