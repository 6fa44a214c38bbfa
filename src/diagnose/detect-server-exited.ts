import type {Evidence} from './evidence.js'
import type {Finding} from './types.js'

/**
 * The server process ended on its own during the run: a crash under load (or an exit) explains
 * every connection that went unanswered after it, so it is reported before anything else.
 */
export function detectServerExited(evidence: Evidence): Finding | null {
  const exitedEarly = evidence.bench?.exitedEarly ?? null
  if (exitedEarly === null) return null
  const {description} = evidence.bench!.target
  return {
    kind: 'server-exited',
    title: `the server ${exitedEarly} during the run`,
    explanation:
      'The process ended before reactor-doctor stopped it, so requests after that point could not be answered and its sockets ' +
      'were closed by the kernel. A signal such as SIGSEGV or SIGABRT is a crash; an exit code is the server giving up.',
    advice: 'Run the server under a debugger or with a core dump (ulimit -c unlimited), or build it with -fsanitize=address,undefined.',
    evidence: [`${description}: ${exitedEarly}`],
  }
}
