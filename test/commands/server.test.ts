import http from 'node:http'
import {afterEach, describe, expect, it} from 'vitest'
import {parseServerEvent} from '../../src/targets/server-events.js'
import {useReferenceServers} from '../helpers/reference-servers.js'
import {startCli, type CliProcess} from '../helpers/run-cli.js'

const startServer = useReferenceServers()
const running: CliProcess[] = []

// SIGTERM, not SIGKILL: the CLI then stops its reference server (execa sends SIGKILL 5 s later).
afterEach(async () => {
  for (const child of running) child.kill()
  await Promise.all(running.splice(0))
})

/** `reactor-doctor server ...`, killed after the test if it is still running. */
function runCli(args: string[]): CliProcess {
  const child = startCli(['server', ...args], {timeoutMs: 30_000})
  running.push(child)
  return child
}

function nextLine(child: CliProcess, match: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const line = buffered.split('\n').find(match)
      if (line) resolve(line)
    })
    child.once('exit', () => reject(new Error(`exited before the line: ${buffered}`)))
  })
}

function get(url: string): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    http.get(url, {agent: false}, (response) => {
      let body = ''
      response.on('data', (chunk) => (body += chunk))
      response.on('end', () => resolve({status: response.statusCode!, body}))
    }).on('error', reject)
  })
}

describe('reactor-doctor server', () => {
  it('--json prints the events, serves, and stops on SIGINT with final stats, exit 0', async () => {
    const child = runCli(['--port', '0', '--json', '--trigger', 'et', '--threads', '2'])
    const listening = parseServerEvent(await nextLine(child, (line) => line.includes('"listening"')))
    expect(listening).toMatchObject({event: 'listening', host: '127.0.0.1', mode: {trigger: 'et', threads: 2, accept: 'drain', read: 'drain', backlog: 128}})
    const {port} = listening as {port: number}
    expect(await get(`http://127.0.0.1:${port}/hello`)).toEqual({status: 200, body: 'ok\n'})

    child.kill('SIGINT')
    const result = await child
    expect(result.exitCode).toBe(0)
    const events = result.stdout.split('\n').map(parseServerEvent)
    expect(events.every((event) => event !== null)).toBe(true)
    expect(events.at(-1)).toMatchObject({event: 'stats', final: true, accepted: 1, requests: 1})
  })

  it('prints the URL and mode, then the final stats on SIGTERM', async () => {
    const child = runCli(['--port', '0', '--threads', '1', '--accept', 'once'])
    const banner = await nextLine(child, (line) => line.startsWith('mode:'))
    expect(banner).toBe('mode: level-triggered, 1 I/O thread, accept once, read drain, backlog 128, 50 µs per accept')
    child.kill('SIGTERM')
    const result = await child
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/^reference server listening on http:\/\/127\.0\.0\.1:\d+\/ \(pid \d+\)$/m)
    expect(result.stdout.split('\n').at(-1)).toMatch(/^stopped after \d+\.\d s: accepted 0 {2}closed 0 {2}open 0 \[0 0\] {2}requests 0 /)
  })

  it('a port in use: one line on stderr, exit 2', async () => {
    const other = await startServer()
    const result = await runCli(['--port', String(other.port)])
    expect(result.exitCode).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain(`reference server failed to start: bind 127.0.0.1:${other.port}: Address already in use`)
  })

  it.each([
    [['--trigger', 'edge']],
    [['--threads', 'many']],
    [['--host', 'example.com']],
  ])('bad input %j: a short error, exit 2, no stack trace', async (args) => {
    const result = await runCli(['--port', '0', ...args])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })
})
