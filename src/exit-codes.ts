import type {VerdictStatus} from './diagnose/types.js'

/** The CI gate, as documented in the README. */
export const ExitCode = {
  healthy: 0,
  findings: 1,
  error: 2,
  inconclusive: 3,
} as const

export function exitCodeFor(status: VerdictStatus): number {
  return ExitCode[status]
}
