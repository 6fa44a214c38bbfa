import {describe, expect, it} from 'vitest'
import {parseSaved} from '../../src/probes/detect-format.js'
import {parseLsof} from '../../src/probes/lsof.js'
import {parseNetstat} from '../../src/probes/netstat.js'
import {parseServices} from '../../src/probes/services.js'
import {parseSs} from '../../src/probes/ss.js'
import type {SocketRecord} from '../../src/probes/types.js'
import {readFixture} from './fixtures.js'

// The names this host's /etc/services gave when test/fixtures/capture-paste.sh ran (socks = 1080).
const services = parseServices('socks\t\t1080/tcp\t\t\t# socks proxy server\n')

/** Port S of test/servers/paste-scene.py: the listener with 3 queued connections and backlog 8. */
function sceneS(records: SocketRecord[]): SocketRecord[] {
  const listener = records.find((record) => record.state === 'LISTEN' && record.recvQ === 3 && record.sendQ === 8)
  if (!listener?.local.port) throw new Error('no listener with 3 queued connections')
  return records.filter((record) => record.local.port === listener.local.port)
}

const shape = (records: SocketRecord[]) => records.map((record) => [record.state, record.recvQ]).sort()
const sceneShape = [['CLOSE-WAIT', 114], ['CLOSE-WAIT', 114], ['ESTAB', 0], ['LISTEN', 3]]

describe('ss 6.1 captures users paste', () => {
  for (const name of ['tuan-netid', 'tuanp-mixed', 'an-grep']) {
    it(`${name}: TCP rows taken from mixed Netid output, the others not returned`, () => {
      const records = parseSs(readFixture(`ss/${name}.txt`).split('\n').filter((line) => !line.startsWith('RTNETLINK')).join('\n'))
      expect(records).toHaveLength(14)
      expect(shape(sceneS(records))).toEqual(sceneShape)
    })
  }

  it('without -n: service names resolved with /etc/services, host names (-r) kept as given', () => {
    const named = parseSs(readFixture('ss/tap-names.txt'), {services})
    expect(shape(sceneS(named))).toEqual(sceneShape)
    expect(sceneS(named)[0]!.local).toEqual({address: '127.0.0.1', port: 1080, portName: 'socks'})
    const hosts = parseSs(readFixture('ss/tapr-hosts.txt'), {services})
    expect(sceneS(hosts).map((record) => record.local.address)).toEqual(['localhost', 'localhost', 'localhost', 'localhost'])
    // Not in the services given: the name is kept, the port is unknown.
    expect(parseSs(readFixture('ss/tap-names.txt'))[0]!.local).toEqual({address: '127.0.0.1', port: null, portName: 'socks'})
  })

  it('a state filter: no State column, the state given by the command; -p marks the rows without users as ownerless', () => {
    for (const name of ['state-close-wait-n', 'state-close-wait-p', 'state-close-wait-pe']) {
      const records = parseSs(readFixture(`ss/${name}.txt`), {state: 'CLOSE-WAIT'})
      expect(records.map((record) => [record.state, record.recvQ, record.local.port === 1080])).toEqual([
        ['CLOSE-WAIT', 114, true],
        ['CLOSE-WAIT', 1, false],
        ['CLOSE-WAIT', 1, false],
        ['CLOSE-WAIT', 114, true],
      ])
    }
    const withP = parseSs(readFixture('ss/state-close-wait-p.txt'), {state: 'CLOSE-WAIT'})
    expect(withP.map((record) => record.owners?.length)).toEqual([0, 1, 1, 0])
    expect(parseSs(readFixture('ss/state-close-wait-n.txt')).every((record) => record.owners === null && record.state === 'UNKNOWN')).toBe(true)
  })
})

// Captured from Debian releases' own tools in a chroot (test/fixtures/capture-debian.sh), on the same scene.
const releases = ['bullseye', 'trixie', 'sid'] as const

