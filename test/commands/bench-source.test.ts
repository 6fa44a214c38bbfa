import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/run-cli.js'

describe('bench says where its readings came from', () => {
  it('with neither ss nor netstat on PATH, the final readings come from /proc and a note says so', async () => {
    const emptyPath = mkdtempSync(join(tmpdir(), 'rd-path-'))
    try {
      const result = await runCli(['bench', '--trigger', 'lt', '-n', '200', '-c', '10', '--json'], {env: {PATH: emptyPath}})
      expect(result.stderr).toBe('')
      const report = JSON.parse(result.stdout)
      expect(result.exitCode).toBe(0)
      expect(report.run.source).toBe('proc')
      expect(report.run.verdict.notes).toContain(
        'final readings: ss and netstat not found on PATH: read /proc/net/tcp and /proc/net/tcp6; install iproute2 (ss) to see the backlog limit and drops',
      )
      const text = await runCli(['bench', '--trigger', 'lt', '-n', '200', '-c', '10'], {env: {PATH: emptyPath}})
      expect(text.stdout).toContain('ss and netstat not found on PATH')
    } finally {
      rmSync(emptyPath, {recursive: true, force: true})
    }
  })
})
