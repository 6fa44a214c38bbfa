// Printers that write socket tables the way ss (iproute2 6.x) and netstat (net-tools 2.10, printf
// formats of tcp_do_one) do, for the round-trip property tests.
import {formatEndpoint} from '../../src/probes/address.js'
import {netstatStateNames} from '../../src/probes/tcp-states.js'
import type {Endpoint, SocketRecord} from '../../src/probes/types.js'

const ssStateNames: Record<string, string> = {CLOSE: 'UNCONN'}

export function printSs(records: SocketRecord[], options: {header: boolean; owners: boolean; extended: boolean}): string {
  const lines = options.header ? ['State      Recv-Q Send-Q      Local Address:Port        Peer Address:Port Process'] : []
  for (const r of records) {
    const state = ssStateNames[r.state] ?? r.state
    let line = `${state.padEnd(10)} ${String(r.recvQ).padEnd(6)} ${String(r.sendQ).padEnd(6)} ${formatEndpoint(r.local).padStart(22)} ${formatEndpoint(r.peer).padStart(22)} `
    if (options.owners && r.owners && r.owners.length > 0) {
      line += `users:(${r.owners.map((o) => `("${o.name}",pid=${o.pid},fd=${o.fd})`).join(',')}) `
    }
    if (options.extended) line += `ino:${r.inode} sk:1 cgroup:/ <->`
    lines.push(line)
  }
  return `${lines.join('\n')}\n`
}

export function printNetstat(records: SocketRecord[], options: {owners: boolean; extended: boolean; timers: boolean; wide: boolean}): string {
  let header = 'Proto Recv-Q Send-Q Local Address           Foreign Address         State      '
  if (options.extended) header += ' User       Inode     '
  if (options.owners) header += ' PID/Program name    '
  if (options.timers) header += ' Timer'
  const lines = ['Active Internet connections (servers and established)', header]
  for (const r of records) {
    const v6 = r.local.address.includes(':')
    let line = `${(v6 ? 'tcp6' : 'tcp').padEnd(4)}  ${String(r.recvQ).padStart(6)} ${String(r.sendQ).padStart(6)} ${netstatEndpoint(r.local, options.wide).padEnd(23)} ${netstatEndpoint(r.peer, options.wide).padEnd(23)} ${netstatStateNames[r.state].padEnd(11)}`
    if (options.extended) line += ` ${String(r.uid ?? 0).padEnd(10)} ${String(r.inode).padEnd(10)}`
    if (options.owners) line += ` ${(r.owners && r.owners.length > 0 ? `${r.owners[0]!.pid}/${r.owners[0]!.name}` : '-').padEnd(20)}`
    if (options.timers) line += ' off (0.00/0/0)'
    lines.push(line)
  }
  return `${lines.join('\n')}\n`
}

/** netstat.c: without -W the address is cut so that "addr:port" fits 23 columns. */
export function netstatEndpoint(endpoint: Endpoint, wide: boolean): string {
  const port = endpoint.port === null ? '*' : String(endpoint.port)
  let address = endpoint.address
  if (!wide && address.length + port.length > 22) address = address.slice(0, 22 - port.length)
  return `${address}:${port}`
}

/** One row of /proc/net/tcp or tcp6 as generated: addresses as bytes in network order. */
export interface ProcRow {
  local: Uint8Array
  localPort: number
  peer: Uint8Array
  peerPort: number
  state: number
  txQueue: number
  rxQueue: number
  uid: number
  inode: number
}

/**
 * /proc/net/tcp (4-byte addresses) or tcp6 (16) as the kernel prints them (tcp4_seq_show,
 * tcp6_seq_show): each address as 32-bit words in host order (little-endian here); tcp pads every
 * line to 149 characters.
 */
export function printProcNetTcp(rows: ProcRow[], v6: boolean): string {
  const hex = (value: number, width: number) => value.toString(16).toUpperCase().padStart(width, '0')
  const words = (bytes: Uint8Array) => {
    let text = ''
    for (let word = 0; word < bytes.length; word += 4) text += hex(new DataView(bytes.buffer, bytes.byteOffset + word, 4).getUint32(0, true), 8)
    return text
  }
  const lines = [
    v6
      ? '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'
      : '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'.padEnd(149),
  ]
  rows.forEach((row, sl) => {
    const line =
      `${String(sl).padStart(4)}: ${words(row.local)}:${hex(row.localPort, 4)} ${words(row.peer)}:${hex(row.peerPort, 4)} ${hex(row.state, 2)} ` +
      `${hex(row.txQueue, 8)}:${hex(row.rxQueue, 8)} 00:00000000 00000000 ${String(row.uid).padStart(5)} ${String(0).padStart(8)} ${row.inode} 1 0000000000000000 100 0 0 10 0`
    lines.push(v6 ? line : line.padEnd(149))
  })
  return `${lines.join('\n')}\n`
}
