import {readdir, readFile} from 'node:fs/promises'
import {readLinkSync, withDescendants} from './reactor/collect-reactor.js'
import {classifyFdLink} from './reactor/parse-fdinfo.js'
import {parseTaskStat} from './reactor/parse-task.js'
import type {SocketOwner, SocketRecord} from './types.js'

/**
 * Socket owners from a known process tree (a server bench started, its forks): the inode of each
 * socket fd of those processes. Costs only their fds, where `ss -p` scans every process on the host.
 */
export async function ownersFromTree(pids: number[], proc = '/proc'): Promise<Map<number, SocketOwner[]>> {
  const owners = new Map<number, SocketOwner[]>()
  for (const pid of await withDescendants(proc, pids)) {
    const stat = parseTaskStat(await readFile(`${proc}/${pid}/stat`, 'utf8').catch(() => ''))
    if (!stat) continue
    const fds = await readdir(`${proc}/${pid}/fd`).catch(() => [] as string[])
    const links = fds.map((fd) => readLinkSync(`${proc}/${pid}/fd/${fd}`) ?? '')
    links.forEach((link, i) => {
      const target = classifyFdLink(link)
      if (target.kind !== 'socket') return
      const list = owners.get(target.inode) ?? []
      list.push({name: stat.name, pid, fd: Number(fds[i])})
      owners.set(target.inode, list)
    })
  }
  return owners
}

/**
 * The records with their owners from the tree. A queued socket (inode 0) has none; one with an
 * inode that no process of the tree holds belongs to a process outside it: unknown, not none.
 */
export function withTreeOwners(records: SocketRecord[], owners: Map<number, SocketOwner[]>): SocketRecord[] {
  return records.map((record) => ({...record, owners: record.inode === 0 ? [] : record.inode === null ? null : (owners.get(record.inode) ?? null)}))
}
