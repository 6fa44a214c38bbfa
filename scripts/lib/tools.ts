import {findTool} from '../../src/process/find-tool.js'

/** Debian package of each tool the benchmarks use, for the notes on a missing one. */
const PACKAGE_OF: Record<string, string> = {ab: 'apache2-utils', wrk: 'wrk', nginx: 'nginx-light', netstat: 'net-tools', ss: 'iproute2'}

/** null when `name` is on PATH, else a note for the table: benchmarks skip, never fail, on it. */
export function missingTool(name: string): string | null {
  return findTool(name) ? null : `${name} not installed (apt-get install ${PACKAGE_OF[name] ?? name})`
}
