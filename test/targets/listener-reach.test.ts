import {describe, expect, it} from 'vitest'
import {reaches, unreachableListeners} from '../../src/targets/listener-reach.js'
import type {SocketRecord} from '../../src/probes/types.js'

const listenerOn = (address: string): SocketRecord => ({
  state: 'LISTEN', recvQ: 0, sendQ: 128, local: {address, port: 8080}, peer: {address: '0.0.0.0', port: null}, owners: null, inode: 1,
})

describe('reaches', () => {
  it('the same address, a wildcard of the family, dual-stack wildcards, v4-mapped', () => {
    expect(reaches('127.0.0.1', '127.0.0.1')).toBe(true)
    expect(reaches('127.0.0.1', '0.0.0.0')).toBe(true)
    expect(reaches('127.0.0.1', '*')).toBe(true)
    expect(reaches('127.0.0.1', '::')).toBe(true)
    expect(reaches('127.0.0.1', '::ffff:127.0.0.1')).toBe(true)
    expect(reaches('::1', '::1')).toBe(true)
    expect(reaches('::1', '::')).toBe(true)
  })

  it('not another address, nor the other family', () => {
    expect(reaches('127.0.0.1', '::1')).toBe(false)
    expect(reaches('127.0.0.1', '127.0.0.2')).toBe(false)
    expect(reaches('::1', '0.0.0.0')).toBe(false)
    expect(reaches('::1', '127.0.0.1')).toBe(false)
  })
})

describe('unreachableListeners', () => {
  it('says where the server listens when no listener takes connections to the host', () => {
    expect(unreachableListeners([listenerOn('::1')], '127.0.0.1')).toEqual({where: '[::1]:8080', address: '::1'})
    expect(unreachableListeners([listenerOn('127.0.0.2'), listenerOn('::1')], '127.0.0.1')).toEqual({where: '127.0.0.2:8080, [::1]:8080', address: '127.0.0.2'})
  })

  it('is null when any listener takes the connections, or when there is none to judge', () => {
    expect(unreachableListeners([listenerOn('::1'), listenerOn('127.0.0.1')], '127.0.0.1')).toBeNull()
    expect(unreachableListeners([], '127.0.0.1')).toBeNull()
  })
})
