import net from 'node:net'
import {execa} from 'execa'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

export interface TestServer {
  port: number
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>
}

/** Starts one of test/servers/ (each prints its port, then runs until SIGTERM); the caller stops it. */
export async function startTestServer(command: string, args: string[]): Promise<TestServer> {
  const child = execa(command, args, {cwd: root, reject: false, stdin: 'ignore'})
  const stop = async () => {
    child.kill('SIGTERM')
    await child
  }
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())))
      child.once('exit', () => reject(new Error(`${command} ${args.join(' ')} exited early`)))
    })
    return {port, stop}
  } catch (error) {
    await stop()
    throw error
  }
}

/** A client connection to 127.0.0.1:port; half-open allowed, so a test can send its FIN and keep reading. */
export function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({port, host: '127.0.0.1', allowHalfOpen: true}, () => resolve(socket))
    socket.once('error', reject)
  })
}
