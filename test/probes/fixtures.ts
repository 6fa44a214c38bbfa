import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import type {SocketRecord} from '../../src/probes/types.js'

const root = fileURLToPath(new URL('../fixtures/', import.meta.url))

export function readFixture(name: string): string {
  return readFileSync(`${root}${name}`, 'utf8')
}

/**
 * The scene of test/servers/fixture-scene.py, found by shape since ports change per capture:
 * port A is the listener with 3 queued connections (1 ESTAB, 2 CLOSE-WAIT with 114 bytes).
 */
export function portA(records: SocketRecord[]): number {
  const listener = records.find((record) => record.state === 'LISTEN' && record.recvQ === 3)
  if (!listener?.local.port) throw new Error('no listener with 3 queued connections')
  return listener.local.port
}

export function serverSide(records: SocketRecord[], port: number): SocketRecord[] {
  return records.filter((record) => record.local.port === port)
}
