import type {EpollWatch} from './types.js'

// tfd:        5 events: 80000019 data:     55e22d8142c0  pos:0 ino:22d0 sdev:9
const watchLine = /^tfd:\s*(\d+)\s+events:\s*([0-9a-f]+)\s+data:\s*[0-9a-f]+\s+pos:\d+\s+ino:([0-9a-f]+)/i

/**
 * The interest list of an epoll instance from its /proc/PID/fdinfo/N text (fs/eventpoll.c,
 * ep_show_fdinfo): one `tfd:` line per watched file, events and ino in hex. Other lines (pos,
 * flags, mnt_id) are skipped. Returns null when the text is not an epoll fdinfo at all.
 */
export function parseEpollFdinfo(text: string): EpollWatch[] | null {
  const lines = text.split('\n')
  if (!lines.some((line) => line.startsWith('flags:'))) return null
  const watches: EpollWatch[] = []
  for (const line of lines) {
    const match = watchLine.exec(line.trim())
    if (match) watches.push({tfd: Number(match[1]), events: Number.parseInt(match[2]!, 16), inode: Number.parseInt(match[3]!, 16)})
  }
  return watches
}

/** What an fd link points at: `socket:[27202]`, `anon_inode:[eventpoll]`, or anything else. */
export function classifyFdLink(link: string): {kind: 'socket'; inode: number} | {kind: 'eventpoll'} | {kind: 'other'} {
  const socket = /^socket:\[(\d+)\]$/.exec(link)
  if (socket) return {kind: 'socket', inode: Number(socket[1])}
  if (link === 'anon_inode:[eventpoll]') return {kind: 'eventpoll'}
  return {kind: 'other'}
}
