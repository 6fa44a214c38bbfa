import {describe, expect, it} from 'vitest'
import {parseServerEvent} from '../../src/targets/server-events.js'

// Lines as the reference server printed them (captured from reference-server/build/reactor-server).
const listening = '{"event":"listening","host":"127.0.0.1","port":42595,"pid":7733,"trigger":"et","threads":4,"accept":"once","read":"drain","backlog":128}'
const stats = '{"event":"stats","final":true,"uptime_ms":415,"accepted":95,"closed":95,"requests":1001,"listen_wakeups":4,"accept_eagain":4,"rejected":0,"open":[0,0,0,0,0]}'

describe('parseServerEvent', () => {
  it('reads the listening event with its mode', () => {
    expect(parseServerEvent(listening)).toEqual({
      event: 'listening',
      host: '127.0.0.1',
      port: 42595,
      pid: 7733,
      mode: {trigger: 'et', threads: 4, accept: 'once', read: 'drain', backlog: 128, protocol: 'http'},
    })
  })

  it('reads the protocol the server speaks (http when a server before --protocol leaves it out)', () => {
    const echo = listening.replace('}', ',"protocol":"echo"}')
    expect(parseServerEvent(echo)).toMatchObject({mode: {protocol: 'echo'}})
    expect(parseServerEvent(listening.replace('}', ',"protocol":"smtp"}'))).toBeNull()
  })

  it('reads a stats event into camelCase fields', () => {
    expect(parseServerEvent(stats)).toEqual({
      event: 'stats',
      final: true,
      uptimeMs: 415,
      accepted: 95,
      closed: 95,
      requests: 1001,
      listenWakeups: 4,
      acceptEagain: 4,
      rejected: 0,
      open: [0, 0, 0, 0, 0],
    })
  })

  it.each([
    ['not JSON', 'reactor-server: bind 127.0.0.1:1022: Address already in use'],
    ['a JSON scalar', '42'],
    ['an unknown event', '{"event":"hello"}'],
    ['a bad trigger', listening.replace('"et"', '"edge"')],
    ['a negative counter', stats.replace('"accepted":95', '"accepted":-1')],
    ['a missing counter', stats.replace('"rejected":0,', '')],
    ['a non-numeric open list', stats.replace('[0,0,0,0,0]', '["a"]')],
    ['a truncated line', stats.slice(0, 40)],
  ])('ignores %s', (_label, line) => {
    expect(parseServerEvent(line)).toBeNull()
  })
})
