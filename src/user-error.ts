/**
 * A problem the user can fix (bad flag, missing tool, port in use). Commands print its message
 * on one line with no stack trace and exit 2.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly suggestion?: string,
  ) {
    super(message)
    this.name = 'UserError'
  }
}
