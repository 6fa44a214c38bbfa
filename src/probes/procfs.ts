import {formatIpv6} from './address.js'
import {ParseError} from './parse-error.js'
import {kernelStates} from './tcp-states.js'
import type {Endpoint, SocketOwner, SocketRecord} from './types.js'

const row = /^\s*\d+:\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})\s+([0-9A-Fa-f]{2})\s+([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8})\s+\S+\s+\S+\s+(\d+)\s+\d+\s+(\d+)/

/**
 * Parses /proc/net/tcp or /proc/net/tcp6. Addresses are hex in kernel byte order: each 32-bit
 * word as the CPU stores it (little-endian here), so 0100007F is 127.0.0.1. For LISTEN rows
 * rx_queue is the accept-queue length; the backlog limit is not shown (sendQ stays 0).
 * Owners are null: only /proc/PID/fd can tell (see attachOwners).
 */
export function parseProcNetTcp(text: string, littleEndian = true): SocketRecord[] {
  const records: SocketRecord[] = []
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '')
    if (line.trim() === '' || /^\s*sl\s+local_address/.test(line)) return
    const match = row.exec(line)
    if (!match) throw new ParseError('/proc/net/tcp', index + 1, line, 'expected sl local_address rem_address st tx_queue:rx_queue ... uid timeout inode')
    const [, localHex, localPort, peerHex, peerPort, stateHex, txHex, rxHex, uid, inode] = match
    const state = kernelStates[Number.parseInt(stateHex!, 16)] ?? 'UNKNOWN'
    const local = readEndpoint(localHex!, localPort!, littleEndian)
    const peer = readEndpoint(peerHex!, peerPort!, littleEndian)
    // An unconnected peer is 0.0.0.0:0 here; ss and netstat print its port as '*'.
    if (peer.port === 0) peer.port = null
    records.push({
      state,
      recvQ: Number.parseInt(rxHex!, 16),
      sendQ: Number.parseInt(txHex!, 16),
      local,
      peer,
      owners: null,
      inode: Number(inode),
      uid: Number(uid),
    })
  })
  return records
}

function readEndpoint(hex: string, portHex: string, littleEndian: boolean): Endpoint {
  const bytes = new Uint8Array(hex.length / 2)
  for (let word = 0; word < hex.length / 8; word++) {
    for (let i = 0; i < 4; i++) {
      const value = Number.parseInt(hex.slice(word * 8 + i * 2, word * 8 + i * 2 + 2), 16)
      bytes[word * 4 + (littleEndian ? 3 - i : i)] = value
    }
  }
  const address = bytes.length === 4 ? bytes.join('.') : formatIpv6(bytes)
  return {address, port: Number.parseInt(portHex, 16)}
}

/**
 * Fills owners from a map of socket inode -> processes holding it (from /proc/PID/fd links).
 * Inode 0 is a connection still in the accept queue: known to have no owner. An inode no
 * visible process holds gets [] when every process was visible (root), else null.
 */
export function attachOwners(records: SocketRecord[], holders: Map<number, SocketOwner[]>, sawAllProcesses: boolean): SocketRecord[] {
  return records.map((record) => {
    if (record.inode === 0) return {...record, owners: []}
    const owners = record.inode === null ? undefined : holders.get(record.inode)
    return {...record, owners: owners ?? (sawAllProcesses ? [] : null)}
  })
}

/** Reads the inode out of an fd link target such as `socket:[5993]`; null for other files. */
export function parseSocketLink(target: string): number | null {
  const match = /^socket:\[(\d+)\]$/.exec(target)
  return match ? Number(match[1]) : null
}
