import net from 'node:net'

export interface Exchange {
  /** Everything the server sent. */
  received: string
  /** True when the server closed its side before the wait ended (with `responses`: by the last answer). */
  closedByServer: boolean
}

/**
 * Writes each chunk on one raw connection (pausing between them so they arrive as separate
 * reads), then collects what comes back until the server closes, or, for a connection kept
 * alive, until `responses` answers have come. Both are events; `timeoutMs` (10 s) only bounds
 * the wait, so a server that never answers fails the test's assertion instead of hanging it.
 */
export async function exchange(
  port: number,
  chunks: Array<string | Buffer>,
  options: {pauseMs?: number; responses?: number; timeoutMs?: number} = {},
): Promise<Exchange> {
  const socket = net.connect({port, host: '127.0.0.1', noDelay: true})
  let received = ''
  let closedByServer = false
  let answered = () => {}
  const enough = new Promise<void>((resolve) => (answered = resolve))
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => {
    received += chunk
    if (options.responses !== undefined && statusCodes(received).length >= options.responses) answered()
  })
  socket.on('error', () => {})
  const closed = new Promise<void>((resolve) => socket.once('end', () => ((closedByServer = true), resolve())))
  let timer: NodeJS.Timeout | undefined
  try {
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
    for (const [i, chunk] of chunks.entries()) {
      if (i > 0) await sleep(options.pauseMs ?? 30)
      socket.write(chunk)
    }
    await Promise.race([closed, enough, new Promise<void>((resolve) => (timer = setTimeout(resolve, options.timeoutMs ?? 10_000)))])
    return {received, closedByServer}
  } finally {
    clearTimeout(timer)
    socket.destroy()
  }
}

/** The status codes of the responses in order, e.g. [200, 200, 400]. */
export function statusCodes(received: string): number[] {
  return [...received.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((match) => Number(match[1]))
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