describe('ss of other Debian releases (iproute2 5.10, 6.15, 7.3)', () => {
  for (const release of releases) {
    for (const name of ['tan', 'tanp', 'tanpe', 'tanm', 'tanpi', 'tanpeimO', 'tuan-netid', 'an-grep']) {
      it(`${release}-${name}: 14 TCP rows, the stuck port's LISTEN 3, ESTAB and 2 CLOSE-WAIT with 114 bytes`, () => {
        const records = parseSs(readFixture(`ss/${release}-${name}.txt`).split('\n').filter((line) => !line.startsWith('RTNETLINK')).join('\n'))
        expect(records).toHaveLength(14)
        expect(shape(sceneS(records))).toEqual(sceneShape)
      })
    }

    it(`${release}: -tlnm listeners with skmem drops; without -n the service name; a state filter`, () => {
      const listeners = parseSs(readFixture(`ss/${release}-tlnm.txt`))
      expect(listeners.map((record) => [record.state, record.drops])).toEqual([['LISTEN', 0], ['LISTEN', 0]])
      expect(sceneS(listeners)).toHaveLength(1)
      expect(shape(sceneS(parseSs(readFixture(`ss/${release}-tap-names.txt`), {services})))).toEqual(sceneShape)
      const filtered = parseSs(readFixture(`ss/${release}-state-close-wait-p.txt`), {state: 'CLOSE-WAIT'})
      expect(filtered.map((record) => [record.recvQ, record.owners?.length]).sort()).toEqual([[1, 1], [1, 1], [114, 0], [114, 0]])
    })
  }

  for (const release of ['trixie', 'sid']) {
    it(`${release}: -Q prints no queue columns; under a state filter its rows start with the right-aligned address`, () => {
      const records = parseSs(readFixture(`ss/${release}-tanpeQ.txt`).split('\n').filter((line) => !line.startsWith('Failed to find')).join('\n'))
      expect(records).toHaveLength(14)
      const stuck = records.filter((record) => record.local.port === 1080)
      expect(stuck.map((record) => [record.state, record.queuesShown, record.owners?.length]).sort()).toEqual([
        ['CLOSE-WAIT', false, 0],
        ['CLOSE-WAIT', false, 0],
        ['ESTAB', false, 0],
        ['LISTEN', false, 1],
      ])
      const filtered = parseSs(readFixture(`ss/${release}-state-close-wait-pQ.txt`), {state: 'CLOSE-WAIT'})
      expect(filtered.map((record) => [record.state, record.queuesShown, record.local.port === 1080, record.owners?.length]).sort()).toEqual([
        ['CLOSE-WAIT', false, false, 1],
        ['CLOSE-WAIT', false, false, 1],
        ['CLOSE-WAIT', false, true, 0],
        ['CLOSE-WAIT', false, true, 0],
      ])
    })
  }
})

describe('netstat of other Debian releases (net-tools 1.60+git20181103 and 2.10) and busybox netstat (1.30, 1.37, 1.38)', () => {
  for (const release of releases) {
    for (const name of ['tan', 'tanp', 'tanpe', 'tanpeo', 'tanW', 'tanpeoW', 'tanp-nonroot', 'an-grep', 'busybox-tan', 'busybox-tane', 'busybox-an-grep']) {
      it(`${release}-${name}: the stuck port's LISTEN 3, ESTAB and 2 CLOSE-WAIT with 114 bytes`, () => {
        // As --file reads it (bullseye-tanp-nonroot.txt lists one CLOSE_WAIT twice: counted once).
        const {format, sockets: records} = parseSaved(readFixture(`netstat/${release}-${name}.txt`), name)
        expect(format).toBe('netstat')
        expect(records).toHaveLength(14)
        // netstat has no backlog column: Send-Q of LISTEN is 0; the scene's backlog is 8.
        expect(shape(sceneS(records.map((record) => ({...record, sendQ: record.state === 'LISTEN' ? 8 : record.sendQ}))))).toEqual(sceneShape)
        // Owners with -p as root; as nobody, netstat says it could not see them ("-": unknown).
        const owned = ['tanp', 'tanpe', 'tanpeo', 'tanpeoW'].includes(name)
        expect(records.every((record) => (record.owners !== null) === owned), 'owners shown only with -p').toBe(true)
      })
    }
    for (const name of ['tap-names', 'ta-names']) {
      it(`${release}-${name}: localhost and socks`, () => {
        const records = parseNetstat(readFixture(`netstat/${release}-${name}.txt`), services)
        expect(records.find((record) => record.state === 'LISTEN' && record.recvQ === 3)!.local).toEqual({address: 'localhost', port: 1080, portName: 'socks'})
      })
    }
  }
})

describe('busybox 1.37 netstat built with -p and -W (as Alpine builds it)', () => {
  for (const name of ['busybox-tanp', 'busybox-tanpW']) {
    it(`${name}: "PID/Program name" as net-tools prints it, "-" for the queued connections`, () => {
      const {sockets: records} = parseSaved(readFixture(`netstat/${name}.txt`), name)
      expect(records).toHaveLength(14)
      const stuck = sceneS(records.map((record) => ({...record, sendQ: record.state === 'LISTEN' ? 8 : record.sendQ})))
      expect(shape(stuck)).toEqual(sceneShape)
      expect(stuck.map((record) => [record.state, record.owners?.map((owner) => owner.name)]).sort()).toEqual([
        ['CLOSE-WAIT', []],
        ['CLOSE-WAIT', []],
        ['ESTAB', []],
        ['LISTEN', ['python3']],
      ])
    })
  }
})

