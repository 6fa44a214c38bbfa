/** Replace every `{port}` in the user's server command with the port chosen for the run. */
export function expandCommand(argv: string[], port: number): string[] {
  return argv.map((arg) => arg.replaceAll('{port}', String(port)))
}

/** Shell-like rendering of argv for reports; quotes only where needed. */
export function formatCommand(argv: string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./{}-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)).join(' ')
}
