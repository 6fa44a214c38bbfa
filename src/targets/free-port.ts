import {readFileSync} from 'node:fs'
import {createServer} from 'node:net'

/** Where picking below the ephemeral range starts: clear of the well-known and common ports. */
const LOWEST_PICKED_PORT = 10_000

/**
 * A free TCP port on host for a server command to bind later ({port}). It is picked below the
 * kernel's ephemeral range (ip_local_port_range): between our release and the command's bind, no
 * port-0 bind and no outgoing connection on the machine can be given it, so the command does not
 * find its port taken, and our readiness checks never reach another program's server on it.
 * Where that range leaves no room, the kernel picks (bind to port 0).
 */
export async function findFreePort(host: string): Promise<number> {
  const low = ephemeralLow()
  if (low !== null && low > LOWEST_PICKED_PORT + 1000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = LOWEST_PICKED_PORT + Math.floor(Math.random() * (low - LOWEST_PICKED_PORT))
      const bound = await bindAndRelease(host, port).catch(() => null)
      if (bound !== null) return bound
    }
  }
  return bindAndRelease(host, 0)
}

function ephemeralLow(): number | null {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
    return Number.isInteger(low) ? low : null
  } catch {
    return null
  }
}

function bindAndRelease(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({host, port, exclusive: true}, () => {
      const address = server.address()
      const bound = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(bound))
    })
  })
}
