import {describe, expect, it} from 'vitest'
import {parseSs} from '../../src/probes/ss.js'
import {ParseError} from '../../src/probes/parse-error.js'
import {portA, readFixture, serverSide} from './fixtures.js'

const sceneOwners = ['child (two', 'child, one', 'sc "x" (a']

describe('parseSs on captured output (iproute2 6.1)', () => {
  for (const name of ['tan', 'tanH', 'tanp', 'tanpe', 'tanpeo', 'tanpi', 'tanm', 'tanpeimO', 'tuanp-netid']) {
    it(`${name}: port A has 3 queued connections, 1 ESTAB and 2 CLOSE-WAIT with 114 bytes`, () => {
      const records = parseSs(readFixture(`ss/${name}.txt`))
      expect(records).toHaveLength(16)
      const a = serverSide(records, portA(records))
      expect(a.map((r) => [r.state, r.recvQ]).sort()).toEqual([['CLOSE-WAIT', 114], ['CLOSE-WAIT', 114], ['ESTAB', 0], ['LISTEN', 3]])
      const listener = a.find((r) => r.state === 'LISTEN')!
      expect(listener.sendQ).toBe(8)
      expect(listener.local).toEqual({address: '127.0.0.1', port: portA(records)})
      expect(listener.peer).toEqual({address: '0.0.0.0', port: null})
    })
  }

  it('reads several owners with quotes, parentheses, commas and spaces in their names', () => {
    const records = parseSs(readFixture('ss/tanpe.txt'))
    const listener = records.find((r) => r.state === 'LISTEN' && r.recvQ === 3)!
    expect(listener.owners!.map((o) => o.name)).toEqual(sceneOwners)
    expect(listener.owners!.every((o) => o.fd === 3 && o.pid > 0)).toBe(true)
    expect(listener.inode).toBeGreaterThan(0)
  })

  it('marks queued connections ownerless with inode 0 (-e), and known-ownerless rows under -p as []', () => {
    const withE = serverSide(parseSs(readFixture('ss/tanpe.txt')), portA(parseSs(readFixture('ss/tanpe.txt'))))
    for (const r of withE.filter((r) => r.state !== 'LISTEN')) expect([r.inode, r.owners]).toEqual([0, []])
    const withP = parseSs(readFixture('ss/tanp.txt'))
    for (const r of serverSide(withP, portA(withP)).filter((r) => r.state !== 'LISTEN')) expect([r.inode, r.owners]).toEqual([null, []])
    const bare = parseSs(readFixture('ss/tan.txt'))
    expect(bare.every((r) => r.owners === null && r.inode === null)).toBe(true)
  })

  it('reads IPv6, v4-mapped, wildcard and %dev scope endpoints', () => {
    const records = parseSs(readFixture('ss/tanpe.txt'))
    const locals = records.map((r) => r.local)
    expect(locals).toContainEqual(expect.objectContaining({address: '127.0.0.1', scope: 'lo'}))
    expect(locals).toContainEqual(expect.objectContaining({address: '*'}))
    expect(locals).toContainEqual(expect.objectContaining({address: '::1'}))
    expect(locals).toContainEqual(expect.objectContaining({address: '::ffff:127.0.0.1'}))
    const mapped = records.find((r) => r.local.address === '::ffff:127.0.0.1')!
    expect([mapped.state, mapped.recvQ, mapped.owners!.length]).toEqual(['ESTAB', 5, 1])
    const dup = records.find((r) => r.state === 'CLOSE-WAIT' && r.local.address === '::1')!
    expect(dup.owners!.map((o) => o.fd).sort()).toEqual([14, 15])
  })

  it('reads per-listener drops from -m skmem, on continuation lines and on -O single lines', () => {
    for (const name of ['tanm', 'tanpeimO']) {
      const listeners = parseSs(readFixture(`ss/${name}.txt`)).filter((r) => r.state === 'LISTEN')
      expect(listeners.every((r) => r.drops === 0)).toBe(true)
    }
  })

  it('single-state filter output has no State column: the filter state is given, or LISTEN is inferred from a * peer', () => {
    const listening = parseSs(readFixture('ss/state-listening.txt'))
    expect(listening.map((r) => r.state)).toEqual(['LISTEN', 'LISTEN', 'LISTEN', 'LISTEN'])
    const closeWait = parseSs(readFixture('ss/state-close-wait.txt'), {state: 'CLOSE-WAIT'})
    expect(closeWait.map((r) => r.recvQ).sort()).toEqual([1, 114, 114])
    // Without the filter's state, -e's `-->` (receive side shut by the peer's FIN, send side open) says CLOSE-WAIT.
    expect(parseSs(readFixture('ss/state-close-wait.txt')).every((r) => r.state === 'CLOSE-WAIT')).toBe(true)
  })
})

