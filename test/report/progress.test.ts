import {describe, expect, it} from 'vitest'
import {createProgressBar, formatProgress, type ProgressStream} from '../../src/report/progress.js'

function fakeTerminal(isTTY = true): ProgressStream & {chunks: string[]} {
  const chunks: string[] = []
  return {isTTY, columns: 80, chunks, write: (chunk: string) => chunks.push(chunk) > 0}
}

describe('formatProgress', () => {
  it('shows the bar, the percentage, the count and the label', () => {
    expect(formatProgress(6, 12, 'et, 4 I/O threads, accept once')).toBe(
      '[████████████░░░░░░░░░░░░]  50%  6/12  et, 4 I/O threads, accept once')
    expect(formatProgress(0, 25, 'starting')).toBe('[░░░░░░░░░░░░░░░░░░░░░░░░]   0%  0/25  starting')
    expect(formatProgress(25, 25, 'done')).toBe('[████████████████████████] 100%  25/25  done')
  })

  it('cuts the line to the terminal width', () => {
    const line = formatProgress(1, 3, 'a very long label that goes on and on', 40)
    expect(line).toBe('[████████░░░░░░░░░░░░░░░░]  33%  1/3  …')
    expect(line.length).toBe(39)
  })

  it('survives a total of 0', () => {
    expect(formatProgress(0, 0, 'nothing')).toBe('[░░░░░░░░░░░░░░░░░░░░░░░░]   0%  0/0  nothing')
  })
})

describe('createProgressBar', () => {
  it('redraws at most 10 times a second, always draws the end, and clears the line', () => {
    const stream = fakeTerminal()
    let clock = 0
    const bar = createProgressBar({enabled: true, stream, env: {}, now: () => clock})
    bar.update(1, 4, 'one')
    clock = 50
    bar.update(2, 4, 'two')
    clock = 120
    bar.update(3, 4, 'three')
    clock = 130
    bar.update(4, 4, 'four')
    bar.update(4, 4, 'four')
    bar.finish()
    expect(stream.chunks.map((chunk) => chunk.replace('\r\x1b[2K', '')).map((line) => line.split('  ').pop())).toEqual([
      'one', 'three', 'four', '',
    ])
    expect(stream.chunks.every((chunk) => chunk.startsWith('\r\x1b[2K'))).toBe(true)
  })

  it('stays silent off a terminal, in CI and with --json', () => {
    for (const [enabled, isTTY, env] of [[true, false, {}], [true, true, {CI: 'true'}], [false, true, {}]] as const) {
      const stream = fakeTerminal(isTTY)
      const bar = createProgressBar({enabled, stream, env})
      bar.update(1, 2, 'x')
      bar.finish()
      expect(stream.chunks).toEqual([])
    }
  })
})
