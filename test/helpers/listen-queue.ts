import {execa} from 'execa'

export interface ListenQueue {
  /** Connections waiting in the accept queue. */
  recvQ: number
  /** The backlog limit. */
  sendQ: number
}

/** The LISTEN row of a port as `ss` shows it; null when nothing listens there. */
export async function readListenQueue(port: number): Promise<ListenQueue | null> {
  const {stdout} = await execa('ss', ['-ltnH', `sport = :${port}`])
  const fields = stdout.trim().split(/\s+/)
  if (fields[0] !== 'LISTEN') return null
  return {recvQ: Number(fields[1]), sendQ: Number(fields[2])}
}
