import {execa} from 'execa'

export interface ListenQueue {
  /** Connections waiting in the accept queue. */
  recvQ: number
  /** The backlog limit. */
  sendQ: number
  /** The listener's own drop count (skmem d): SYNs and handshakes it dropped since it was made. */
  drops: number
}

/**
 * The LISTEN row of a port as `ss -ltnm` shows it, read here without the project's parser;
 * null when nothing listens there.
 */
export async function readListenQueue(port: number): Promise<ListenQueue | null> {
  const {stdout} = await execa('ss', ['-ltnmH', `sport = :${port}`])
  const row = /^LISTEN\s+(\d+)\s+(\d+)\s[\s\S]*?skmem:\([^)]*\bd(\d+)\)/.exec(stdout.trim())
  if (!row) return null
  return {recvQ: Number(row[1]), sendQ: Number(row[2]), drops: Number(row[3])}
}
