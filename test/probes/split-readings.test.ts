import {describe, expect, it} from 'vitest'
import {parseTimeLine} from '../../src/probes/reading-time.js'
import {ReadingSplitter, cleanLine, parseCommandLine, stateFilterOf, type Reading} from '../../src/probes/split-readings.js'
import {readFixture} from './fixtures.js'

function split(text: string): {readings: Reading[]; splitter: ReadingSplitter} {
  const splitter = new ReadingSplitter()
  const readings: Reading[] = []
  text.split('\n').forEach((line, index) => readings.push(...splitter.push(line, index + 1)))
  readings.push(...splitter.end())
  return {readings, splitter}
}

/** The port of the fixture's listener with 3 queued connections. */
function stuckPort(reading: Reading): number {
  return reading.sockets.find((socket) => socket.state === 'LISTEN' && socket.recvQ === 3)!.local.port!
}

describe('parseTimeLine', () => {
  it('reads date +%s.%N, date (C locale, -R, en_US), ISO 8601 and watch headers', () => {
    expect(parseTimeLine('1796215429.034779231')).toEqual({at: 1_796_215_429_034.779, kind: 'epoch'})
    expect(parseTimeLine('1796215429')?.at).toBe(1_796_215_429_000)
    expect(parseTimeLine('1796215429.%N')?.at).toBe(1_796_215_429_000)
    const at = Date.UTC(2026, 11, 2, 12, 44, 21)
    expect(parseTimeLine('Wed Dec  2 12:44:21 UTC 2026')).toEqual({at, kind: 'date'})
    expect(parseTimeLine('Wed, 02 Dec 2026 13:44:21 +0100')?.at).toBe(at)
    expect(parseTimeLine('Wed 02 Dec 2026 12:44:21 PM UTC')?.at).toBe(at)
    expect(parseTimeLine('2026-12-02T12:44:21+00:00')).toEqual({at, kind: 'iso'})
    expect(parseTimeLine('Every 1.0s: ss -tanpe                         web-1: Wed Dec  2 12:44:21 2026')).toEqual({
      at,
      kind: 'watch',
      command: 'ss -tanpe',
      intervalMs: 1000,
    })
  })

  it('is not fooled by rows and numbers', () => {
    for (const line of ['LISTEN 0 128 0.0.0.0:22 0.0.0.0:*', '1080', '114    0   127.0.0.1:1080 127.0.0.1:39800', 'Script started on 2026-12-02 12:44:53+00:00 [COMMAND="bash"]']) {
      expect(parseTimeLine(line)).toBeNull()
    }
  })
})

describe('line hygiene', () => {
  it('cleanLine drops CR, BOM, colour codes and what a CR redrew over', () => {
    expect(cleanLine('\uFEFFState Recv-Q\r')).toBe('State Recv-Q')
    expect(cleanLine('tcp 3 0 127.0.0.1\u001B[01;31m\u001B[K:34829\u001B[m\u001B[K  0.0.0.0:* LISTEN')).toBe('tcp 3 0 127.0.0.1:34829  0.0.0.0:* LISTEN')
    expect(cleanLine('\u001B[?2004l\rRecv-Q Send-Q\r')).toBe('Recv-Q Send-Q')
  })

  it('parseCommandLine finds the command after a prompt, sudo or kubectl exec, and not in an lsof row', () => {
    expect(parseCommandLine('bash-5.2# ss -tn state close-wait "( sport = :1 )"')).toBe('ss -tn state close-wait "( sport = :1 )"')
    expect(parseCommandLine('root@web-1:~# sudo netstat -tanp | grep 1022')).toBe('netstat -tanp | grep 1022')
    expect(parseCommandLine('$ kubectl exec -it web-0 -- ss -tanpe')).toBe('ss -tanpe')
    expect(parseCommandLine('ss 812 root 3u IPv4 1 0t0 TCP *:1 (LISTEN)')).toBeNull()
    expect(stateFilterOf('ss -tnp state close-wait "( sport = :1 )"')).toBe('CLOSE-WAIT')
    expect(stateFilterOf('ss -tn state established state close-wait')).toBeUndefined()
  })
})

