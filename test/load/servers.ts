import {afterEach} from 'vitest'
import {spawn, type ChildProcess} from 'node:child_process'
import {createServer, type Server} from 'node:http'
import {createServer as createNetServer, type AddressInfo, type Socket} from 'node:net'
import {once} from 'node:events'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'

export interface RunningServer {
  port: number
  stop(): Promise<void>
}

/** An in-process keep-alive HTTP server answering "ok"; `headers` are added to every response. */
export async function startHttpServer(headers: Record<string, string> = {}): Promise<RunningServer & {server: Server}> {
  const server = createServer((_request, response) => {
    response.writeHead(200, {'Content-Type': 'text/plain', 'Content-Length': '3', ...headers})
    response.end('ok\n')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    server,
    port: (server.address() as AddressInfo).port,
    stop: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** An in-process TCP server that answers every chunk it reads with `reply`, whatever it is. */
export function startRawServer(reply: string): Promise<RunningServer> {
  return startTcpServer((socket) => socket.write(reply))
}

/** An in-process echo server: every chunk back as it came. */
export function startEchoServer(): Promise<RunningServer> {
  return startTcpServer((socket, chunk) => socket.write(chunk))
}

/** An in-process TCP server on a free loopback port; onData answers each chunk it reads. */
export async function startTcpServer(onData: (socket: Socket, chunk: Buffer) => void): Promise<RunningServer & {connections(): number}> {
  const sockets = new Set<Socket>()
  const server = createNetServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.on('data', (chunk: Buffer) => onData(socket, chunk))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => sockets.size,
    stop: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Starts test/servers/<script> with args, waits for its JSON listening line. */
export async function startChildServer(script: string, args: string[]): Promise<RunningServer & {child: ChildProcess}> {
  const path = fileURLToPath(new URL(`../servers/${script}`, import.meta.url))
  const child = spawn(process.execPath, [path, '--port', '0', ...args], {stdio: ['ignore', 'pipe', 'inherit']})
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    await exited
  }
  try {
    const lines = createInterface({input: child.stdout!})
    const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit')])) as [string]
    const {port} = JSON.parse(line) as {port: number}
    return {child, port, stop}
  } catch (error) {
    await stop()
    throw error
  }
}

export {findClosedPort} from '../helpers/closed-port.js'

/** Registers an afterEach that stops every server passed to the returned track(). */
export function trackServers(): <T extends RunningServer>(server: Promise<T>) => Promise<T> {
  const running: RunningServer[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.stop()))
  })
  return async (server) => {
    const started = await server
    running.push(started)
    return started
  }
}
