#!/usr/bin/env node
// Builds the bundled C reference server and the native load driver rd-load (reference-server/,
// C11, no libraries) where the package is installed: npm runs this as the package's install
// script. Without a C compiler (or make) it says so in one line and leaves the rest of
// reactor-doctor working: bench against your own server (-- CMD, --url) and sockets need no C,
// and bench loads with its Node engine instead of rd-load. `npm rebuild -g reactor-doctor`
// retries later.
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const dir = fileURLToPath(new URL('../reference-server', import.meta.url))
const onPath = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], {stdio: 'ignore'}).status === 0
const compiler = process.env.CC || 'cc'
if (!onPath(compiler.split(' ')[0]) || !onPath('make')) {
  const missing = !onPath('make') ? 'make' : `a C compiler (${compiler})`
  console.error(`reactor-doctor: ${missing} not found, so the bundled reference server and load driver were not built; install gcc and make, then run npm rebuild -g reactor-doctor (bench -- YOUR-SERVER, --url and sockets work without them, bench with its Node load engine)`)
  process.exit(0)
}
const make = spawnSync('make', ['-s', '-C', dir], {stdio: 'inherit'})
if (make.status !== 0 || !existsSync(`${dir}/build/reactor-server`)) {
  console.error(`reactor-doctor: building the reference server failed (make -C ${dir}); bench -- YOUR-SERVER, --url and sockets still work`)
}
