/**
 * nginx with one worker answering `return 200` from a temporary prefix, for benchmarks to set
 * the reference server beside. Stopped, and its prefix removed, on every path.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {findFreePort} from '../../src/targets/free-port.js'
import {spawnOwned} from '../../src/process/owned-process.js'
import {waitForListen} from '../../src/targets/wait-for-listen.js'
import {resolveSource} from '../../src/probes/index.js'

export interface Nginx {
  url: string
  stop(): Promise<void>
}

export async function startNginx(): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'reactor-doctor-nginx-'))
  // A Ctrl-C exits through process.exit (owned-process kills nginx then): no finally runs.
  const removeDir = (): void => rmSync(dir, {recursive: true, force: true})
  process.once('exit', removeDir)
  const port = await findFreePort('127.0.0.1')
  const config = join(dir, 'nginx.conf')
  writeFileSync(config, nginxConfig(dir, port))
  // -e: nginx opens its default error log before it reads the config; keep it in the prefix.
  const child = spawnOwned('nginx', ['-p', dir, '-e', join(dir, 'error.log'), '-c', config])
  const stop = async (): Promise<void> => {
    await child.stop()
    removeDir()
    process.removeListener('exit', removeDir)
  }
  if (!(await waitForListen(port, resolveSource('auto'), 5000, () => child.exit !== null))) {
    await stop()
    throw new Error(`nginx did not listen on 127.0.0.1:${port}: ${child.stderrTail.join(' ')}`)
  }
  return {url: `http://127.0.0.1:${port}/`, stop}
}

/** Temp paths inside the prefix, so nginx needs no /var/lib/nginx; keep-alive never runs out. */
function nginxConfig(dir: string, port: number): string {
  return `daemon off;
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
`
}