describe('lsof of other Debian releases (4.93, 4.99)', () => {
  for (const release of releases) {
    it(`${release}: lsof -nP -iTCP lists the listener and the owned sockets, never the queued ones`, () => {
      const records = parseLsof(readFixture(`lsof/${release}-nP-iTCP.txt`))
      expect(records).toHaveLength(11)
      expect(records.filter((record) => record.local.port === 1080).map((record) => record.state)).toEqual(['LISTEN'])
      expect(parseLsof(readFixture(`lsof/${release}-nP-close-wait.txt`)).map((record) => [record.state, record.owners?.length])).toEqual([
        ['CLOSE-WAIT', 1],
        ['CLOSE-WAIT', 1],
      ])
      const queued = parseLsof(readFixture(`lsof/${release}-nP-iTCP-Tqs.txt`))
      expect(queued.find((record) => record.state === 'LISTEN' && record.local.port === 1080)).toMatchObject({recvQ: 3, sendQ: 0})
      expect(parseLsof(readFixture(`lsof/${release}-n-iTCP-names.txt`), services)[0]!.local).toEqual({address: '127.0.0.1', port: 1080, portName: 'socks'})
    })
  }
})

describe('netstat 2.10 captures users paste', () => {
  it('without -n: localhost and socks', () => {
    for (const name of ['tap-names', 'ta-names']) {
      const records = parseNetstat(readFixture(`netstat/${name}.txt`), services)
      expect(shape(sceneS(records.map((record) => ({...record, sendQ: record.state === 'LISTEN' ? 8 : record.sendQ}))))).toEqual(sceneShape)
      expect(records[0]!.local).toEqual({address: 'localhost', port: 1080, portName: 'socks'})
    }
  })

  it('netstat -an | grep: udp and unix rows skipped', () => {
    const records = parseNetstat(readFixture('netstat/an-grep-mixed.txt'))
    expect(records).toHaveLength(14)
    expect(records.filter((record) => record.local.port === 1080).map((record) => record.state).sort()).toEqual(['CLOSE-WAIT', 'CLOSE-WAIT', 'ESTAB', 'LISTEN'])
  })
})

describe('parseLsof (lsof 4.95)', () => {
  it('lsof -nP -iTCP: COMMAND, PID and FD as owners, DEVICE as the inode, no queue sizes', () => {
    const records = parseLsof(readFixture('lsof/nP-iTCP.txt'))
    expect(records).toHaveLength(11)
    const listener = records.find((record) => record.state === 'LISTEN' && record.local.port === 1080)!
    expect(listener).toMatchObject({owners: [{name: 'python3', pid: expect.any(Number), fd: 4}], peer: {address: '*', port: null}, queuesShown: false})
    expect(listener.inode).toBeGreaterThan(0)
    // Queued connections have no file: lsof never lists them, only the clients' ends.
    expect(records.filter((record) => record.local.port === 1080).map((record) => record.state)).toEqual(['LISTEN'])
    const closeWait = records.filter((record) => record.state === 'CLOSE-WAIT')
    expect(closeWait.map((record) => [record.local.port, record.owners![0]!.fd])).toEqual([
      [34897, 12],
      [34897, 14],
    ])
  })

  it('-T qs: queue sizes; without -P: service names', () => {
    const queued = parseLsof(readFixture('lsof/nP-iTCP-Tqs.txt'))
    expect(queued.find((record) => record.state === 'LISTEN' && record.local.port === 1080)).toMatchObject({recvQ: 3, sendQ: 0})
    expect(queued.every((record) => record.queuesShown === undefined)).toBe(true)
    expect(queued.filter((record) => record.state === 'CLOSE-WAIT').map((record) => record.recvQ)).toEqual([1, 1])
    const named = parseLsof(readFixture('lsof/n-iTCP-names.txt'), services)
    expect(named[0]!.local).toEqual({address: '127.0.0.1', port: 1080, portName: 'socks'})
  })

  it('one socket held by several processes is one record with each owner', () => {
    const text = ['COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME', 'nginx 10 root 6u IPv4 5000 0t0 TCP *:8080 (LISTEN)', 'nginx 11 www 6u IPv4 5000 0t0 TCP *:8080 (LISTEN)'].join('\n')
    expect(parseLsof(text)).toEqual([expect.objectContaining({owners: [{name: 'nginx', pid: 10, fd: 6}, {name: 'nginx', pid: 11, fd: 6}], inode: 5000})])
  })
})
