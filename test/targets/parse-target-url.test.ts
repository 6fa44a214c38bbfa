import {describe, expect, it} from 'vitest'
import {parseTargetUrl} from '../../src/targets/parse-target-url.js'

describe('parseTargetUrl', () => {
  it('http:// with its path and port, 80 by default', () => {
    expect(parseTargetUrl('http://127.0.0.1:8080/a?b=1')).toEqual({host: '127.0.0.1', port: 8080, path: '/a?b=1'})
    expect(parseTargetUrl('http://localhost/')).toEqual({host: '127.0.0.1', port: 80, path: '/'})
  })

  it('tcp://host:port for a server that does not speak HTTP', () => {
    expect(parseTargetUrl('tcp://127.0.0.1:6379')).toEqual({host: '127.0.0.1', port: 6379, path: '/'})
    expect(parseTargetUrl('tcp://[::1]:7000')).toMatchObject({host: '::1', port: 7000})
  })

  it('refuses other schemes, a tcp:// URL without a port, and non-loopback hosts', () => {
    expect(() => parseTargetUrl('https://127.0.0.1/')).toThrow(/only http:\/\/ and tcp:\/\/ are supported/)
    expect(() => parseTargetUrl('tcp://127.0.0.1')).toThrow(/a tcp:\/\/ URL needs its port/)
    expect(() => parseTargetUrl('tcp://10.0.0.1:6379')).toThrow(/refusing to send load to 10\.0\.0\.1/)
    expect(() => parseTargetUrl('not a url')).toThrow(/is not a URL/)
  })
})
