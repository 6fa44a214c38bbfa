import {nameSyscall} from './syscalls.js'
import type {ThreadActivity} from './types.js'

/**
 * /proc/PID/task/TID/stat: "TID (comm) S ...". The name may hold spaces and parentheses, so it
 * runs to the LAST ')' (as procps reads it). Returns null for text of another shape.
 */
export function parseTaskStat(text: string): {tid: number; name: string; state: string} | null {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 1 || close < open) return null
  const tid = Number(text.slice(0, open).trim())
  const state = text.slice(close + 1).trim().split(/\s+/)[0]
  if (!Number.isInteger(tid) || !state) return null
  return {tid, name: text.slice(open + 1, close), state}
}

/**
 * /proc/PID/task/TID/syscall (fs/proc/base.c, proc_pid_syscall): "running" on a CPU; "-1 SP PC"
 * in the kernel outside a system call; else "NR ARG1 ... ARG6 SP PC" with the args in hex.
 */
export function parseTaskSyscall(text: string, arch: string): ThreadActivity | null {
  const fields = text.trim().split(/\s+/)
  if (fields[0] === 'running') return {kind: 'running'}
  if (fields[0] === '-1') return {kind: 'in-kernel'}
  const nr = Number(fields[0])
  if (!Number.isInteger(nr) || nr < 0 || fields.length < 2) return null
  return {kind: 'syscall', nr, ...nameSyscall(arch, nr), firstArg: Number.parseInt(fields[1]!, 16)}
}
