import {once} from 'node:events'
import {connect, createServer, type AddressInfo, type Server, type Socket} from 'node:net'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {SocketWriter, directWritesAvailable} from '../../src/load/socket-writer.js'

const servers: Server[] = []
const sockets: Socket[] = []

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy()
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))))
})

/** A loopback server; `onConnection` gets each accepted socket. */
async function listen(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    sockets.push(socket)
    socket.on('error', () => {})
    onConnection(socket)
  })
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as AddressInfo).port
}

/** A connected client socket; `reading: false` never reads, so it sees a reset only on a write. */
async function connected(port: number, {reading = true} = {}): Promise<Socket> {
  const socket = connect({host: '127.0.0.1', port, noDelay: true})
  if (!reading) socket.pause()
  sockets.push(socket)
  await once(socket, 'connect')
  return socket
}

/** Everything a server connection receives until the client closes. */
function collect(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  return once(socket, 'end').then(() => Buffer.concat(chunks))
}

describe('SocketWriter', () => {
  // If this fails, Node changed the internals the writer uses (socket._handle.writeBuffer,
  // process.binding('stream_wrap')): the engine still works through socket.write, but slower.
  // See src/load/socket-writer.ts and re-measure with scripts/engine-vs-ab.ts.
  it('finds the Node internals it writes through', () => {
    expect(directWritesAvailable).toBe(true)
  })

  it('writes to the native handle, every byte in order', async () => {
    let received: Promise<Buffer> = Promise.resolve(Buffer.alloc(0))
    const port = await listen((socket) => (received = collect(socket)))
    const socket = await connected(port)
    const streamWrite = vi.spyOn(socket, 'write')
    const writer = new SocketWriter(socket)
    const request = Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    for (let i = 0; i < 1000; i++) writer.write(request)
    expect(streamWrite).not.toHaveBeenCalled()
    socket.end()

    expect((await received).equals(Buffer.concat(Array.from({length: 1000}, () => request)))).toBe(true)
  })

  it('keeps order when a write is larger than the socket buffer and finishes later', async () => {
    let received: Promise<Buffer> = Promise.resolve(Buffer.alloc(0))
    const port = await listen((socket) => {
      // Read only after a while, so the first write cannot finish at once.
      socket.pause()
      setTimeout(() => socket.resume(), 100)
      received = collect(socket)
    })
    const socket = await connected(port)
    const writer = new SocketWriter(socket)
    const large = Buffer.alloc(16 * 1024 * 1024, 'a')
    const small = Buffer.from('after')
    const streamWrite = vi.spyOn(socket, 'write')
    writer.write(large)
    writer.write(small)
    writer.write(large)
    expect(streamWrite).not.toHaveBeenCalled()
    socket.end()

    const bytes = await received
    expect(bytes.length).toBe(2 * large.length + small.length)
    expect(bytes.subarray(large.length, large.length + small.length).toString()).toBe('after')
    expect(bytes.subarray(0, large.length).every((byte) => byte === 97)).toBe(true)
  })

  it('destroys the socket with the write error, as socket.write does', async () => {
    let reset: () => void = () => {}
    const wasReset = new Promise<void>((resolve) => (reset = resolve))
    const port = await listen((socket) => socket.once('data', () => {
      socket.resetAndDestroy()
      socket.once('close', reset)
    }))
    const socket = await connected(port, {reading: false})
    const writer = new SocketWriter(socket)
    writer.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'))
    await wasReset
    const errored = once(socket, 'error') as Promise<[NodeJS.ErrnoException]>
    const streamWrite = vi.spyOn(socket, 'write')
    writer.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'))
    expect(streamWrite).not.toHaveBeenCalled()

    const [error] = await errored
    expect(['ECONNRESET', 'EPIPE']).toContain(error.code)
    expect(error.syscall).toBe('write')
    expect(socket.destroyed).toBe(true)
  })

  it('leaves an ended socket to socket.write', async () => {
    const port = await listen(() => {})
    const socket = await connected(port)
    socket.end()
    const errored = once(socket, 'error') as Promise<[NodeJS.ErrnoException]>
    new SocketWriter(socket).write(Buffer.from('late'))

    const [error] = await errored
    expect(error.code).toBe('ERR_STREAM_WRITE_AFTER_END')
  })
})
