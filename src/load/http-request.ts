/** The one request the ab engine sends, built once and written as the same Buffer every time. */
export function buildGetRequest(host: string, port: number, path: string, keepAlive: boolean): Buffer {
  const connection = keepAlive ? 'keep-alive' : 'close'
  return Buffer.from(
    `GET ${path} HTTP/1.1\r\nHost: ${hostHeader(host, port)}\r\nUser-Agent: reactor-doctor\r\n` +
      `Accept: */*\r\nConnection: ${connection}\r\n\r\n`,
    'latin1',
  )
}

/** host:port, with IPv6 literals in brackets. */
export function hostHeader(host: string, port: number): string {
  const bare = host.replace(/^\[|\]$/g, '')
  return bare.includes(':') ? `[${bare}]:${port}` : `${bare}:${port}`
}
