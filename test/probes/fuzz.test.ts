import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {parseEndpoint} from '../../src/probes/address.js'
import {parseListenCounters} from '../../src/probes/counters.js'
import {detectFormat} from '../../src/probes/detect-format.js'
import {parseNetstat} from '../../src/probes/netstat.js'
import {ParseError} from '../../src/probes/parse-error.js'
import {parseProcNetTcp} from '../../src/probes/procfs.js'
import {parseSs} from '../../src/probes/ss.js'
import {readFixture} from './fixtures.js'

const parsers = {parseSs, parseNetstat, parseProcNetTcp, parseListenCounters}
const samples = ['ss/tanpe.txt', 'ss/tanpi.txt', 'ss/v4.15-glued-reconstructed.txt', 'ss/trixie-state-close-wait-pQ.txt', 'netstat/trixie-busybox-an-grep.txt', 'netstat/tanpeo.txt', 'netstat/tanp-nonroot.txt', 'proc/tcp6.txt'].map(readFixture)

/** Random text, and real output with lines dropped, duplicated, cut or with characters replaced. */
const mangled = fc.oneof(
  fc.string({maxLength: 400}),
  fc.string({unit: fc.constantFrom(...' \t\n:()[]%*",=-0123456789abcdefABCDEF.usertcpLISTENESTAB'.split('')), maxLength: 400}),
  fc.tuple(fc.constantFrom(...samples), fc.array(fc.tuple(fc.nat(5000), fc.nat(5000), fc.string({maxLength: 8})), {maxLength: 6})).map(([text, edits]) => {
    let out = text
    for (const [at, length, insert] of edits) {
      const start = at % (out.length + 1)
      out = out.slice(0, start) + insert + out.slice(start + (length % 40))
    }
    return out
  }),
)

describe('parsers on any input', () => {
  for (const [name, parse] of Object.entries(parsers)) {
    it(`${name} returns records or throws its own ParseError, nothing else`, () => {
      fc.assert(
        fc.property(mangled, (text) => {
          try {
            parse(text)
          } catch (error) {
            expect(error).toBeInstanceOf(ParseError)
            expect((error as Error).message).toMatch(/line \d+: /)
          }
        }),
        {numRuns: 500},
      )
    })
  }

  it('detectFormat and parseEndpoint never throw', () => {
    fc.assert(
      fc.property(mangled, (text) => {
        detectFormat(text)
        for (const token of text.split(/\s+/)) parseEndpoint(token)
      }),
      {numRuns: 500},
    )
  })
})
