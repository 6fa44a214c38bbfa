import {readFileSync} from 'node:fs'
import net from 'node:net'
import {resolveSource, takeSnapshot} from '../src/probes/index.js'
function cpu() { const f = readFileSync('/proc/self/stat','utf8').split(') ')[1]!.split(' '); return (Number(f[11])+Number(f[12])+Number(f[13])+Number(f[14]))*10 }
const server = net.createServer(() => {}); await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
const port = (server.address() as net.AddressInfo).port
const clients = await Promise.all(Array.from({length: 100}, () => new Promise<net.Socket>((r) => { const s = net.connect(port, '127.0.0.1', () => r(s)) })))
for (const name of ['idle', 'ss', 'proc', 'netstat'] as const) {
  const c0 = cpu(); const t0 = Date.now(); let n = 0
  while (Date.now() - t0 < 3000) {
    if (name !== 'idle') await takeSnapshot({port, source: resolveSource(name), owners: false})
    n++
    await new Promise((r) => setTimeout(r, 20))
  }
  const el = Date.now() - t0
  console.log(name, n, 'samples', (((cpu() - c0) / el) * 100).toFixed(1), '% core', ((cpu() - c0) / n).toFixed(2), 'ms/sample')
}
for (const c of clients) c.destroy(); server.close()
