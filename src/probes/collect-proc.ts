import {readFile, readdir, readlink} from 'node:fs/promises'
import {endianness} from 'node:os'
import {readProcNetFile} from './proc-net-file.js'
import {attachOwners, parseProcNetTcp, parseSocketLink} from './procfs.js'
import type {CollectOptions} from './collect-ss.js'
import type {SocketOwner, SocketRecord} from './types.js'

/** The two tables: IPv4, and IPv6 (which also holds v4-mapped sockets of dual-stack listeners). */
export type ProcTable = 'tcp' | 'tcp6'
export const allProcTables: readonly ProcTable[] = ['tcp', 'tcp6']

/**
 * Reads /proc/net/tcp and tcp6 directly (no process to spawn) and keeps the port's rows; with
 * owners, maps their inodes to processes through /proc/PID/fd links.
 */
export async function collectProc(options: CollectOptions, procRoot = '/proc'): Promise<SocketRecord[]> {
  const records: SocketRecord[] = []
  for (const table of allProcTables) {
    records.push(...portRows(await readProcNetFile(`${procRoot}/net/${table}`), options.port))
  }
  if (!options.owners) return records
  const wanted = new Set(records.map((record) => record.inode).filter((inode): inode is number => inode !== null && inode > 0))
  const {holders, sawAll} = await findSocketHolders(wanted, procRoot)
  return attachOwners(records, holders, sawAll)
}

/** The rows whose local port is `port`; null text (no such file, e.g. no IPv6) has none. */
export function portRows(text: string | null, port: number): SocketRecord[] {
  if (text === null) return []
  // Skip the regex for rows that cannot be the port's: at 10k sockets that is most of the cost.
  const portHex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `
  const rows = text.split('\n').filter((line) => line.includes(portHex))
  return parseProcNetTcp(rows.join('\n'), endianness() === 'LE').filter((record) => record.local.port === port)
}

async function findSocketHolders(wanted: Set<number>, procRoot: string): Promise<{holders: Map<number, SocketOwner[]>; sawAll: boolean}> {
  const holders = new Map<number, SocketOwner[]>()
  let sawAll = true
  if (wanted.size === 0) return {holders, sawAll}
  const pids = (await readdir(procRoot)).filter((name) => /^\d+$/.test(name))
  for (const pid of pids) {
    let fds: string[]
    try {
      fds = await readdir(`${procRoot}/${pid}/fd`)
    } catch (error) {
      // Gone since readdir (ENOENT) is fine; EACCES means we cannot see everyone's sockets.
      if ((error as NodeJS.ErrnoException).code === 'EACCES') sawAll = false
      continue
    }
    for (const fd of fds) {
      const inode = parseSocketLink(await readlink(`${procRoot}/${pid}/fd/${fd}`).catch(() => ''))
      if (inode === null || !wanted.has(inode)) continue
      const name = (await readFile(`${procRoot}/${pid}/comm`, 'utf8').catch(() => '?')).replace(/\n$/, '')
      const list = holders.get(inode) ?? []
      list.push({name, pid: Number(pid), fd: Number(fd)})
      holders.set(inode, list)
    }
  }
  return {holders, sawAll}
}
