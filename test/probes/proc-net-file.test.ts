import {readFileSync} from 'node:fs'
import net from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {portRows} from '../../src/probes/collect-proc.js'
import {ProcNetFile, readProcNetFile} from '../../src/probes/proc-net-file.js'
import {scanListenRows} from '../../src/probes/proc-row-scan.js'
import {connect, startTestServer, type TestServer} from '../helpers/test-servers.js'

// Live: the kernel's own /proc/net/tcp, read the cheap ways, must hold what a plain read holds.

describe('readProcNetFile (one walk of the kernel table)', () => {
  const held: net.Socket[] = []
  const server = net.createServer((socket) => held.push(socket))
  let port = 0

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', 512, resolve))
    port = (server.address() as net.AddressInfo).port
    // 300 rows (both ends) at least: the file spans a dozen seq_file pages.
    for (let i = 0; i < 150; i++) held.push(await connect(port))
  })
  afterAll(async () => {
    for (const socket of held) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })

  it('gives every row a plain read to the end gives', async () => {
    const plain = portRows(readFileSync('/proc/net/tcp', 'latin1'), port)
    const cheap = portRows(await readProcNetFile('/proc/net/tcp'), port)
    expect(plain.filter((row) => row.state === 'ESTAB')).toHaveLength(150)
    const key = (row: (typeof plain)[number]) => `${row.state} ${row.local.address}:${row.local.port} ${row.peer.address}:${row.peer.port}`
    expect(cheap.map(key).sort()).toEqual(plain.map(key).sort())
  })

  it('is null for a table that does not exist', async () => {
    expect(await readProcNetFile('/proc/net/no-such-table')).toBeNull()
  })

  it('an open file read again starts over and sees what changed', async () => {
    const file = ProcNetFile.open('/proc/net/tcp')!
    try {
      const before = portRows((await file.readAll()).bytes.toString('latin1'), port).length
      const extra = await connect(port)
      await new Promise((resolve) => setTimeout(resolve, 50))
      const after = portRows((await file.readAll()).bytes.toString('latin1'), port).length
      extra.destroy()
      expect(after).toBe(before + 1)
    } finally {
      file.close()
    }
  })
})

describe('ProcNetFile.readListenSection', () => {
  let server: TestServer
  const clients: net.Socket[] = []

  beforeAll(async () => {
    server = await startTestServer('python3', ['test/servers/never-accept.py', '--backlog', '64'])
  })
  afterAll(async () => {
    for (const socket of clients) socket.destroy()
    await server.stop()
  })

  it('holds the LISTEN row with the accept queue, read again from the start each time', async () => {
    const file = ProcNetFile.open('/proc/net/tcp')!
    try {
      const queueOf = () => portRows(file.readListenSection(server.port).bytes.toString('latin1'), server.port).find((row) => row.state === 'LISTEN')?.recvQ
      expect(queueOf()).toBe(0)
      expect(file.readListenSection(server.port).acceptQueue).toBe(0)
      for (let i = 0; i < 5; i++) clients.push(await connect(server.port))
      expect(queueOf()).toBe(5)
      expect(file.readListenSection(server.port).acceptQueue).toBe(5)
    } finally {
      file.close()
    }
  })

  it('stops soon after the listeners instead of reading every connection', () => {
    const file = ProcNetFile.open('/proc/net/tcp')!
    try {
      const section = file.readListenSection(server.port).bytes.toString('latin1').split('\n').filter((line) => line.trim() !== '')
      const whole = readFileSync('/proc/net/tcp', 'latin1').split('\n').filter((line) => line.trim() !== '')
      const listeners = whole.filter((line) => / 0A /.test(line)).length
      // The header, the listeners, and at most the rest of the last 1 KiB read.
      expect(section.length).toBeLessThanOrEqual(1 + listeners + 7)
      expect(section.length).toBeLessThan(whole.length)
      expect(section.filter((line) => / 0A /.test(line))).toHaveLength(listeners)
    } finally {
      file.close()
    }
  })

  it('holds every listener read after read when they fill more than a page', async () => {
    // 60 listeners: about 9 KiB of LISTEN rows, where one read gives at most a page (4 KiB).
    const listeners: net.Server[] = []
    const file = ProcNetFile.open('/proc/net/tcp')!
    try {
      for (let i = 0; i < 60; i++) {
        const listener = net.createServer()
        await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
        listeners.push(listener)
      }
      const ports = listeners.map((listener) => (listener.address() as net.AddressInfo).port)
      for (let round = 0; round < 3; round++) {
        const section = file.readListenSection(ports[0]!).bytes
        expect(section.length).toBeGreaterThan(4096)
        expect(ports.filter((port) => scanListenRows(section, port).acceptQueue === null)).toEqual([])
        expect(file.readListenSection(ports.at(-1)!).acceptQueue).toBe(0)
      }
    } finally {
      file.close()
      await Promise.all(listeners.map((listener) => new Promise((resolve) => listener.close(resolve))))
    }
  })
})