describe('ReadingSplitter on captured files', () => {
  it('a date +%s.%N recording of ss -tanpe: 32 timed readings over about 31 s', () => {
    const {readings, splitter} = split(readFixture('recordings/stuck-32s-ss-epoch.txt'))
    expect(readings).toHaveLength(32)
    expect(readings.every((reading) => reading.at !== null && reading.sockets.length === 4)).toBe(true)
    const span = readings.at(-1)!.at! - readings[0]!.at!
    expect(span).toBeGreaterThan(30_000)
    expect(span).toBeLessThan(40_000)
    expect([...splitter.stats.timeKinds]).toEqual(['epoch'])
  })

  it('netstat with `date` lines, and ss with `date -R` after each reading', () => {
    const netstat = split(readFixture('recordings/brief-close-wait-netstat-date.txt')).readings
    expect(netstat).toHaveLength(10)
    expect(netstat.every((reading) => reading.source === 'netstat' && reading.at !== null)).toBe(true)
    const trailing = split(readFixture('recordings/trailing-date-ss.txt')).readings
    expect(trailing).toHaveLength(4)
    expect(trailing.map((reading) => reading.at! - trailing[0]!.at!)).toEqual([0, 1000, 2000, 3000].map((ms) => expect.closeTo(ms, -3)))
  })

  it('a recording without times: a reading per repeated header, in file order', () => {
    const {readings} = split(readFixture('recordings/untimed-ss.txt'))
    expect(readings).toHaveLength(6)
    expect(readings.every((reading) => reading.at === null)).toBe(true)
    expect(readings.map((reading) => reading.line)).toEqual([1, 6, 11, 16, 21, 26])
  })

  it('a recording without headers (grep took them): a reading each time a connection is listed again', () => {
    const text = readFixture('recordings/untimed-ss.txt')
      .split('\n')
      .filter((line) => !line.startsWith('State'))
      .join('\n')
    const {readings} = split(text)
    expect(readings.map((reading) => reading.sockets.length)).toEqual([4, 4, 4, 4, 4, 4])
    // Listeners sharing a port (SO_REUSEPORT) are listed one after the other: one reading.
    const reuse = 'LISTEN 0 128 0.0.0.0:80 0.0.0.0:*\nLISTEN 0 128 0.0.0.0:80 0.0.0.0:*\nESTAB 0 0 10.0.0.1:80 10.0.0.2:5000\n'
    expect(split(reuse).readings.map((reading) => reading.sockets.length)).toEqual([3])
  })

  it('cat /proc/net/tcp /proc/net/tcp6 is one reading (same header, told apart by the first row); the pair again is the next', () => {
    const tcp = readFixture('proc/tcp.txt')
    const tcp6 = readFixture('proc/tcp6.txt')
    const count = (text: string) => split(text).readings.map((reading) => reading.sockets.length)
    const v4 = count(tcp)[0]!
    const v6 = count(tcp6)[0]!
    expect(count(tcp + tcp6)).toEqual([v4 + v6])
    expect(count(tcp + tcp6 + tcp + tcp6)).toEqual([v4 + v6, v4 + v6])
    expect(count(tcp + tcp + tcp)).toEqual([v4, v4, v4])
  })

  it('a script(1) session: CRLF, prompt, the command echoed; its state filter names the state', () => {
    const {readings, splitter} = split(readFixture('paste/script-state-close-wait.txt'))
    expect(readings).toHaveLength(1)
    expect(readings[0]!.sockets.map((socket) => [socket.state, socket.recvQ])).toEqual([
      ['CLOSE-WAIT', 114],
      ['CLOSE-WAIT', 114],
    ])
    expect(splitter.stats.noise.count).toBeGreaterThan(0)
    expect(splitter.stats.bad.count).toBe(0)
  })

  it('two commands pasted together (ss -tln, then ss -tnp state close-wait) are one reading', () => {
    const {readings} = split(readFixture('paste/script-two-commands.txt'))
    expect(readings).toHaveLength(1)
    const port = stuckPort(readings[0]!)
    expect(readings[0]!.sockets.map((socket) => [socket.state, socket.local.port === port, socket.owners?.length ?? null])).toEqual([
      ['LISTEN', true, null],
      ['CLOSE-WAIT', true, 0],
      ['CLOSE-WAIT', true, 0],
    ])
  })

  it('kubectl messages before the output and grep colour codes are skipped, not read as rows', () => {
    const kubectl = split(readFixture('paste/kubectl-noise-ss.txt'))
    expect(kubectl.readings).toHaveLength(1)
    expect(kubectl.readings[0]!.sockets).toHaveLength(4)
    expect(kubectl.splitter.stats.noise).toMatchObject({count: 3, first: {line: 1}})
    const grep = split(readFixture('paste/grep-color-netstat.txt'))
    const port = stuckPort(grep.readings[0]!)
    const server = grep.readings[0]!.sockets.filter((socket) => socket.local.port === port)
    expect(server.map((socket) => socket.state).sort()).toEqual(['CLOSE-WAIT', 'CLOSE-WAIT', 'ESTAB', 'LISTEN'])
    expect(grep.splitter.stats.noise.count + grep.splitter.stats.bad.count).toBe(0)
  })

  it('several outputs of different tools in one file are taken apart by their headers', () => {
    const text = [readFixture('ss/tanpe.txt'), readFixture('netstat/tanpe.txt'), readFixture('lsof/nP-iTCP.txt')].join('\n')
    const {readings, splitter} = split(text)
    expect([...splitter.stats.formats]).toEqual(['ss', 'netstat', 'lsof'])
    // No time line between them: one moment, each connection once.
    expect(readings).toHaveLength(1)
    expect(splitter.stats.bad.count).toBe(0)
  })

  it('a row that cannot be read is counted and skipped, the rest read', () => {
    const lines = readFixture('ss/tan.txt').split('\n')
    lines.splice(2, 0, 'LISTEN 0 x 127.0.0.1:5 0.0.0.0:*')
    const {readings, splitter} = split(lines.join('\n'))
    expect(readings[0]!.sockets).toHaveLength(16)
    expect(splitter.stats.bad.count).toBe(1)
    expect(splitter.stats.bad.first!.message).toContain('ss output, line 3: expected Recv-Q and Send-Q numbers')
  })
})
