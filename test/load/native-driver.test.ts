import {execa} from 'execa'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runLoad} from '../../src/load/index.js'
import {NATIVE_DRIVER_ENV} from '../../src/load/native-engine.js'
import type {LoadOptions} from '../../src/load/types.js'
import {startEchoServer, startHttpServer, startRawServer, startTcpServer, trackServers} from './servers.js'

const serverDir = fileURLToPath(new URL('../../reference-server/', import.meta.url))
const track = trackServers()

function options(port: number, overrides: Partial<LoadOptions> = {}): LoadOptions {
  return {host: '127.0.0.1', port, path: '/', requests: 400, concurrency: 20, keepAlive: true, stallMs: 1000, timeoutMs: 20_000, ...overrides}
}

// rd-load built with ASan/UBSan: a memory error or undefined behaviour ends it without a result,
// which fails the load. Every path of the driver the engine tests take, once.
describe('rd-load under ASan/UBSan', () => {
  beforeAll(async () => {
    await execa('make', ['-s', '-C', serverDir, 'asan'], {timeout: 120_000})
    process.env[NATIVE_DRIVER_ENV] = `${serverDir}build/rd-load-asan`
  }, 130_000)
  afterAll(() => {
    delete process.env[NATIVE_DRIVER_ENV]
  })

  it('runs HTTP with waves, no keep-alive, large POSTs, chunked and close-delimited answers, echo, raw, a wrong answer and a stall', async () => {
    const http = await track(startHttpServer())
    expect(await runLoad('native', options(http.port, {waves: 5}))).toMatchObject({end: 'completed', completed: 400, errors: 0})
    expect(await runLoad('native', options(http.port, {requests: 50, concurrency: 5, keepAlive: false}))).toMatchObject({end: 'completed', completed: 50})
    expect(await runLoad('native', options(http.port, {requests: 4, concurrency: 2, bodyBytes: 2 * 1024 * 1024}))).toMatchObject({end: 'completed', completed: 4})

    const chunked = await track(startTcpServer((socket) => socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nok\n\r\n0\r\n\r\n')))
    expect(await runLoad('native', options(chunked.port))).toMatchObject({end: 'completed', completed: 400})
    const closing = await track(startTcpServer((socket) => socket.end('HTTP/1.0 200 OK\r\n\r\nbody')))
    expect(await runLoad('native', options(closing.port, {requests: 40, concurrency: 4, waves: 2}))).toMatchObject({end: 'completed', completed: 40})

    const echo = await track(startEchoServer())
    expect(await runLoad('native', options(echo.port, {protocol: {kind: 'echo', payloadBytes: 3000}}))).toMatchObject({end: 'completed', completed: 400})
    const pong = await track(startRawServer('+PONG\r\n'))
    const raw = {kind: 'raw' as const, send: Buffer.from('PING\r\n'), expect: Buffer.from('+PONG\r\n')}
    expect(await runLoad('native', options(pong.port, {protocol: raw}))).toMatchObject({end: 'completed', completed: 400})
    const wrong = await runLoad('native', options(pong.port, {requests: 30, concurrency: 3, protocol: {...raw, expect: Buffer.from('+OK\r\n')}}))
    expect(wrong).toMatchObject({completed: 0, errors: 3})

    const silent = await track(startTcpServer(() => {}))
    let held = 0
    const stalled = await runLoad('native', options(silent.port, {requests: 10, concurrency: 2, stallMs: 200}), {
      async onStalled() {
        held = silent.connections()
      },
    })
    expect(stalled).toMatchObject({end: 'stalled', sent: 1})
    expect(held).toBe(1)
  }, 60_000)
})

describe('rd-load on its own', () => {
  const driver = `${serverDir}build/rd-load`

  it('refuses a host that is not loopback, whatever its caller checked: one line, exit 2', async () => {
    const result = await execa(driver, ['--host', '10.1.2.3', '--port', '80', '--requests', '1', '--request-bytes', '1'], {reject: false, input: 'x\ngo\n'})
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toBe('rd-load: refusing a non-loopback host: only 127.0.0.0/8 and ::1')
    expect(result.stdout).toBe('')
  })

  it('says which option is wrong', async () => {
    const result = await execa(driver, ['--host', '127.0.0.1', '--port', '80', '--requests', 'many', '--request-bytes', '1'], {reject: false, input: ''})
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toBe('rd-load: --requests needs a whole number of at least 1, got many')
  })
})
