import {describe, expect, it} from 'vitest'
import {DEFAULT_PAYLOAD_BYTES, DEFAULT_WAVES, resolveProtocol, resolveRepeat, resolveWaves, serverProtocolFor} from '../../src/cli/load-flags.js'
import {parseEscapes} from '../../src/cli/parse-escapes.js'
import {UserError} from '../../src/user-error.js'

const waves = (overrides: Partial<Parameters<typeof resolveWaves>[0]> = {}) =>
  resolveWaves({engine: 'ab', keepalive: true, requests: 1000, concurrency: 94, ...overrides})
const protocol = (overrides: Partial<Parameters<typeof resolveProtocol>[0]> = {}) => resolveProtocol({protocol: 'http', engine: 'ab', ...overrides})

describe('--waves', () => {
  it('defaults to DEFAULT_WAVES, fewer when -n cannot give every connection of every wave a request', () => {
    expect(waves()).toBe(DEFAULT_WAVES)
    expect(waves({requests: 500})).toBe(5)
    expect(waves({requests: 100})).toBe(1)
    expect(waves({requests: 10_000, concurrency: 10})).toBe(DEFAULT_WAVES)
  })

  it('is 1 where waves do not apply, and as given otherwise', () => {
    expect(waves({engine: 'autocannon'})).toBe(1)
    expect(waves({keepalive: false})).toBe(1)
    expect(waves({duration: '5s'})).toBe(1)
    expect(waves({waves: 3})).toBe(3)
    expect(() => waves({waves: 3, duration: '5s'})).toThrow(/--waves divides -n over the bursts, and --duration runs by time/)
  })
})

describe('--repeat', () => {
  const single = (kind: string) => ({kind: 'single' as const, target: {kind}})
  it('is 5 per mode in the matrix and 1 on one target unless given', () => {
    expect(resolveRepeat(undefined, {kind: 'matrix'})).toBe(5)
    expect(resolveRepeat(undefined, single('command'))).toBe(1)
    expect(resolveRepeat(7, single('reference'))).toBe(7)
  })

  it('refuses a server already running: it cannot be started fresh', () => {
    expect(() => resolveRepeat(3, single('url'))).toThrow(/--repeat starts a fresh server for each run, and --url names one already running/)
    expect(resolveRepeat(1, single('url'))).toBe(1)
  })
})

describe('--protocol', () => {
  it('http, echo with its payload, raw with escapes', () => {
    expect(protocol()).toEqual({kind: 'http'})
    expect(protocol({protocol: 'echo'})).toEqual({kind: 'echo', payloadBytes: DEFAULT_PAYLOAD_BYTES})
    expect(protocol({protocol: 'echo', payload: 7})).toEqual({kind: 'echo', payloadBytes: 7})
    expect(protocol({protocol: 'raw', send: 'PING\\r\\n', expect: '+PONG\\r\\n'})).toEqual({
      kind: 'raw',
      send: Buffer.from('PING\r\n'),
      expect: Buffer.from('+PONG\r\n'),
    })
  })

  it('refuses, in one line, a flag that does not apply to the protocol', () => {
    const cases: Array<[Parameters<typeof protocol>[0], RegExp]> = [
      [{payload: 10}, /^--payload is for --protocol echo, not --protocol http$/],
      [{send: 'x'}, /^--send is for --protocol raw, not --protocol http$/],
      [{protocol: 'echo', expect: 'x'}, /^--expect is for --protocol raw, not --protocol echo$/],
      [{protocol: 'echo', 'body-size': 100}, /^--body-size is for --protocol http, not --protocol echo$/],
      [{protocol: 'raw', send: 'x', expect: 'y', payload: 3}, /^--payload is for --protocol echo, not --protocol raw$/],
      [{protocol: 'raw', send: 'PING\\r\\n'}, /^--protocol raw needs --send and --expect$/],
      [{protocol: 'raw', send: '', expect: 'y'}, /^--send is empty$/],
      [{protocol: 'echo', engine: 'autocannon'}, /^--protocol echo needs the native or ab engine: autocannon speaks only http$/],
    ]
    for (const [flags, message] of cases) {
      const error = (() => {
        try {
          protocol(flags)
        } catch (caught) {
          return caught
        }
        return null
      })()
      expect(error, JSON.stringify(flags)).toBeInstanceOf(UserError)
      expect((error as UserError).message).toMatch(message)
      expect((error as UserError).message).not.toContain('\n')
    }
  })

  it('gives the reference server http or echo; raw needs the user\'s own server', () => {
    expect(serverProtocolFor({kind: 'echo', payloadBytes: 4}, true)).toBe('echo')
    expect(serverProtocolFor({kind: 'http'}, true)).toBe('http')
    expect(serverProtocolFor({kind: 'raw', send: Buffer.from('a'), expect: Buffer.from('b')}, false)).toBe('http')
    expect(() => serverProtocolFor({kind: 'raw', send: Buffer.from('a'), expect: Buffer.from('b')}, true)).toThrow(/the reference server speaks http or echo, not --protocol raw/)
  })
})

describe('parseEscapes', () => {
  it('turns \\r \\n \\t \\\\ and \\xHH into their bytes and leaves the rest as UTF-8', () => {
    expect(parseEscapes('PING\\r\\n', '--send')).toEqual(Buffer.from('PING\r\n'))
    expect(parseEscapes('a\\tb\\\\c', '--send')).toEqual(Buffer.from('a\tb\\c'))
    expect(parseEscapes('\\x00\\xff\\x0A', '--send')).toEqual(Buffer.from([0, 255, 10]))
    expect(parseEscapes('é', '--send')).toEqual(Buffer.from('é', 'utf8'))
    expect(parseEscapes('', '--send')).toEqual(Buffer.alloc(0))
  })

  it('refuses any other escape', () => {
    expect(() => parseEscapes('a\\qb', '--send')).toThrow(/^--send: unknown escape \\q$/)
    expect(() => parseEscapes('\\x4', '--expect')).toThrow(/^--expect: unknown escape \\x4$/)
    expect(() => parseEscapes('end\\', '--send')).toThrow(/unknown escape \\ at the end/)
  })
})
