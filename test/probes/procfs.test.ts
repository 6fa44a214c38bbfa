import {describe, expect, it} from 'vitest'
import {attachOwners, parseProcNetTcp, parseSocketLink} from '../../src/probes/procfs.js'
import {parseListenCounters} from '../../src/probes/counters.js'
import {readFixture, serverSide} from './fixtures.js'

describe('parseProcNetTcp', () => {
  it('tcp: hex addresses in kernel byte order, state codes, rx_queue as the accept queue, inode', () => {
    const records = parseProcNetTcp(readFixture('proc/tcp.txt'))
    const listener = records.find((r) => r.state === 'LISTEN' && r.recvQ === 3)!
    expect(listener.local.address).toBe('127.0.0.1')
    expect(listener.peer).toEqual({address: '0.0.0.0', port: null})
    const a = serverSide(records, listener.local.port!)
    expect(a.map((r) => [r.state, r.recvQ, r.inode]).sort()).toEqual([
      ['CLOSE-WAIT', 114, 0],
      ['CLOSE-WAIT', 114, 0],
      ['ESTAB', 0, 0],
      ['LISTEN', 3, listener.inode],
    ])
  })

  it('tcp6: ::, ::1 and v4-mapped addresses print as inet_ntop does', () => {
    const records = parseProcNetTcp(readFixture('proc/tcp6.txt'))
    const addresses = new Set(records.map((r) => r.local.address))
    expect(addresses).toEqual(new Set(['::', '::1', '::ffff:127.0.0.1']))
    expect(records.find((r) => r.local.address === '::ffff:127.0.0.1')).toMatchObject({state: 'ESTAB', recvQ: 5})
  })

  it('reads the kernel example row', () => {
    const row = '   0: 0100007F:0016 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 5993 1 0000000000000000 100 0 0 10 0'
    expect(parseProcNetTcp(row)).toEqual([
      {state: 'LISTEN', recvQ: 2, sendQ: 0, local: {address: '127.0.0.1', port: 22}, peer: {address: '0.0.0.0', port: null}, owners: null, inode: 5993, uid: 0},
    ])
  })

  it('names the line of a garbage row', () => {
    expect(() => parseProcNetTcp('  sl  local_address\n   0: zz')).toThrow('/proc/net/tcp output, line 2')
  })

  it('attaches owners by inode; inode 0 is known ownerless; unseen inodes depend on visibility', () => {
    const records = parseProcNetTcp(readFixture('proc/tcp.txt'))
    const listener = records.find((r) => r.state === 'LISTEN' && r.recvQ === 3)!
    const owners = new Map([[listener.inode!, [{name: 'srv', pid: 7, fd: 3}]]])
    const attached = attachOwners(records, owners, true)
    expect(attached.find((r) => r.inode === listener.inode)!.owners).toEqual([{name: 'srv', pid: 7, fd: 3}])
    expect(attached.filter((r) => r.inode === 0).every((r) => r.owners!.length === 0)).toBe(true)
    const partial = attachOwners(records, new Map(), false)
    expect(partial.filter((r) => r.inode !== 0).every((r) => r.owners === null)).toBe(true)
  })

  it('reads socket links', () => {
    expect(parseSocketLink('socket:[5993]')).toBe(5993)
    expect(parseSocketLink('/dev/null')).toBeNull()
  })
})

describe('parseListenCounters', () => {
  it('reads TcpExt ListenOverflows and ListenDrops from /proc/net/netstat', () => {
    const counters = parseListenCounters(readFixture('proc/netstat.txt'))
    expect(Number.isInteger(counters.listenOverflows) && Number.isInteger(counters.listenDrops)).toBe(true)
    const text = 'TcpExt: SyncookiesSent ListenOverflows ListenDrops\nTcpExt: 0 12 15\nIpExt: A\nIpExt: 1\n'
    expect(parseListenCounters(text)).toEqual({listenOverflows: 12, listenDrops: 15})
  })

  it('says what is missing', () => {
    expect(() => parseListenCounters('IpExt: A\nIpExt: 1\n')).toThrow('expected TcpExt: names and values lines')
  })
})