describe('parseSs on reconstructed old formats', () => {
  it('iproute2 4.9: * for any address, IPv6 without brackets, uid and scope', () => {
    const records = parseSs(readFixture('ss/v4.9-tanpeo-reconstructed.txt'))
    expect(records).toHaveLength(6)
    expect(records[0]).toMatchObject({state: 'LISTEN', recvQ: 4, sendQ: 128, local: {address: '*', port: 1022}, peer: {address: '*', port: null}, inode: 21412})
    expect(records[1]!.local).toEqual({address: '::', port: 22})
    expect(records[2]).toMatchObject({uid: 1000, owners: [{name: 'reactor', pid: 812, fd: 9}]})
    expect(records[3]).toMatchObject({state: 'CLOSE-WAIT', recvQ: 114, inode: 0, owners: []})
    expect(records[4]!.local).toEqual({address: '::ffff:10.4.160.96', port: 1022})
    expect(records[5]!.local).toEqual({address: 'fe80::5054:ff:fe12:3456', port: 22, scope: 'eth0'})
    expect(records[5]!.owners).toHaveLength(2)
  })

  it('iproute 3.10 (CentOS 7): owners as ("name",pid,fd), without pid= and fd=', () => {
    const records = parseSs(readFixture('ss/v3.10-tanp-reconstructed.txt'))
    expect(records.map((r) => [r.state, r.recvQ, r.local.port, r.owners])).toEqual([
      ['LISTEN', 4, 1022, [{name: 'reactor', pid: 812, fd: 5}]],
      ['LISTEN', 0, 22, [{name: 'sshd', pid: 601, fd: 4}]],
      ['ESTAB', 0, 1022, [{name: 'reactor', pid: 812, fd: 9}]],
      ['CLOSE-WAIT', 114, 1022, []],
      ['ESTAB', 0, 22, [{name: 'sshd', pid: 955, fd: 3}, {name: 'sshd', pid: 901, fd: 3}]],
    ])
  })

  it('iproute2 4.15-4.19: netid glued to the state (tcpLISTEN), udp rows skipped', () => {
    const records = parseSs(readFixture('ss/v4.15-glued-reconstructed.txt'))
    expect(records.map((r) => [r.state, r.recvQ, r.local.port])).toEqual([
      ['LISTEN', 4, 1022],
      ['CLOSE-WAIT', 114, 1022],
      ['ESTAB', 0, 1022],
      ['LISTEN', 0, 22],
    ])
    expect(records[1]!.owners).toEqual([])
  })
})

describe('parseSs on a full column', () => {
  it('reads a peer address that fills its column with no blank before users:((', () => {
    const [record] = parseSs('ESTAB 0 0 [::ffff:127.0.0.1]:37169 [::ffff:127.0.0.1]:53978users:(("x",pid=1,fd=3))')
    expect(record).toMatchObject({peer: {address: '::ffff:127.0.0.1', port: 53978}, owners: [{name: 'x', pid: 1, fd: 3}]})
  })
})

describe('parseSs errors', () => {
  it('names the line number and text of a garbage line', () => {
    const text = 'State Recv-Q Send-Q Local Address:Port Peer Address:Port\nLISTEN 0 128 0.0.0.0:22 0.0.0.0:*\nhello world\n'
    expect(() => parseSs(text)).toThrow(ParseError)
    expect(() => parseSs(text)).toThrow('ss output, line 3: expected a TCP state or Recv-Q: "hello world"')
  })

  it('names a row with no address where the local address:port belongs', () => {
    expect(() => parseSs('LISTEN 0 128 0.0.0.0 0.0.0.0:*')).toThrow('line 1: expected the local address:port')
  })

  it('reports a malformed users:(...)', () => {
    expect(() => parseSs('ESTAB 0 0 1.2.3.4:5 6.7.8.9:10 users:(("x",pid=1')).toThrow('malformed users:(...)')
  })
})
