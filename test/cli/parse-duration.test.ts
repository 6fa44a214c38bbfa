import {describe, expect, it} from 'vitest'
import {parseAcceptDelay} from '../../src/cli/accept-delay-flag.js'
import {MAX_DURATION_MS, parseDuration, parseInterval, parseMicroseconds, parsePositiveDuration} from '../../src/cli/parse-duration.js'

describe('parseDuration', () => {
  it('reads ms, s, m and bare seconds', () => {
    expect([parseDuration('250ms', '--x'), parseDuration('1.5s', '--x'), parseDuration('2m', '--x'), parseDuration('3', '--x'), parseDuration('0', '--x')]).toEqual([
      250, 1500, 120_000, 3000, 0,
    ])
  })

  it('names the flag and the text it cannot read', () => {
    expect(() => parseDuration('5 minutes', '--settle')).toThrow('--settle 5 minutes is not a duration')
    expect(() => parseDuration('-1s', '--settle')).toThrow('--settle -1s is not a duration')
  })
})

describe('parseInterval', () => {
  it('takes a millisecond or more, refuses less', () => {
    expect(parseInterval('1ms', '--interval')).toBe(1)
    expect(parseInterval('20ms', '--interval')).toBe(20)
    expect(() => parseInterval('0', '--interval')).toThrow('--interval 0 is too short: samples need at least 1ms between them')
    expect(() => parseInterval('0.4ms', '--interval')).toThrow('--interval 0.4ms is too short')
  })
})

describe('parseMicroseconds', () => {
  it('reads us, µs, ms, s and bare microseconds', () => {
    expect([parseMicroseconds('50us', '--x'), parseMicroseconds('50µs', '--x'), parseMicroseconds('0.2ms', '--x'), parseMicroseconds('1s', '--x'), parseMicroseconds('7', '--x')]).toEqual([
      50, 50, 200, 1_000_000, 7,
    ])
    expect(() => parseMicroseconds('fast', '--accept-delay')).toThrow('--accept-delay fast is not a duration')
  })
})

describe('parseAcceptDelay', () => {
  it('takes up to the second the reference server allows', () => {
    expect(parseAcceptDelay('50us')).toBe(50)
    expect(parseAcceptDelay('1s')).toBe(1_000_000)
    expect(() => parseAcceptDelay('10s')).toThrow('--accept-delay 10s is more than the reference server takes (1s)')
  })
})

describe('duration bounds', () => {
  it('refuses an empty value, naming the flag', () => {
    expect(() => parseDuration('', '--duration')).toThrow('--duration is empty')
    expect(() => parseDuration('  ', '--settle')).toThrow('--settle is empty')
  })

  it('refuses durations past a week, which Node timers would wrap to 1 ms', () => {
    expect(parseDuration('168h', '--timeout')).toBe(MAX_DURATION_MS)
    expect(() => parseDuration('40000m', '--timeout')).toThrow('--timeout 40000m is longer than reactor-doctor waits (a week, 168h)')
    expect(() => parseDuration('99999999999', '--request-timeout')).toThrow('longer than reactor-doctor waits')
  })

  it('refuses 0 where it would end a run before anything happens', () => {
    expect(parsePositiveDuration('1ms', '--duration')).toBe(1)
    expect(() => parsePositiveDuration('0', '--duration')).toThrow('--duration 0 is zero')
    expect(() => parsePositiveDuration('0.1ms', '--timeout')).toThrow('--timeout 0.1ms is zero')
  })
})
