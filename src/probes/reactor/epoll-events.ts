/** The epoll event bits as the kernel keeps them (include/uapi/linux/eventpoll.h). */
export const EPOLLIN = 0x1
export const EPOLLPRI = 0x2
export const EPOLLOUT = 0x4
export const EPOLLERR = 0x8
export const EPOLLHUP = 0x10
export const EPOLLRDHUP = 0x2000
export const EPOLLEXCLUSIVE = 1 << 28
export const EPOLLWAKEUP = 1 << 29
export const EPOLLONESHOT = 1 << 30
export const EPOLLET = 2 ** 31

const names: Array<[number, string]> = [
  [EPOLLIN, 'EPOLLIN'],
  [EPOLLPRI, 'EPOLLPRI'],
  [EPOLLOUT, 'EPOLLOUT'],
  [EPOLLERR, 'EPOLLERR'],
  [EPOLLHUP, 'EPOLLHUP'],
  [EPOLLRDHUP, 'EPOLLRDHUP'],
  [EPOLLEXCLUSIVE, 'EPOLLEXCLUSIVE'],
  [EPOLLWAKEUP, 'EPOLLWAKEUP'],
  [EPOLLONESHOT, 'EPOLLONESHOT'],
  [EPOLLET, 'EPOLLET'],
]

export const has = (events: number, bit: number): boolean => Math.floor(events / bit) % 2 === 1

/** "EPOLLIN|EPOLLERR|EPOLLHUP|EPOLLET"; unnamed bits as hex; "none" for 0. */
export function describeEvents(events: number): string {
  const parts = names.filter(([bit]) => has(events, bit)).map(([, name]) => name)
  const known = names.reduce((sum, [bit]) => sum + (has(events, bit) ? bit : 0), 0)
  if (events - known > 0) parts.push(`0x${(events - known).toString(16)}`)
  return parts.length > 0 ? parts.join('|') : 'none'
}

/**
 * A ONESHOT registration that fired and was not re-armed: the kernel keeps only its flag bits
 * (EPOLLEXCLUSIVE, EPOLLWAKEUP, EPOLLONESHOT, EPOLLET: bits 28-31) and clears every event bit.
 */
export function isFiredOneshot(events: number): boolean {
  return has(events, EPOLLONESHOT) && (events & 0x0fffffff) === 0
}

/** Whether a registration would report readable data now (EPOLLIN set and not a spent ONESHOT). */
export function watchesInput(events: number): boolean {
  return has(events, EPOLLIN) && !isFiredOneshot(events)
}
