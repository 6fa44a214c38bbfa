import {execa} from 'execa'
import {existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

/**
 * SLOW (20-90 s): `npm pack`, then `npm install -g --prefix TMP` of the tarball, as a user on a
 * fresh machine would, then the installed command. The install fetches the dependencies from
 * the npm registry (it must be reachable) and builds the C reference server with make (the
 * package's install script). npm pack runs with --ignore-scripts: dist/ is already built (npm
 * test's pretest), and its prepack build would rewrite dist/ under the other tests running now.
 */
const root = fileURLToPath(new URL('../..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'rd-package-'))
const prefix = join(dir, 'prefix')
const installed = join(prefix, 'lib/node_modules/reactor-doctor')
const command = join(prefix, 'bin/reactor-doctor')
// npm test's own npm_* variables (and vitest's NODE_ENV) must not steer the nested npm or the CLI.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'NODE_ENV'))
let install: {exitCode?: number; stdout: unknown; stderr: unknown}

beforeAll(async () => {
  const pack = await execa('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], {cwd: root, env, extendEnv: false, reject: false, timeout: 120_000})
  expect(pack.exitCode, String(pack.stderr)).toBe(0)
  const tarball = readdirSync(dir).find((name) => /^reactor-doctor-.*\.tgz$/.test(name))!
  install = await execa('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', join(dir, tarball)], {cwd: dir, env, extendEnv: false, reject: false, timeout: 240_000})
}, 400_000)
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('npm pack + npm install -g of the tarball into a temporary prefix', () => {
  it('installs a reactor-doctor command, with the reference server built at install', () => {
    expect(install.exitCode, `${String(install.stdout)}${String(install.stderr)}`).toBe(0)
    expect(existsSync(command)).toBe(true)
    expect(existsSync(join(installed, 'reference-server/build/reactor-server'))).toBe(true)
    expect(existsSync(join(installed, 'reference-server/build/rd-load'))).toBe(true)
    // Only what the package lists: no tests, no TypeScript sources.
    expect(existsSync(join(installed, 'test'))).toBe(false)
    expect(existsSync(join(installed, 'src'))).toBe(false)
  })

  it('the installed command runs a bench on its bundled reference server', async () => {
    const result = await execa(command, ['bench', '--trigger', 'lt', '-n', '100', '-c', '5'], {cwd: dir, env: {...env, NO_COLOR: '1'}, extendEnv: false, reject: false, timeout: 60_000})
    expect(result.exitCode, String(result.stderr)).toBe(0)
    expect(String(result.stdout).split('\n')[0]).toBe('HEALTHY: 100/100 requests, accept queue drained')
  }, 90_000)

  it('its exporter and its help work from the prefix', async () => {
    const help = await execa(command, ['sockets', '--help'], {cwd: dir, env, extendEnv: false, reject: false})
    expect(help.exitCode).toBe(0)
    expect(String(help.stdout)).toContain('--metrics-listen')
  })

  it('without a C compiler the install script says so in one line and does not fail the install', async () => {
    const result = await execa(process.execPath, [join(installed, 'bin/build-server.js')], {cwd: dir, env: {...env, CC: 'no-such-cc'}, extendEnv: false, reject: false})
    expect(result.exitCode).toBe(0)
    const lines = String(result.stderr).trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^reactor-doctor: a C compiler \(no-such-cc\) not found, so the bundled reference server and load driver were not built; install gcc and make, then run npm rebuild -g reactor-doctor/)
  })

  it('with the server unbuilt, bench says so in one line, and the npm rebuild it advises builds it', async () => {
    rmSync(join(installed, 'reference-server/build'), {recursive: true, force: true})
    const missing = await execa(command, ['bench', '--trigger', 'lt', '-n', '10', '-c', '1'], {cwd: dir, env, extendEnv: false, reject: false, timeout: 60_000})
    expect(missing.exitCode).toBe(2)
    expect(String(missing.stderr).replace(/\s*\n\s*›?\s*/g, ' ')).toContain('reference server not built: run npm run build (a checkout) or npm rebuild -g reactor-doctor (installed)')
    const rebuild = await execa('npm', ['rebuild', '-g', '--prefix', prefix, 'reactor-doctor'], {cwd: dir, env, extendEnv: false, reject: false, timeout: 120_000})
    expect(rebuild.exitCode, String(rebuild.stderr)).toBe(0)
    expect(existsSync(join(installed, 'reference-server/build/reactor-server'))).toBe(true)
  }, 180_000)
})
