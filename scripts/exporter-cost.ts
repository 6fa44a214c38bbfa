// CPU cost of the exporter (not a test): `npx tsx scripts/exporter-cost.ts [listeners] [connections-per-listener] [seconds]`.
// Opens that many loopback listeners in this process, each with that many accepted connections,
// then runs the built CLI (`sockets --watch --port ... --textfile`) at a 1 s interval and reads
// its CPU time (user + system of the CLI and of the ss processes it waited for, /proc/PID/stat)
// between its second reading and its last. The figure per reading, divided by the default
// interval, is the cost at the default interval. Needs `npm run build`.
import {execa} from 'execa'
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import net from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {EXPORTER_DEFAULT_INTERVAL} from '../src/cli/exporter-flags.js'
import {parseInterval} from '../src/cli/parse-duration.js'

const listeners = Number(process.argv[2] ?? 100)
const perListener = Number(process.argv[3] ?? 10)
const seconds = Number(process.argv[4] ?? 20)
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const TICKS_PER_SECOND = 100

/** utime + stime + cutime + cstime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND
}

async function main(): Promise<void> {
  const servers: net.Server[] = []
  const sockets: net.Socket[] = []
  for (let i = 0; i < listeners; i++) {
    const server = net.createServer((socket) => sockets.push(socket))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    servers.push(server)
    const {port} = server.address() as net.AddressInfo
    for (let c = 0; c < perListener; c++) {
      sockets.push(await new Promise<net.Socket>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => resolve(socket))
      }))
    }
  }
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port)
  const dir = mkdtempSync(join(tmpdir(), 'rd-exporter-cost-'))
  const textfile = join(dir, 'reactor-doctor.prom')
  const args = ['sockets', '--watch', ...ports.flatMap((port) => ['--port', String(port)]), '--textfile', textfile, '--interval', '1s', '--duration', `${seconds}s`]
  const child = execa(process.execPath, [bin, ...args], {env: {NODE_ENV: undefined}, reject: false})
  try {
    // Startup (node, oclif) is not sampling: start counting once the second reading is written.
    const writes: Array<{at: number; cpu: number}> = []
    let lastMtime = 0
    while (child.exitCode === null && writes.length < seconds) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      const mtime = statSync(textfile, {throwIfNoEntry: false})?.mtimeMs ?? 0
      if (mtime !== lastMtime && child.pid !== undefined) {
        lastMtime = mtime
        try {
          writes.push({at: performance.now(), cpu: cpuSeconds(child.pid)})
        } catch {
          break
        }
      }
    }
    const result = await child
    if (writes.length < 4) throw new Error(`too few readings (${writes.length}); exporter said: ${result.stderr || result.stdout}`)
    const first = writes[1]!
    const last = writes.at(-1)!
    const readings = writes.length - 2
    const perReading = (last.cpu - first.cpu) / readings
    const wall = (last.at - first.at) / 1000
    const series = readFileSync(textfile, 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#')).length
    const defaultS = parseInterval(EXPORTER_DEFAULT_INTERVAL, '--interval') / 1000
    console.log(`${listeners} listeners, ${perListener} accepted connections each (${listeners * perListener * 2} sockets on loopback), ${series} series in the textfile`)
    console.log(`readings measured: ${readings} over ${wall.toFixed(1)} s (interval 1 s)`)
    console.log(`CPU per reading (exporter + ss): ${(perReading * 1000).toFixed(1)} ms (clock ticks of 10 ms: ±${(10 / readings).toFixed(1)} ms)`)
    console.log(`at a 1 s interval: ${((perReading / 1) * 100).toFixed(2)}% of one core`)
    console.log(`at the default interval (${EXPORTER_DEFAULT_INTERVAL}): ${((perReading / defaultS) * 100).toFixed(2)}% of one core (goal < 1%)`)
  } finally {
    child.kill()
    for (const socket of sockets) socket.destroy()
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
    rmSync(dir, {recursive: true, force: true})
  }
}

await main()
