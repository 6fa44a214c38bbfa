import type {TcpState} from './types.js'

/** ss prints the kernel's TCP_CLOSE as UNCONN; netstat uses underscores and its own spellings. */
const stateNames: Record<string, TcpState> = {
  ESTAB: 'ESTAB',
  ESTABLISHED: 'ESTAB',
  'SYN-SENT': 'SYN-SENT',
  SYN_SENT: 'SYN-SENT',
  'SYN-RECV': 'SYN-RECV',
  SYN_RECV: 'SYN-RECV',
  'FIN-WAIT-1': 'FIN-WAIT-1',
  FIN_WAIT1: 'FIN-WAIT-1',
  'FIN-WAIT-2': 'FIN-WAIT-2',
  FIN_WAIT2: 'FIN-WAIT-2',
  'TIME-WAIT': 'TIME-WAIT',
  TIME_WAIT: 'TIME-WAIT',
  UNCONN: 'CLOSE',
  CLOSE: 'CLOSE',
  'CLOSE-WAIT': 'CLOSE-WAIT',
  CLOSE_WAIT: 'CLOSE-WAIT',
  'LAST-ACK': 'LAST-ACK',
  LAST_ACK: 'LAST-ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
  'NEW-SYN-RECV': 'NEW-SYN-RECV',
  UNKNOWN: 'UNKNOWN',
}

/** Reads a state as ss or netstat prints it; undefined when it is not a TCP state. */
export function parseStateName(text: string): TcpState | undefined {
  return Object.hasOwn(stateNames, text) ? stateNames[text] : undefined
}

/** The kernel's numeric states (include/net/tcp_states.h), as /proc/net/tcp shows them in hex. */
export const kernelStates: readonly TcpState[] = [
  'UNKNOWN',
  'ESTAB',
  'SYN-SENT',
  'SYN-RECV',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'TIME-WAIT',
  'CLOSE',
  'CLOSE-WAIT',
  'LAST-ACK',
  'LISTEN',
  'CLOSING',
  'NEW-SYN-RECV',
]

/** netstat's spelling of each state (net-tools netstat.c tcp_state[]). */
export const netstatStateNames: Record<TcpState, string> = {
  ESTAB: 'ESTABLISHED',
  'SYN-SENT': 'SYN_SENT',
  'SYN-RECV': 'SYN_RECV',
  'FIN-WAIT-1': 'FIN_WAIT1',
  'FIN-WAIT-2': 'FIN_WAIT2',
  'TIME-WAIT': 'TIME_WAIT',
  CLOSE: 'CLOSE',
  'CLOSE-WAIT': 'CLOSE_WAIT',
  'LAST-ACK': 'LAST_ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
  'NEW-SYN-RECV': 'SYN_RECV',
  UNKNOWN: 'UNKNOWN',
}
