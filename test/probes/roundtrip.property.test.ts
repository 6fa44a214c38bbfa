import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {formatIpv6, parseEndpoint} from '../../src/probes/address.js'
import {parseNetstat} from '../../src/probes/netstat.js'
import {parseSs} from '../../src/probes/ss.js'
import type {Endpoint, SocketOwner, SocketRecord, TcpState} from '../../src/probes/types.js'
import {netstatEndpoint, printNetstat, printSs} from './print-tables.js'

const states: TcpState[] = ['ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'CLOSE', 'CLOSE-WAIT', 'LAST-ACK', 'LISTEN', 'CLOSING']
// Odd process names: quotes, parentheses, commas, spaces (ss prints them unescaped).
const nameChars = fc.constantFrom(...'abcXYZ019 "(),-_.:'.split(''))
const name = fc.string({unit: nameChars, minLength: 1, maxLength: 15}).filter((text) => text.trim() === text && text !== '-')
const owner: fc.Arbitrary<SocketOwner> = fc.record({name, pid: fc.integer({min: 1, max: 4_194_304}), fd: fc.integer({min: 0, max: 65_535})})
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join('.'))
const ipv6 = fc
  .oneof(fc.uint8Array({minLength: 16, maxLength: 16}), fc.constantFrom(new Uint8Array(16), Uint8Array.from([...new Array(15).fill(0), 1])))
  .map((bytes) => formatIpv6(bytes))
const port = fc.integer({min: 1, max: 65_535})

/** Generated rows always carry what a full -pe listing shows. */
type FullRecord = SocketRecord & {owners: SocketOwner[]; inode: number; uid: number}

const record: fc.Arbitrary<FullRecord> = fc
  .record({
    v6: fc.boolean(),
    a4: ipv4,
    b4: ipv4,
    a6: ipv6,
    b6: ipv6,
    localPort: port,
    peerPort: fc.option(port, {nil: null}),
    state: fc.constantFrom(...states),
    recvQ: fc.nat(1_000_000),
    sendQ: fc.nat(1_000_000),
    owners: fc.array(owner, {maxLength: 3}),
    inode: fc.nat(10_000_000),
    uid: fc.nat(70_000),
  })
  .map((g) => {
    const local: Endpoint = {address: g.v6 ? g.a6 : g.a4, port: g.localPort}
    const peer: Endpoint = {address: g.v6 ? g.b6 : g.b4, port: g.peerPort}
    // A queued connection (inode 0) has no owner; one with an inode may have owners or none.
    const owners = g.inode === 0 ? [] : g.owners
    return {state: g.state, recvQ: g.recvQ, sendQ: g.sendQ, local, peer, owners, inode: g.inode, uid: g.uid}
  })

describe('ss tables round-trip', () => {
  it('parseSs(printSs(table)) gives the table back (owners/inode as far as the options show them)', () => {
    fc.assert(
      fc.property(fc.array(record, {maxLength: 20}), fc.boolean(), fc.boolean(), fc.boolean(), (table, header, owners, extended) => {
        const parsed = parseSs(printSs(table, {header, owners, extended}), {ownersShown: owners})
        const expected = table.map((r) => ({
          state: r.state,
          recvQ: r.recvQ,
          sendQ: r.sendQ,
          local: r.local,
          peer: r.peer,
          owners: owners ? r.owners : extended && r.inode === 0 ? [] : null,
          inode: extended ? r.inode : null,
        }))
        expect(parsed).toEqual(expected)
      }),
    )
  })
})

describe('netstat tables round-trip', () => {
  it('parseNetstat(printNetstat(table)) gives the table back, cut addresses flagged as truncated', () => {
    fc.assert(
      fc.property(fc.array(record, {maxLength: 20}), fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), (table, owners, extended, timers, wide) => {
        const parsed = parseNetstat(printNetstat(table, {owners, extended, timers, wide}))
        const expected = table.map((r) => {
          const row: SocketRecord = {
            state: r.state,
            recvQ: r.recvQ,
            sendQ: r.sendQ,
            local: expectedEndpoint(r.local, wide),
            peer: expectedEndpoint(r.peer, wide),
            owners: null,
            inode: extended ? r.inode : null,
          }
          if (extended) row.uid = r.uid
          if (owners) row.owners = r.owners.length > 0 ? [{name: r.owners[0]!.name, pid: r.owners[0]!.pid, fd: null}] : extended && r.inode > 0 ? null : []
          else if (extended && r.inode === 0) row.owners = []
          return row
        })
        expect(parsed).toEqual(expected)
      }),
    )
  })
})

/**
 * What netstat's text lets us know: the (maybe cut) address, flagged when it fills exactly 23
 * columns (a longer one can only come from -W, printed whole; a -W one of exactly 23 is ambiguous).
 */
function expectedEndpoint(endpoint: Endpoint, wide: boolean): Endpoint {
  const text = netstatEndpoint(endpoint, wide)
  const parsed = parseEndpoint(text)!
  return text.length === 23 && endpoint.address.includes(':') ? {...parsed, truncated: true} : parsed
}
