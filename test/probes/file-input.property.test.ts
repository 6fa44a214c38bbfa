import {readdirSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {parseServices} from '../../src/probes/services.js'
import {ReadingSplitter, type Reading} from '../../src/probes/split-readings.js'
import {renderSocketsReport} from '../../src/report/render-sockets.js'
import {buildSocketsReport} from '../../src/report/sockets-report.js'
import {UserError} from '../../src/user-error.js'
import {analyseRecording} from '../../src/watch/recording.js'
import {runCli} from '../helpers/run-cli.js'
import {readFixture} from './fixtures.js'

const root = fileURLToPath(new URL('../fixtures/', import.meta.url))
/** Every captured output (not the .cmd files), recordings and terminal pastes included. */
const captures = ['ss', 'netstat', 'proc', 'seed', 'lsof', 'recordings', 'paste'].flatMap((dir) =>
  readdirSync(`${root}${dir}`)
    .filter((name) => name.endsWith('.txt'))
    .map((name) => readFixture(`${dir}/${name}`)),
)
const services = parseServices('socks 1080/tcp\nhttp-alt 8080/tcp webcache\n')

/** Real captures, shuffled, cut, joined, with lines dropped or doubled and bytes replaced (CR, ESC, NUL, text). */
const mangled = fc
  .tuple(
    fc.array(fc.constantFrom(...captures), {minLength: 1, maxLength: 3}),
    fc.boolean(),
    fc.nat(),
    fc.array(fc.tuple(fc.nat(), fc.nat(40), fc.oneof(fc.string({maxLength: 8}), fc.constantFrom('\r', '\n', '\u001b[31m', '\u0000', 'LISTEN', ':*', '  ', '1796215429.5\n'))), {maxLength: 8}),
    fc.array(fc.nat(), {maxLength: 200}),
  )
  .map(([texts, shuffle, cut, edits, keys]) => {
    let lines = texts.join('\n').split('\n')
    if (shuffle) lines = lines.map((line, i) => ({line, key: keys[i % Math.max(keys.length, 1)] ?? i})).sort((a, b) => a.key - b.key).map((entry) => entry.line)
    let text = lines.join('\n')
    text = text.slice(0, text.length === 0 ? 0 : text.length - (cut % Math.ceil(text.length / 2)))
    for (const [at, length, insert] of edits) {
      const start = at % (text.length + 1)
      text = text.slice(0, start) + insert + text.slice(start + length)
    }
    return text
  })

/** The --file pipeline in this process: a report (exit 0, 1 or 3) or a UserError (exit 2). */
async function analyse(text: string, port?: number): Promise<number> {
  const splitter = new ReadingSplitter(services, port)
  async function* readings(): AsyncGenerator<Reading> {
    let lineNumber = 0
    for (const line of text.split(/\r?\n/)) yield* splitter.push(line, ++lineNumber)
    yield* splitter.end()
  }
  try {
    const result = await analyseRecording(readings(), () => splitter.stats, {port, stuckAfterMs: 5000, name: 'paste.txt'})
    const report = buildSocketsReport({mode: 'file', port: result.port, sourceNote: 'x', file: 'paste.txt', snapshots: result.snapshots, watch: result.watch, verdict: result.verdict})
    expect(renderSocketsReport(report)).toMatch(/^(HEALTHY|FINDINGS|INCONCLUSIVE): /)
    JSON.stringify(report)
    return report.exitCode
  } catch (error) {
    // Anything but a user error is a crash: the property fails with its stack.
    if (!(error instanceof UserError)) throw error
    expect(error.message).not.toContain('\n')
    expect(error.suggestion ?? '').not.toContain('\n')
    return 2
  }
}

describe('sockets --file on mangled real captures', () => {
  it('never crashes: a report with exit 0, 1 or 3, or one line of user error (exit 2)', async () => {
    await fc.assert(
      fc.asyncProperty(mangled, fc.option(fc.constantFrom(1080, 8080, 22, 34829), {nil: undefined}), async (text, port) => {
        expect([0, 1, 2, 3]).toContain(await analyse(text, port))
      }),
      {numRuns: 300},
    )
  })

  it('the built CLI on mangled input: exit 0-3, and for 2 a single "Error:" line with no stack trace', async () => {
    await fc.assert(
      fc.asyncProperty(mangled, async (text) => {
        const result = await runCli(['sockets', '--file', '-'], {input: text, timeoutMs: 30_000})
        expect([0, 1, 2, 3]).toContain(result.exitCode)
        if (result.exitCode === 2) expect(result.stderr.trimEnd()).toMatch(/^Error: [^\n]+$/)
        else expect(result.stdout).toMatch(/^(HEALTHY|FINDINGS|INCONCLUSIVE): /)
        expect(result.stderr).not.toMatch(/\n\s+at /)
      }),
      {numRuns: 12},
    )
  }, 240_000)
})
