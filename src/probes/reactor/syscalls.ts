import type {SyscallFamily} from './types.js'

/**
 * The system calls a reactor's threads wait in, by number, for the two architectures whose
 * numbers we decode (arch/x86/entry/syscalls/syscall_64.tbl; aarch64 uses the generic table,
 * include/uapi/asm-generic/unistd.h). Elsewhere a number is shown as unknown, never guessed.
 */
const table: Record<string, Array<[number, string, SyscallFamily]>> = {
  x86_64: [
    [0, 'read', 'read'],
    [1, 'write', 'other'],
    [7, 'poll', 'poll'],
    [23, 'select', 'select'],
    [24, 'sched_yield', 'other'],
    [34, 'pause', 'sleep'],
    [35, 'nanosleep', 'sleep'],
    [42, 'connect', 'other'],
    [43, 'accept', 'accept'],
    [44, 'sendto', 'other'],
    [45, 'recvfrom', 'read'],
    [47, 'recvmsg', 'read'],
    [61, 'wait4', 'other'],
    [128, 'rt_sigtimedwait', 'other'],
    [130, 'rt_sigsuspend', 'other'],
    [202, 'futex', 'lock'],
    [230, 'clock_nanosleep', 'sleep'],
    [232, 'epoll_wait', 'epoll-wait'],
    [270, 'pselect6', 'select'],
    [271, 'ppoll', 'poll'],
    [281, 'epoll_pwait', 'epoll-wait'],
    [288, 'accept4', 'accept'],
    [426, 'io_uring_enter', 'io-uring'],
    [441, 'epoll_pwait2', 'epoll-wait'],
  ],
  aarch64: [
    [22, 'epoll_pwait', 'epoll-wait'],
    [63, 'read', 'read'],
    [64, 'write', 'other'],
    [72, 'pselect6', 'select'],
    [73, 'ppoll', 'poll'],
    [98, 'futex', 'lock'],
    [101, 'nanosleep', 'sleep'],
    [115, 'clock_nanosleep', 'sleep'],
    [124, 'sched_yield', 'other'],
    [133, 'rt_sigsuspend', 'other'],
    [137, 'rt_sigtimedwait', 'other'],
    [202, 'accept', 'accept'],
    [203, 'connect', 'other'],
    [206, 'sendto', 'other'],
    [207, 'recvfrom', 'read'],
    [212, 'recvmsg', 'read'],
    [242, 'accept4', 'accept'],
    [260, 'wait4', 'other'],
    [426, 'io_uring_enter', 'io-uring'],
    [441, 'epoll_pwait2', 'epoll-wait'],
  ],
}

export function isDecodedArch(arch: string): boolean {
  return arch in table
}

/** The syscall's name and family; `syscall N` and 'other' where this arch or number is not known. */
export function nameSyscall(arch: string, nr: number): {name: string; family: SyscallFamily} {
  const row = table[arch]?.find(([number]) => number === nr)
  return row ? {name: row[1], family: row[2]} : {name: isDecodedArch(arch) ? `syscall ${nr}` : `syscall ${nr} (unknown on ${arch})`, family: 'other'}
}
