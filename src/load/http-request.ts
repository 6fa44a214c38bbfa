/**
 * The one request the ab engine sends, built once and written as the same Buffer every time:
 * a GET, or with bodyBytes > 0 a POST carrying that many bytes (large requests are what expose
 * a server that reads once per edge-triggered wakeup).
 */
export function buildRequest(host: string, port: number, path: string, keepAlive: boolean, bodyBytes = 0): Buffer {
  const connection = keepAlive ? 'keep-alive' : 'close'
  const method = bodyBytes > 0 ? 'POST' : 'GET'
  const body = bodyBytes > 0 ? `Content-Type: application/octet-stream\r\nContent-Length: ${bodyBytes}\r\n` : ''
  const head = Buffer.from(
    `${method} ${path} HTTP/1.1\r\nHost: ${hostHeader(host, port)}\r\nUser-Agent: reactor-doctor\r\n` +
      `Accept: */*\r\nConnection: ${connection}\r\n${body}\r\n`,
    'latin1',
  )
  return bodyBytes > 0 ? Buffer.concat([head, Buffer.alloc(bodyBytes, 'x')]) : head
}

/** host:port, with IPv6 literals in brackets. */
export function hostHeader(host: string, port: number): string {
  const bare = host.replace(/^\[|\]$/g, '')
  return bare.includes(':') ? `[${bare}]:${port}` : `${bare}:${port}`
}
