import {describe, expect, it} from 'vitest'
import {detectFormat, parseSaved} from '../../src/probes/detect-format.js'
import {readFixture} from './fixtures.js'

describe('detectFormat', () => {
  const cases: Array<[string, string]> = [
    ['ss/tan.txt', 'ss'],
    ['ss/tanH.txt', 'ss'],
    ['ss/tuanp-netid.txt', 'ss'],
    ['ss/state-listening.txt', 'ss'],
    ['ss/v4.15-glued-reconstructed.txt', 'ss'],
    ['ss/v4.9-tanpeo-reconstructed.txt', 'ss'],
    ['ss/v3.10-tanp-reconstructed.txt', 'ss'],
    ['netstat/tanpeo.txt', 'netstat'],
    ['netstat/an-grep.txt', 'netstat'],
    ['netstat/tanp-nonroot.txt', 'netstat'],
    ['netstat/tanp-partial.txt', 'netstat'],
    ['seed/netstat-an-grep-1022.txt', 'netstat'],
    ['proc/tcp.txt', 'proc'],
    ['proc/tcp6.txt', 'proc'],
    ['lsof/nP-iTCP.txt', 'lsof'],
    ['ss/trixie-tanpeQ.txt', 'ss'],
    ['ss/sid-state-close-wait-pQ.txt', 'ss'],
    ['ss/bullseye-tuan-netid.txt', 'ss'],
    ['ss/sid-tanm.txt', 'ss'],
    ['netstat/bullseye-tanpeoW.txt', 'netstat'],
    ['netstat/trixie-busybox-tan.txt', 'netstat'],
    ['netstat/ipv6-tan.txt', 'netstat'],
    ['netstat/sid-busybox-an-grep.txt', 'netstat'],
    ['lsof/trixie-nP-iTCP.txt', 'lsof'],
    ['ss/an-grep.txt', 'ss'],
    ['paste/script-state-close-wait.txt', 'ss'],
    ['paste/kubectl-noise-ss.txt', 'ss'],
    ['paste/docker-noise-ss.txt', 'ss'],
    ['recordings/trixie-watch-tmux-ss.txt', 'ss'],
    ['paste/grep-color-netstat.txt', 'netstat'],
  ]
  for (const [file, format] of cases) it(`${file} is ${format}`, () => expect(detectFormat(readFixture(file))).toBe(format))

  it('detects headerless ss rows with a netid', () => {
    expect(detectFormat('tcp   ESTAB 0 0 1.2.3.4:5 6.7.8.9:10')).toBe('ss')
  })

  it('rejects anything else with a user error', () => {
    expect(detectFormat('hello')).toBeNull()
    expect(() => parseSaved('hello\n', 'paste.txt')).toThrow('paste.txt: not ss, netstat, lsof or /proc/net/tcp output')
  })
})
