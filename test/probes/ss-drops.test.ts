/**
 * `ss -m` of a listener that was dropping SYNs when captured (test/fixtures/capture-drops.sh:
 * backlog 1, a burst of 8 connects): its skmem shows a non-zero d<N>, which the parser must read
 * as that listener's drops, and the connections' own d0 as theirs.
 */
import {describe, expect, it} from 'vitest'
import {parseSs} from '../../src/probes/ss.js'
import {readFixture} from './fixtures.js'

/** The d<N> of each skmem in the raw text, in order, read without the parser. */
function skmemDrops(text: string): number[] {
  return [...text.matchAll(/skmem:\([^)]*\bd(\d+)\)/g)].map((match) => Number(match[1]))
}

describe('parseSs on ss -m of a listener dropping SYNs', () => {
  it.each(['tlnm-drops', 'tanm-drops'])('%s: the LISTEN row at backlog+1 with its non-zero drop count', (name) => {
    const text = readFixture(`ss/${name}.txt`)
    expect(readFixture(`ss/${name}.cmd`)).toMatch(/^ss -t[al]nm '\( sport = :\d+.*\)' {3}\(ss -V: ss utility, iproute2-/)
    const records = parseSs(text)
    const listener = records.find((r) => r.state === 'LISTEN')!
    // The first skmem follows the LISTEN row in both captures.
    const [listenerDrops] = skmemDrops(text)
    expect(listenerDrops).toBeGreaterThan(0)
    expect(listener.drops).toBe(listenerDrops)
    expect(listener.sendQ).toBe(1)
    expect(listener.recvQ).toBe(listener.sendQ + 1)
  })

  it('tanm-drops: every row keeps its own d, in the order printed (the connections and SYN-SENT clients show 0)', () => {
    const text = readFixture('ss/tanm-drops.txt')
    const records = parseSs(text)
    expect(records.map((r) => r.drops)).toEqual(skmemDrops(text))
    expect(records.filter((r) => r.state === 'SYN-SENT').length).toBeGreaterThan(0)
    expect(records.filter((r) => r.state !== 'LISTEN').every((r) => r.drops === 0)).toBe(true)
  })
})
