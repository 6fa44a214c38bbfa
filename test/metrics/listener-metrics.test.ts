import {execa} from 'execa'
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {findingKindTable} from '../../src/diagnose/types.js'
import {formatListenAddress, parseListenAddress} from '../../src/metrics/listen-address.js'
import {ListenerMetrics} from '../../src/metrics/listener-metrics.js'
import {writeTextfile} from '../../src/metrics/write-textfile.js'
import {parseSs} from '../../src/probes/ss.js'
import type {Snapshot} from '../../src/probes/types.js'
import {keepServerSide} from '../../src/watch/read-listeners.js'
import {ListenerTracker} from '../../src/watch/watch-listeners.js'
import {readFixture} from '../probes/fixtures.js'

/** The captured scene of test/fixtures/ss/tanpe.{cmd,txt} (see test/watch/listener-gauges.test.ts), read twice 6 s apart. */
async function renderScene(): Promise<{text: string; portA: number; metrics: ListenerMetrics}> {
  const scene = (at: number): Snapshot => ({at, source: 'ss', sockets: keepServerSide(parseSs(readFixture('ss/tanpe.txt')), null)})
  const tracker = new ListenerTracker(5000, 20_000)
  tracker.update(scene(1_000_000), () => 'scene')
  const listeners = tracker.update(scene(1_006_000), () => 'scene')
  const metrics = new ListenerMetrics()
  metrics.update({at: 1_006_000, tookMs: 12, listeners, portsNotListening: [9]})
  const portA = listeners.find((figures) => figures.acceptQueue === 3)!.port
  return {text: await metrics.render(), portA, metrics}
}

const dir = mkdtempSync(join(tmpdir(), 'rd-metrics-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('ListenerMetrics', () => {
  it('exports listener A of the captured scene under reactor_doctor_ names with port, address, process labels', async () => {
    const {text, portA} = await renderScene()
    const labels = `port="${portA}",address="127.0.0.1",process="scene"`
    const lines = text.split('\n')
    for (const line of [
      `reactor_doctor_accept_queue_connections{${labels}} 3`,
      `reactor_doctor_accept_queue_backlog{${labels}} 8`,
      `reactor_doctor_never_accepted_sockets{${labels}} 3`,
      `reactor_doctor_close_wait_sockets{${labels}} 2`,
      `reactor_doctor_stuck_close_wait_sockets{${labels}} 2`,
      `reactor_doctor_oldest_close_wait_age_seconds{${labels}} 6`,
      `reactor_doctor_ownerless_close_wait_unread_sockets{${labels}} 2`,
      `reactor_doctor_finding{${labels},kind="accept-queue-not-drained"} 1`,
      `reactor_doctor_finding{${labels},kind="accepted-never-closed"} 0`,
      'reactor_doctor_port_listening{port="9"} 0',
      'reactor_doctor_last_reading_timestamp_seconds 1006',
      'reactor_doctor_reading_duration_seconds 0.012',
    ]) {
      expect(lines).toContain(line)
    }
    // One finding series per kind and listener; no client port anywhere in the labels.
    expect(lines.filter((line) => line.startsWith(`reactor_doctor_finding{${labels}`))).toHaveLength(findingKindTable.length)
    expect(lines.filter((line) => !line.startsWith('#')).join('\n')).not.toMatch(/peer|client/)
    expect(lines.filter((line) => line.startsWith('reactor_doctor_accept_queue_connections{'))).toHaveLength(4)
  })

  it('the rendering passes promtool check metrics (lint included)', async () => {
    const {text} = await renderScene()
    const result = await execa('promtool', ['check', 'metrics'], {input: text, reject: false})
    expect(result.exitCode, `${result.stdout}${result.stderr}`).toBe(0)
    expect(`${result.stdout}${result.stderr}`.trim()).toBe('')
  })

  it('a listener that went away leaves no series behind', async () => {
    const {text, metrics} = await renderScene()
    expect(text).toContain('reactor_doctor_accept_queue_connections{')
    metrics.update({at: 2_000_000, tookMs: 1, listeners: [], portsNotListening: []})
    expect(await metrics.render()).not.toContain('reactor_doctor_accept_queue_connections{')
  })
})

describe('writeTextfile', () => {
  it('replaces the file by a rename and leaves no temp file', async () => {
    const path = join(dir, 'reactor-doctor.prom')
    await writeTextfile(path, 'a 1\n')
    await writeTextfile(path, 'a 2\n')
    expect(readFileSync(path, 'utf8')).toBe('a 2\n')
    expect(readdirSync(dir)).toEqual(['reactor-doctor.prom'])
  })
})

describe('parseListenAddress', () => {
  it('reads HOST:PORT, [IPV6]:PORT and a bare PORT (loopback)', () => {
    expect(parseListenAddress('127.0.0.1:9464')).toEqual({host: '127.0.0.1', port: 9464})
    expect(parseListenAddress('0.0.0.0:9464')).toEqual({host: '0.0.0.0', port: 9464})
    expect(parseListenAddress('[::1]:0')).toEqual({host: '::1', port: 0})
    expect(parseListenAddress('9464')).toEqual({host: '127.0.0.1', port: 9464})
    expect(parseListenAddress('localhost:9464')).toEqual({host: '127.0.0.1', port: 9464})
    expect(formatListenAddress({host: '::1', port: 9464})).toBe('[::1]:9464')
  })

  it('refuses what is not one, naming it', () => {
    expect(() => parseListenAddress('127.0.0.1')).toThrow('--metrics-listen "127.0.0.1": expected HOST:PORT, [IPV6]:PORT or PORT')
    expect(() => parseListenAddress('127.0.0.1:70000')).toThrow('expected HOST:PORT')
    expect(() => parseListenAddress('::1:9464')).toThrow('expected HOST:PORT')
    expect(() => parseListenAddress('999.1.1.1:9464')).toThrow('"999.1.1.1" is not an IP address')
    expect(() => parseListenAddress('example.com:9464')).toThrow('is not an IP address')
  })
})
