// --protocol echo: every byte read is written back, with the same acceptor (and its ET
// accept-once bug) as the HTTP mode.
import net from 'node:net'
import {once} from 'node:events'
import {describe, expect, it} from 'vitest'
import {useReferenceServers} from '../helpers/reference-servers.js'

const startServer = useReferenceServers()

/** Writes `payload` in `parts` writes and resolves with every byte that came back. */
async function echo(port: number, payload: Buffer, parts: number): Promise<Buffer> {
  const socket = net.connect({port, host: '127.0.0.1'})
  socket.on('error', () => {})
  try {
    await once(socket, 'connect')
    const chunks: Buffer[] = []
    let received = 0
    const done = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk)
        received += chunk.length
        if (received >= payload.length) resolve()
      })
    })
    const size = Math.ceil(payload.length / parts)
    for (let at = 0; at < payload.length; at += size) socket.write(payload.subarray(at, at + size))
    await done
    return Buffer.concat(chunks)
  } finally {
    socket.destroy()
  }
}

describe('reference server --protocol echo', () => {
  it('says so in its listening event and writes back exactly what it read', async () => {
    const server = await startServer({protocol: 'echo', trigger: 'et', threads: 2})
    expect(server.mode.protocol).toBe('echo')
    const small = Buffer.from('hello, reactor\r\n')
    expect(await echo(server.port, small, 1)).toEqual(small)
    // Larger than its 16 KiB input buffer and written in pieces: all of it, in order.
    const large = Buffer.alloc(200_000)
    for (let i = 0; i < large.length; i++) large[i] = i % 251
    expect(await echo(server.port, large, 7)).toEqual(large)
    const stats = await server.stop()
    expect(stats).toMatchObject({final: true, accepted: 2, closed: 2})
    expect(stats!.requests).toBeGreaterThanOrEqual(2)
  })

  it('speaks HTTP by default', async () => {
    const server = await startServer({})
    expect(server.mode.protocol).toBe('http')
  })
})
