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
