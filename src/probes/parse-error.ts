import {UserError} from '../user-error.js'

/** A line a parser could not read: names the format, the 1-based line number and the text. */
export class ParseError extends UserError {
  constructor(
    readonly format: string,
    readonly lineNumber: number,
    readonly line: string,
    reason: string,
  ) {
    super(`${format} output, line ${lineNumber}: ${reason}: ${JSON.stringify(clip(line))}`)
    this.name = 'ParseError'
  }
}

function clip(line: string): string {
  return line.length > 100 ? `${line.slice(0, 100)}...` : line
}
