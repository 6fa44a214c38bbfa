import {readFile} from 'node:fs/promises'
import {parseSaved} from './detect-format.js'
import type {SocketRecord, Snapshot} from './types.js'
import {UserError} from '../user-error.js'

/**
 * Reads saved ss/netstat//proc output ("-": stdin) into a snapshot. Without a port, takes the
 * LISTEN row's port, or (an excerpt without LISTEN) the local port most rows share.
 */
export async function readSocketsFile(file: string, port?: number): Promise<{port: number; snapshot: Snapshot}> {
  let text: string
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8')
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`)
  }
  const name = file === '-' ? 'stdin' : file
  const {format, sockets} = parseSaved(text, name)
  const chosen = port ?? inferPort(sockets, name)
  return {port: chosen, snapshot: {at: Date.now(), source: format, sockets}}
}

export function inferPort(sockets: SocketRecord[], name: string): number {
  const listening = [...new Set(sockets.filter((socket) => socket.state === 'LISTEN').map((socket) => socket.local.port))]
  if (listening.length === 1 && listening[0] !== null) return listening[0]!
  if (listening.length > 1) throw new UserError(`${name} has listeners on ports ${listening.join(', ')}`, 'choose one with --port')
  const counts = new Map<number, number>()
  for (const socket of sockets) if (socket.local.port !== null) counts.set(socket.local.port, (counts.get(socket.local.port) ?? 0) + 1)
  const ranked = [...counts].sort((a, b) => b[1] - a[1])
  if (ranked.length === 0) throw new UserError(`${name} holds no TCP socket`)
  if (ranked.length > 1 && ranked[0]![1] === ranked[1]![1]) throw new UserError(`${name}: cannot tell which port to look at`, 'choose one with --port')
  return ranked[0]![0]
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
