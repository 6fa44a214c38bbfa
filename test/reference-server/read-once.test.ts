// ET with one read() per wakeup: what is not read at the wakeup waits for an edge that may never
// come, so accepted sockets keep unread bytes and miss the peer's FIN.
import net from 'node:net'
import {describe, expect, it} from 'vitest'
import {sleep} from '../helpers/raw-http.js'
import {useReferenceServers} from '../helpers/reference-servers.js'
import {listServerSockets, type TcpSocket} from '../helpers/tcp-sockets.js'

const startServer = useReferenceServers()
const get = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
const pipelined = get.repeat(3000) // ~110 KB: several reads' worth
// 100 KB fits in the server's receive buffer together with the FIN that follows it.
const largeBody = `POST / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(100_000)}`

interface Outcome {
  responses: number
  /** The server side of the connection once the exchange settled; undefined when it is closed. */
  serverSide: TcpSocket | undefined
}

/**
 * Sends payload (then FIN when `end`) and waits until `expected` responses came and the server
 * side reached its final state, or until `waitMs` passed: a stuck connection stays as it is.
 */
async function send(port: number, payload: string, options: {end: boolean; expected: number; waitMs: number}): Promise<Outcome> {
  const socket = net.connect({port, host: '127.0.0.1', allowHalfOpen: true})
  let responses = 0
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => (responses += chunk.split('HTTP/1.1 200').length - 1))
  socket.on('error', () => {})
  try {
    await new Promise((resolve) => socket.once('connect', resolve))
    const local = `127.0.0.1:${socket.localPort}`
    if (options.end) socket.end(payload)
    else socket.write(payload)
    let serverSide: TcpSocket | undefined
    for (const end = Date.now() + options.waitMs; Date.now() < end; await sleep(50)) {
      serverSide = (await listServerSockets(port)).find((s) => s.peer === local)
      const closedIfDone = !options.end || serverSide === undefined
      if (responses === options.expected && closedIfDone) break
    }
    return {responses, serverSide}
  } finally {
    socket.destroy()
  }
}

describe('et --read once', () => {
  it('leaves pipelined requests unread: owned ESTAB with Recv-Q > 0, responses missing', async () => {
    const {port} = await startServer({trigger: 'et', read: 'once'})
    const {responses, serverSide} = await send(port, pipelined, {end: false, expected: 3000, waitMs: 800})
    expect(responses).toBeLessThan(3000)
    expect(serverSide?.state).toBe('ESTAB')
    expect(serverSide?.recvQ).toBeGreaterThan(0)
  })

  it('misses the FIN after a large request: CLOSE-WAIT with the unread body in Recv-Q', async () => {
    const {port} = await startServer({trigger: 'et', read: 'once', threads: 2})
    const {responses, serverSide} = await send(port, largeBody, {end: true, expected: 1, waitMs: 800})
    expect(responses).toBe(0)
    expect(serverSide?.state).toBe('CLOSE-WAIT')
    expect(serverSide?.recvQ).toBeGreaterThan(0)
  })

  it.each([
    ['et, read drain', {trigger: 'et', read: 'drain'}],
    ['lt, read once', {trigger: 'lt', read: 'once'}],
  ] as const)('%s serves the same loads and closes on FIN', async (_label, mode) => {
    const {port} = await startServer({...mode, threads: 2})
    expect((await send(port, pipelined, {end: false, expected: 3000, waitMs: 5000})).responses).toBe(3000)
    expect(await send(port, largeBody, {end: true, expected: 1, waitMs: 5000})).toEqual({responses: 1, serverSide: undefined})
  })
})
