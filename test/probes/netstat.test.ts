import {describe, expect, it} from 'vitest'
import {parseNetstat} from '../../src/probes/netstat.js'
import {portA, readFixture, serverSide} from './fixtures.js'

describe('parseNetstat on captured output (net-tools 2.10)', () => {
  for (const name of ['tan', 'tanp', 'tanpe', 'tanpeo', 'tanW', 'tanpeoW', 'an-grep', 'tanp-nonroot']) {
    it(`${name}: port A has 3 queued connections, 1 ESTAB and 2 CLOSE-WAIT with 114 bytes`, () => {
      const records = parseNetstat(readFixture(`netstat/${name}.txt`))
      expect(records).toHaveLength(16)
      const a = serverSide(records, portA(records))
      expect(a.map((r) => [r.state, r.recvQ]).sort()).toEqual([['CLOSE-WAIT', 114], ['CLOSE-WAIT', 114], ['ESTAB', 0], ['LISTEN', 3]])
      // netstat has no backlog: Send-Q of a LISTEN row is 0.
      expect(a.find((r) => r.state === 'LISTEN')!.sendQ).toBe(0)
    })
  }

  it('-p: "PID/Program name" with spaces; "-" is no owner as root', () => {
    const text = readFixture('netstat/tanp.txt')
    const records = parseNetstat(text)
    const listener = records.find((r) => r.state === 'LISTEN' && r.recvQ === 3)!
    // The pid as the capture printed it on that LISTEN row, read here without the parser.
    const pid = Number(new RegExp(`:${listener.local.port}\\s.*LISTEN\\s+(\\d+)/scene srv \\(x\\)`).exec(text)![1])
    expect(listener.owners).toEqual([{name: 'scene srv (x)', pid, fd: null}])
    const queued = serverSide(records, portA(records)).filter((r) => r.state !== 'LISTEN')
    expect(queued.every((r) => r.owners !== null && r.owners.length === 0)).toBe(true)
  })

  it('-e: user and inode; inode 0 marks a queued connection; -o timers are dropped', () => {
    for (const name of ['tanpe', 'tanpeo', 'tanpeoW']) {
      const records = parseNetstat(readFixture(`netstat/${name}.txt`))
      const a = serverSide(records, portA(records))
      expect(a.filter((r) => r.inode === 0).map((r) => r.state).sort()).toEqual(['CLOSE-WAIT', 'CLOSE-WAIT', 'ESTAB'])
      expect(a.every((r) => r.uid === 0)).toBe(true)
      expect(records.some((r) => r.owners?.[0]?.name === 'scene srv (x)')).toBe(true)
    }
  })

  it('non-root: the warning line is skipped and "-" means the owner is unknown', () => {
    const records = parseNetstat(readFixture('netstat/tanp-nonroot.txt'))
    expect(records.every((r) => r.owners === null)).toBe(true)
  })

  it('non-root with some own processes: "Not all processes could be identified"; own owners shown, "-" unknown', () => {
    const records = parseNetstat(readFixture('netstat/tanp-partial.txt'))
    expect(records.map((r) => [r.state, r.recvQ, r.owners?.[0]?.name ?? r.owners])).toEqual([
      ['LISTEN', 1, 'python3'],
      ['CLOSE-WAIT', 114, null],
      ['FIN-WAIT-2', 0, null],
    ])
  })

  it('-an: no owner or inode column, owners unknown; tcp6 rows read as IPv6', () => {
    const records = parseNetstat(readFixture('netstat/an-grep.txt'))
    expect(records.every((r) => r.owners === null && r.inode === null)).toBe(true)
    expect(records.map((r) => r.local.address)).toContain('::1')
    expect(records.find((r) => r.state === 'LISTEN' && r.local.address === '::')!.peer).toEqual({address: '::', port: null})
  })

  it('narrow mode: addresses cut to 23 columns are reported as truncated, not guessed; -W prints them whole (captured in a network namespace)', () => {
    const records = parseNetstat(readFixture('netstat/ipv6-tan.txt'))
    expect(records[0]).toMatchObject({state: 'LISTEN', recvQ: 3, local: {address: '2001:db8:85a3::8a2e', port: 443, truncated: true}, peer: {address: '::', port: null}})
    // 2001:db8:85a3:0:1::51 cut to 2001:db8:85a3:0:1: it still reads as an address, so only the width tells.
    expect(records[1]!.local).toEqual({address: '2001:db8:85a3:0:1', port: 47393, truncated: true})
    expect(records.filter((r) => r.state === 'CLOSE-WAIT').map((r) => [r.recvQ, r.local.port])).toEqual([[114, 443], [114, 443]])
    const wide = parseNetstat(readFixture('netstat/ipv6-tanW.txt'))
    expect(wide[0]!.local).toEqual({address: '2001:db8:85a3::8a2e:370:7334', port: 443})
    expect(wide[1]!.local).toEqual({address: '2001:db8:85a3:0:1::51', port: 47393})
  })

  it('the seed excerpt: LISTEN with 4 queued, four CLOSE_WAIT with 114 bytes', () => {
    const records = parseNetstat(readFixture('seed/netstat-an-grep-1022.txt'))
    expect(records.map((r) => [r.state, r.recvQ, r.peer.port])).toEqual([
      ['LISTEN', 4, null],
      ['CLOSE-WAIT', 114, 8785],
      ['CLOSE-WAIT', 114, 8787],
      ['CLOSE-WAIT', 114, 8786],
      ['CLOSE-WAIT', 114, 8784],
    ])
  })

  it('names the line of a garbage row', () => {
    expect(() => parseNetstat('Proto Recv-Q Send-Q Local Address Foreign Address State\ntcp 0 0 nonsense\n')).toThrow(
      'netstat output, line 2: expected Proto Recv-Q Send-Q Local Foreign State: "tcp 0 0 nonsense"',
    )
    expect(() => parseNetstat('garbage here')).toThrow('netstat output, line 1: expected a tcp or tcp6 row')
  })
})
