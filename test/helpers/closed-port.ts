import {readFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {once} from 'node:events'

/**
 * A loopback port nothing listens on, taken below the kernel's ephemeral range: a port-0 bind
 * elsewhere (another test file runs beside this one) is never given it, so a connection meant to
 * be refused cannot reach another test's server, and no server of another test gets a stray client.
 */
export async function findClosedPort(): Promise<number> {
  const [low = 32768] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
  const from = low > 11_024 ? 10_000 : 1024
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = from + Math.floor(Math.random() * (low - from))
    if (await bindable(port)) return port
  }
  throw new Error(`no free port found below the ephemeral range (${from}-${low - 1})`)
}

async function bindable(port: number): Promise<boolean> {
  const server = createServer()
  server.listen(port, '127.0.0.1')
  try {
    await once(server, 'listening')
  } catch {
    return false
  }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return true
}
