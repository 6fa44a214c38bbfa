import net from 'node:net'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {takeSnapshot} from '../../src/probes/index.js'
import {ownersFromTree} from '../../src/probes/tree-owners.js'
import {useReferenceServers} from '../helpers/reference-servers.js'

describe('owners from the server process tree', () => {
  const start = useReferenceServers()
  const clients: net.Socket[] = []
  afterEach(() => clients.splice(0).forEach((socket) => socket.destroy()))

  it('gives the same owners as ss -p, queued sockets none', async () => {
    const server = await start({trigger: 'et', accept: 'once', threads: 1}, {acceptDelayUs: 2000})
    for (let i = 0; i < 20; i++) clients.push(net.connect(server.port, '127.0.0.1'))
    await vi.waitFor(async () => {
      const now = await takeSnapshot({port: server.port, source: 'ss', owners: false})
      expect(now.sockets.filter((s) => s.state === 'ESTAB').length).toBe(20)
    }, {timeout: 10_000, interval: 50})
    const [fromTree, fromSs] = [
      await takeSnapshot({port: server.port, source: 'ss', owners: true, ownerTree: [server.pid]}),
      await takeSnapshot({port: server.port, source: 'ss', owners: true}),
    ]
    const byPair = (snapshot: typeof fromSs) => Object.fromEntries(snapshot.sockets.map((s) => [`${s.state} ${s.peer.port}`, s.owners]))
    const tree = byPair(fromTree)
    const listen = Object.entries(tree).find(([key]) => key.startsWith('LISTEN'))![1]!
    expect(listen).toEqual([{name: 'reactor-server', pid: server.pid, fd: expect.any(Number)}])
    // Every socket ss -p names an owner for has the same owner from the tree.
    for (const [key, owners] of Object.entries(byPair(fromSs))) if (tree[key] !== undefined) expect(tree[key]).toEqual(owners)
    expect(fromTree.sockets.filter((s) => s.inode === 0).every((s) => s.owners?.length === 0)).toBe(true)
    expect((await ownersFromTree([2 ** 22 + 9])).size).toBe(0)
  })
})
