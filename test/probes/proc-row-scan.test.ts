import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {acceptQueueOf, countConnections} from '../../src/probes/socket-evidence.js'
import {formatIpv6} from '../../src/probes/address.js'
import {countPortRows, scanListenRows} from '../../src/probes/proc-row-scan.js'
import {parseProcNetTcp} from '../../src/probes/procfs.js'
import {kernelStates} from '../../src/probes/tcp-states.js'
import type {SocketRecord} from '../../src/probes/types.js'
import {readFixture} from './fixtures.js'
import {printProcNetTcp, type ProcRow} from './print-tables.js'

const bytesOf = (text: string) => Buffer.from(text, 'latin1')
const LISTEN = 0x0a

/** What the full parser and the evidence functions say of the port: the numbers to match. */
function fullReading(records: SocketRecord[], port: number) {
  const snapshot = {at: 0, source: 'proc' as const, sockets: records}
  return {acceptQueue: acceptQueueOf(snapshot, port), ...countConnections(snapshot, port)}
}

describe('countPortRows and scanListenRows on captured tables', () => {
  for (const name of ['proc/tcp.txt', 'proc/tcp6.txt']) {
    it(`${name}: the same numbers as parsing every row, for every port in it`, () => {
      const text = readFixture(name)
      const records = parseProcNetTcp(text)
      expect(records.some((r) => r.state === 'LISTEN' && r.recvQ > 0)).toBe(true)
      for (const port of new Set(records.map((r) => r.local.port!))) {
        expect(countPortRows(bytesOf(text), port)).toEqual(fullReading(records, port))
      }
    })
  }

  it('scanListenRows ends at the first row that is not LISTEN; null while every row is', () => {
    const text = readFixture('proc/tcp.txt')
    const lines = text.split('\n')
    const first = lines.findIndex((line, index) => index > 0 && line.trim() !== '' && !/^\s*\d+:\s+\S+\s+\S+\s+0A\s/.test(line))
    expect(first).toBeGreaterThan(1)
    const {end} = scanListenRows(bytesOf(text), 0)
    expect(text.slice(0, end!).split('\n').slice(0, -1)).toEqual(lines.slice(0, first + 1))
    expect(scanListenRows(bytesOf(lines.slice(0, first).join('\n') + '\n'), 0).end).toBeNull()
    // A row cut short by the end of a read is not a row yet.
    expect(scanListenRows(bytesOf(text.slice(0, text.indexOf('\n', text.indexOf(lines[first]!)) - 10)), 0).end).toBeNull()
  })

  it('a header alone, or nothing, holds no listener', () => {
    expect(scanListenRows(bytesOf(''), 80)).toEqual({acceptQueue: null, end: null})
    expect(countPortRows(bytesOf(readFixture('proc/tcp.txt').split('\n')[0]! + '\n'), 80)).toEqual({acceptQueue: null, estab: 0, closeWait: 0})
  })
})

const port = fc.integer({min: 0, max: 65_535})
const procRow = (v6: boolean): fc.Arbitrary<ProcRow> =>
  fc.record({
    local: fc.uint8Array({minLength: v6 ? 16 : 4, maxLength: v6 ? 16 : 4}),
    // Few ports, so that tables hold several rows of one port.
    localPort: fc.constantFrom(80, 443, 8080, 65_535),
    peer: fc.uint8Array({minLength: v6 ? 16 : 4, maxLength: v6 ? 16 : 4}),
    peerPort: port,
    state: fc.integer({min: 1, max: 12}),
    txQueue: fc.nat(0xffff_ffff),
    rxQueue: fc.nat(0xffff_ffff),
    uid: fc.nat(70_000),
    inode: fc.nat(10_000_000),
  })
const table = fc.boolean().chain((v6) => fc.tuple(fc.constant(v6), fc.array(procRow(v6), {maxLength: 30})))

/** The record parseProcNetTcp must give for a generated row. */
function recordOf(row: ProcRow): SocketRecord {
  const address = (bytes: Uint8Array) => (bytes.length === 4 ? bytes.join('.') : formatIpv6(bytes))
  return {
    state: kernelStates[row.state] ?? 'UNKNOWN',
    recvQ: row.rxQueue,
    sendQ: row.txQueue,
    local: {address: address(row.local), port: row.localPort},
    peer: {address: address(row.peer), port: row.peerPort === 0 ? null : row.peerPort},
    owners: null,
    inode: row.inode,
    uid: row.uid,
  }
}

describe('generated /proc tables, printed as the kernel prints them', () => {
  it('parseProcNetTcp gives the rows back', () => {
    fc.assert(
      fc.property(table, ([v6, rows]) => {
        expect(parseProcNetTcp(printProcNetTcp(rows, v6))).toEqual(rows.map(recordOf))
      }),
      {numRuns: 300},
    )
  })

  it('countPortRows gives what the full parser gives, for every port', () => {
    fc.assert(
      fc.property(table, ([v6, rows]) => {
        const text = printProcNetTcp(rows, v6)
        const records = rows.map(recordOf)
        for (const localPort of [80, 443, 8080, 65_535, 1]) expect(countPortRows(bytesOf(text), localPort)).toEqual(fullReading(records, localPort))
      }),
      {numRuns: 300},
    )
  })

  it('scanListenRows reads the listeners the kernel prints first and stops after the first other row', () => {
    fc.assert(
      fc.property(table, ([v6, rows]) => {
        const listeners = rows.filter((row) => row.state === LISTEN)
        const others = rows.filter((row) => row.state !== LISTEN)
        const text = printProcNetTcp([...listeners, ...others], v6)
        const lines = text.split('\n')
        const {acceptQueue, end} = scanListenRows(bytesOf(text), 80)
        const queued = listeners.filter((row) => row.localPort === 80)
        expect(acceptQueue).toBe(queued.length === 0 ? null : queued.reduce((sum, row) => sum + row.rxQueue, 0))
        expect(end).toBe(others.length === 0 ? null : lines.slice(0, listeners.length + 2).join('\n').length + 1)
      }),
      {numRuns: 300},
    )
  })

  it('any bytes give numbers, never an exception', () => {
    const real = readFixture('proc/tcp6.txt')
    const mangled = fc.oneof(
      fc.uint8Array({maxLength: 600}),
      fc.tuple(fc.nat(real.length), fc.nat(80), fc.uint8Array({maxLength: 8})).map(([at, cut, insert]) =>
        Buffer.concat([bytesOf(real.slice(0, at)), insert, bytesOf(real.slice(at + cut))]),
      ),
    )
    fc.assert(
      fc.property(mangled, port, (bytes, localPort) => {
        const counts = countPortRows(bytes, localPort)
        expect(counts.estab + counts.closeWait).toBeGreaterThanOrEqual(0)
        const {end} = scanListenRows(bytes, localPort)
        expect(end === null || (end > 0 && end <= bytes.length)).toBe(true)
      }),
      {numRuns: 500},
    )
  })
})
