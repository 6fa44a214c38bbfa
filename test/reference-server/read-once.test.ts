// ET with one read() per wakeup: what is not read at the wakeup waits for an edge that may never
// come, so accepted sockets keep unread bytes and miss the peer's FIN.
import net from 'node:net'
import {describe, expect, it} from 'vitest'
import {sleep} from '../helpers/raw-http.js'
import {useReferenceServers} from '../helpers/reference-servers.js'
import {listServerSockets, type TcpSocket} from '../helpers/tcp-sockets.js'

const startServer = useReferenceServers()
const get = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
const pipelined = get.repeat(3000) // ~110 KB, several reads' worth
const largeBody = `POST / HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n${'x'.repeat(1_000_000)}${get}`

interface Outcome {
  responses: number
  /** The server side of the connection, after the client stopped sending. */
  serverSide: TcpSocket | undefined
}

/** Sends `payload` (then FIN when `end`), waits, and reads the server side of the connection. */
async function send(port: number, payload: string, end: boolean): Promise<Outcome> {
  const socket = net.connect({port, host: '127.0.0.1', allowHalfOpen: true})
  let responses = 0
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => (responses += chunk.split('HTTP/1.1 200').length - 1))
  socket.on('error', () => {})
  try {
    await new Promise((resolve) => socket.once('connect', resolve))
    const local = `127.0.0.1:${socket.localPort}`
    if (end) socket.end(payload)
    else socket.write(payload)
    await sleep(800)
    const serverSide = (await listServerSockets(port)).find((s) => s.peer === local)
    return {responses, serverSide}
  } finally {
    socket.destroy()
  }
}

describe('et --read once', () => {
  it('leaves pipelined requests unread (owned ESTAB with Recv-Q > 0)', async () => {
    const {port} = await startServer({trigger: 'et', read: 'once'})
    const {responses, serverSide} = await send(port, pipelined, false)
    expect(responses).toBeLessThan(3000)
    expect(serverSide?.state).toBe('ESTAB')
    expect(serverSide?.recvQ).toBeGreaterThan(0)
  })

  it('misses the FIN after a large request: the socket sticks in CLOSE-WAIT with unread bytes', async () => {
    const {port} = await startServer({trigger: 'et', read: 'once', threads: 2})
    const {responses, serverSide} = await send(port, largeBody, true)
    expect(responses).toBe(0)
    expect(serverSide?.state).toMatch(/^(ESTAB|CLOSE-WAIT)$/)
    expect(serverSide?.recvQ).toBeGreaterThan(0)
  })

  it.each([
    ['et, read drain', {trigger: 'et', read: 'drain'}],
    ['lt, read once', {trigger: 'lt', read: 'once'}],
  ] as const)('%s serves the same load and closes on FIN', async (_label, mode) => {
    const {port} = await startServer(mode)
    expect((await send(port, pipelined, false)).responses).toBe(3000)
    const closing = await send(port, largeBody, true)
    expect(closing.responses).toBe(2)
    expect(closing.serverSide).toBeUndefined()
  })
})
