import {describe, expect, it} from 'vitest'
import {createStyle, detectColourLevel, paintVerdict, plainStyle} from '../../src/report/style.js'

const tty = {isTTY: true, getColorDepth: () => 8}

describe('detectColourLevel', () => {
  it('colours a terminal at its depth', () => {
    expect(detectColourLevel(tty, {})).toBe(2)
    expect(detectColourLevel({isTTY: true, getColorDepth: () => 24}, {})).toBe(3)
    expect(detectColourLevel({isTTY: true, getColorDepth: () => 4}, {})).toBe(1)
  })

  it('never colours a pipe, a dumb terminal or with NO_COLOR', () => {
    expect(detectColourLevel({isTTY: false}, {})).toBe(0)
    expect(detectColourLevel({}, {})).toBe(0)
    expect(detectColourLevel(tty, {TERM: 'dumb'})).toBe(0)
    expect(detectColourLevel(tty, {NO_COLOR: '1'})).toBe(0)
  })

  it('ignores an empty NO_COLOR, as no-color.org says', () => {
    expect(detectColourLevel(tty, {NO_COLOR: ''})).toBe(2)
  })

  it('lets FORCE_COLOR decide over everything else', () => {
    expect(detectColourLevel({isTTY: false}, {FORCE_COLOR: '1'})).toBe(1)
    expect(detectColourLevel({isTTY: false}, {FORCE_COLOR: ''})).toBe(1)
    expect(detectColourLevel({isTTY: false}, {FORCE_COLOR: '3', NO_COLOR: '1'})).toBe(3)
    expect(detectColourLevel(tty, {FORCE_COLOR: '0'})).toBe(0)
    expect(detectColourLevel(tty, {FORCE_COLOR: 'false'})).toBe(0)
  })
})

describe('paintVerdict', () => {
  it('paints healthy green, findings red, inconclusive yellow', () => {
    const style = createStyle(1)
    expect(paintVerdict(style, 'healthy', 'ok')).toBe('\x1b[32m\x1b[1mok\x1b[22m\x1b[39m')
    expect(paintVerdict(style, 'findings', 'lost')).toBe('\x1b[31m\x1b[1mlost\x1b[22m\x1b[39m')
    expect(paintVerdict(style, 'inconclusive', '?')).toBe('\x1b[33m\x1b[1m?\x1b[22m\x1b[39m')
  })

  it('leaves text alone without colour', () => {
    expect(paintVerdict(plainStyle, 'findings', 'lost')).toBe('lost')
  })
})
