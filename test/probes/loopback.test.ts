import {describe, expect, it} from 'vitest'
import {isLoopback, normalizeAddress} from '../../src/probes/loopback.js'

describe('loopback addresses, whatever their spelling', () => {
  it('reads shorthands, brackets, v4-mapped and localhost as one address', () => {
    expect(normalizeAddress('127.1')).toBe('127.0.0.1')
    expect(normalizeAddress('0x7f000001')).toBe('127.0.0.1')
    expect(normalizeAddress('[::ffff:127.0.0.1]')).toBe('127.0.0.1')
    expect(normalizeAddress('::ffff:7f00:2')).toBe('127.0.0.2')
    expect(normalizeAddress('[::1]')).toBe('::1')
    expect(normalizeAddress('0:0:0:0:0:0:0:1')).toBe('::1')
    expect(normalizeAddress('localhost')).toBe('127.0.0.1')
    expect(normalizeAddress('not a host!')).toBe('not a host!')
  })

  it('allows only 127.0.0.0/8 and ::1', () => {
    for (const host of ['127.0.0.1', '127.1', '127.255.0.9', '[::ffff:127.0.0.1]', '::1', 'localhost']) expect(isLoopback(host), host).toBe(true)
    for (const host of ['10.1.2.3', '::ffff:10.0.0.1', '128.0.0.1', '::2', 'example.com', '0.0.0.0', '::', '']) expect(isLoopback(host), host).toBe(false)
  })
})
