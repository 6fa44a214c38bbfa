/**
 * Throughput of the level-triggered reference server with one I/O thread against nginx with one
 * worker answering `return 200`, under the same `wrk -t1 -c50 -d5s` on 127.0.0.1.
 *
 *   npx tsx scripts/bench-vs-nginx.ts        (root; installs nginx and wrk with apt-get if missing)
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {spawnOwned} from '../src/target/owned-process.js'
import {DEFAULT_MODE, startReferenceServer} from '../src/target/reference-server.js'

const wrkArgs = ['-t1', '-c50', '-d5s']

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

/** apt-get may already be running (another install); its lock makes a second one fail, so wait. */
async function installMissing(): Promise<void> {
  const missing = [['nginx', 'nginx'], ['wrk', 'wrk']].filter(([command]) => !hasCommand(command!)).map(([, pkg]) => pkg!)
  if (missing.length === 0) return
  for (let attempt = 0; attempt < 60; attempt++) {
    const result = await execa('apt-get', ['install', '-y', '-qq', ...missing], {reject: false, env: {DEBIAN_FRONTEND: 'noninteractive'}})
    if (result.exitCode === 0) return
    if (!/lock/i.test(result.stderr)) throw new Error(`apt-get install ${missing.join(' ')} failed: ${result.stderr.split('\n')[0]}`)
    await new Promise((resolve) => setTimeout(resolve, 5000))
  }
  throw new Error('apt-get stayed locked for 5 minutes')
}

async function findFreePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const {port} = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({port, host: '127.0.0.1'}, () => (socket.destroy(), resolve(true)))
      socket.once('error', () => resolve(false))
    })
    if (open) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`)
}

async function measureRps(url: string): Promise<number> {
  const {stdout} = await execa('wrk', [...wrkArgs, url])
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout)
  if (!rps) throw new Error(`wrk printed no Requests/sec:\n${stdout}`)
  if (/Non-2xx|Socket errors/.test(stdout)) console.log(stdout)
  return Number(rps[1])
}

function writeNginxConfig(dir: string, port: number): string {
  const conf = join(dir, 'nginx.conf')
  writeFileSync(
    conf,
    `daemon off;
master_process on;
user root;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port};
    location / { return 200 "ok\\n"; }
  }
}
`,
  )
  return conf
}

async function measureNginx(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'reactor-doctor-nginx-'))
  const port = await findFreePort()
  const nginx = spawnOwned('nginx', ['-p', dir, '-e', join(dir, 'error.log'), '-c', writeNginxConfig(dir, port)])
  try {
    await waitForPort(port)
    return await measureRps(`http://127.0.0.1:${port}/`)
  } finally {
    await nginx.stop()
    rmSync(dir, {recursive: true, force: true})
  }
}

async function measureReference(): Promise<number> {
  const server = await startReferenceServer({...DEFAULT_MODE, trigger: 'lt', threads: 1}, {statsIntervalMs: 0})
  try {
    return await measureRps(server.url)
  } finally {
    await server.stop()
  }
}

await installMissing()
const reference = await measureReference()
const nginx = await measureNginx()
console.log(`wrk ${wrkArgs.join(' ')} on 127.0.0.1, ${new Date().toISOString()}`)
console.log(`reference server (lt, 1 I/O thread): ${reference.toFixed(0)} req/s`)
console.log(`nginx (1 worker, return 200):        ${nginx.toFixed(0)} req/s`)
console.log(`ratio reference / nginx:             ${(reference / nginx).toFixed(2)}`)
