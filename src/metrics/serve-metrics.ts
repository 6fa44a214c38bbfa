import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {UserError} from '../user-error.js'
import {formatListenAddress, type ListenAddress} from './listen-address.js'

export interface MetricsServer {
  /** Where it listens (the kernel's port when 0 was asked). */
  address: ListenAddress
  close(): Promise<void>
}

/**
 * Serves GET /metrics (the latest rendering); every other path is 404. A listen error (address
 * in use, not a local address) is one line.
 */
export async function serveMetrics(at: ListenAddress, render: () => Promise<string>, contentType: string): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, {'content-type': 'text/plain'}).end('not found: the metrics are at /metrics\n')
      return
    }
    render().then(
      (text) => response.writeHead(200, {'content-type': contentType}).end(text),
      (error: unknown) => response.writeHead(500, {'content-type': 'text/plain'}).end(`${String(error)}\n`),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new UserError(`--metrics-listen ${formatListenAddress(at)}: cannot listen (${error.code ?? error.message})`, 'pick another address or port')),
    )
    server.listen(at.port, at.host, () => resolve())
  })
  const bound = server.address() as AddressInfo
  return {
    address: {host: at.host, port: bound.port},
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        // Prometheus keeps its scrape connection open: close it too, or close() waits for it.
        server.closeAllConnections()
      }),
  }
}
