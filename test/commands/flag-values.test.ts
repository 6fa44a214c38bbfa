import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/run-cli.js'

// Each of these once ran a load (or the whole matrix) and exited 0, or failed only after the run.
describe('flag values are checked before any load', () => {
  it('refuses empty, zero, too long and unwritable values with one line (exit 2)', async () => {
    const cases: Array<[string[], string]> = [
      [['bench', '--trigger', 'lt', '--timeout', '40000m'], 'Error: --timeout 40000m is longer than reactor-doctor waits (a week, 168h); use e.g. 30s, 10m or 24h'],
      [['bench', '--engine', 'autocannon', '--trigger', 'lt', '--request-timeout', '99999999999'], 'Error: --request-timeout 99999999999 is longer than reactor-doctor waits (a week, 168h); use e.g. 30s, 10m or 24h'],
      [['bench', '--url', ''], "Error: --url is empty; give the running server's URL, e.g. --url http://127.0.0.1:8080/"],
      [['bench', '--'], 'Error: no server command after --; e.g. bench -- ./server --port {port}, or drop -- to run the mode matrix'],
      [['bench', '--trigger', 'lt', '--report', ''], 'Error: --report is empty; give a file name, e.g. report.html'],
      [['bench', '--trigger', 'lt', '--report', '/tmp'], 'Error: --report /tmp is a directory; give a file name, e.g. /tmp/report.html'],
      [['bench', '--trigger', 'lt', '--report', '/proc/version'], 'Error: --report /proc/version is not a regular file; choose a path for a new file'],
      [['bench', '--trigger', 'lt', '--fail-on', ''], 'Error: --fail-on: unknown finding (empty); use "all" or a comma list of: lost-connections, accept-queue-not-drained, never-accepted-abandoned, accepted-never-closed, data-left-unread, listen-overflow, load-stalled, server-exited'],
      [['bench', '--trigger', 'lt', '--duration', ''], 'Error: --duration is empty; give a duration, e.g. 500ms, 2s or 1m'],
      [['bench', '--trigger', 'lt', '--duration', '0'], 'Error: --duration 0 is zero: it would end before anything happens; use e.g. 500ms, 2s or 1m'],
      [['sockets', '--port', '1', '--watch', '--duration', '0'], 'Error: --duration 0 is zero: it would end before anything happens; use e.g. 500ms, 2s or 1m'],
      [['sockets', '--port', '1', '--stuck-after', '50000h'], 'Error: --stuck-after 50000h is longer than reactor-doctor waits (a week, 168h); use e.g. 30s, 10m or 24h'],
    ]
    for (const [args, line] of cases) {
      const result = await runCli(args)
      expect({args, stderr: result.stderr, exitCode: result.exitCode}).toEqual({args, stderr: line, exitCode: 2})
      expect(result.stdout).toBe('')
    }
  })
})
