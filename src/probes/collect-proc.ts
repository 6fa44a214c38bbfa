import {readFile, readdir, readlink} from 'node:fs/promises'
import {endianness} from 'node:os'
import {attachOwners, parseProcNetTcp, parseSocketLink} from './procfs.js'
import type {CollectOptions} from './collect-ss.js'
import type {SocketOwner, SocketRecord} from './types.js'

/**
 * Reads /proc/net/tcp and tcp6 directly (no process to spawn) and keeps the port's rows; with
 * owners, maps their inodes to processes through /proc/PID/fd links.
 */
export async function collectProc(options: CollectOptions, procRoot = '/proc'): Promise<SocketRecord[]> {
  const littleEndian = endianness() === 'LE'
  const portHex = `:${options.port.toString(16).toUpperCase().padStart(4, '0')} `
  const records: SocketRecord[] = []
  for (const file of ['tcp', 'tcp6']) {
    const text = await readOptional(`${procRoot}/net/${file}`)
    // Skip the regex for rows that cannot be the port's: at 10k sockets that is most of the cost.
    const rows = text.split('\n').filter((line) => line.includes(portHex))
    records.push(...parseProcNetTcp(rows.join('\n'), littleEndian).filter((record) => record.local.port === options.port))
  }
  if (!options.owners) return records
  const wanted = new Set(records.map((record) => record.inode).filter((inode): inode is number => inode !== null && inode > 0))
  const {holders, sawAll} = await findSocketHolders(wanted, procRoot)
  return attachOwners(records, holders, sawAll)
}

async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, 'latin1')
  } catch (error) {
    // No tcp6 when IPv6 is disabled.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ''
    throw error
  }
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
