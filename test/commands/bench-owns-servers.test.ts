/**
 * Every process bench starts dies with bench, whatever kills it (SIGKILL included, as a CI
 * runner's timeout does), and including what that process forks or daemonizes; and bench never
 * waits on a pipe a daemon holds open.
 */
import {execa} from 'execa'
import {describe, expect, it, vi} from 'vitest'
import {findClosedPort} from '../helpers/closed-port.js'
import {isAlive} from '../helpers/is-alive.js'
import {startCli} from '../helpers/run-cli.js'

/** The pid listening on the port, once something does (ss -p). */
async function listenerPid(port: number): Promise<number> {
  let pid = 0
  await vi.waitFor(async () => {
    const {stdout} = await execa('ss', ['-tlnpH', `sport = :${port}`])
    pid = Number(/pid=(\d+)/.exec(stdout)?.[1] ?? 0)
    expect(pid).toBeGreaterThan(0)
  }, {timeout: 30_000, interval: 50})
  return pid
}

async function expectGone(pid: number): Promise<void> {
  await vi.waitFor(() => expect(isAlive(pid)).toBe(false), {timeout: 15_000, interval: 50})
}

// A server that daemonizes: it leaves its session and process group, and its parent exits.
const daemonizing = ['sh', '-c', 'setsid python3 -m http.server "$0" --bind 127.0.0.1 >/dev/null 2>&1 & sleep 1', '{port}']

describe('bench owns every process it starts', () => {
  it('SIGKILL of bench stops the reference server it started', async () => {
    const port = await findClosedPort()
    const bench = startCli(['bench', '--trigger', 'lt', '--port', String(port), '-n', '10000000', '-c', '4', '--timeout', '60s'])
    const server = await listenerPid(port)
    bench.kill('SIGKILL')
    await bench
    await expectGone(server)
  })

  it('SIGKILL of bench stops what a server command daemonized', async () => {
    const port = await findClosedPort()
    const bench = startCli(['bench', '--port', String(port), '-n', '10000000', '-c', '4', '--timeout', '60s', '--', ...daemonizing])
    const daemon = await listenerPid(port)
    bench.kill('SIGKILL')
    await bench
    await expectGone(daemon)
  })

  it('a server command that daemonizes: bench runs, reports, and stops the daemon', async () => {
    const port = await findClosedPort()
    const result = await startCli(['bench', '--port', String(port), '-n', '200', '-c', '4', '--json', '--', ...daemonizing], {timeoutMs: 60_000})
    expect(result.timedOut).toBe(false)
    expect(String(result.stderr)).toBe('')
    const report = JSON.parse(String(result.stdout))
    expect(report.run.load.completed).toBe(200)
    const {stdout} = await execa('ss', ['-tlnH', `sport = :${port}`])
    expect(stdout.trim()).toBe('')
  })
})

describe('bench on SIGTERM', () => {
  it('stops the server and exits 143 (128 + SIGTERM), as the convention is', async () => {
    const port = await findClosedPort()
    const bench = startCli(['bench', '--trigger', 'lt', '--port', String(port), '-n', '10000000', '-c', '4', '--timeout', '60s'])
    const server = await listenerPid(port)
    bench.kill('SIGTERM')
    const result = await bench
    expect(result.exitCode).toBe(143)
    expect(String(result.stderr)).toContain('bench interrupted; every server it started was stopped')
    await expectGone(server)
  })
})
