import {UserError} from '../user-error.js'

/**
 * A flag's text with escapes -> its bytes: \r \n \t \\ and \xHH (one byte, two hex digits); every
 * other character is itself (UTF-8). So `--send 'PING\r\n'` sends the 6 bytes of a Redis ping.
 * Any other backslash sequence is refused, so a typo does not send a stray backslash.
 */
export function parseEscapes(text: string, flag: string): Buffer {
  const parts: Buffer[] = []
  let literal = ''
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (char !== '\\') {
      literal += char
      continue
    }
    const next = text[i + 1]
    const simple = next === undefined ? undefined : ({r: '\r', n: '\n', t: '\t', '\\': '\\'} as Record<string, string>)[next]
    if (simple !== undefined) {
      literal += simple
      i++
    } else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      parts.push(Buffer.from(literal, 'utf8'), Buffer.from([Number.parseInt(text.slice(i + 2, i + 4), 16)]))
      literal = ''
      i += 3
    } else {
      const shown = next === undefined ? '\\ at the end' : next === 'x' ? `\\x${text.slice(i + 2, i + 4)}` : `\\${next}`
      throw new UserError(`${flag}: unknown escape ${shown}`, 'use \\r \\n \\t \\\\ or \\xHH (two hex digits)')
    }
  }
  parts.push(Buffer.from(literal, 'utf8'))
  return Buffer.concat(parts)
}
