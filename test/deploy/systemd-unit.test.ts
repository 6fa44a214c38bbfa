import {execa} from 'execa'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/run-cli.js'

const unitPath = fileURLToPath(new URL('../../deploy/systemd/reactor-doctor-exporter.service', import.meta.url))
const bin = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
const unit = readFileSync(unitPath, 'utf8')
const execStart = /^ExecStart=(\S+) (.+)$/m.exec(unit)!
const dir = mkdtempSync(join(tmpdir(), 'rd-unit-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('deploy/systemd/reactor-doctor-exporter.service', () => {
  it('systemd-analyze verify accepts it (with ExecStart pointed at this checkout)', async () => {
    const copy = join(dir, 'reactor-doctor-exporter.service')
    writeFileSync(copy, unit.replace(execStart[1]!, bin))
    const result = await execa('systemd-analyze', ['verify', copy], {reject: false})
    expect(result.exitCode, `${result.stdout}${result.stderr}`).toBe(0)
  })

  it("its ExecStart command line runs the exporter (textfile moved to a temp dir, stopped after a reading)", async () => {
    const args = execStart[2]!.split(' ')
    const textfile = join(dir, 'reactor-doctor.prom')
    const moved = args.map((arg) => (arg.endsWith('.prom') ? textfile : arg))
    expect(moved).toContain(textfile)
    const result = await runCli([...moved, '--interval', '200ms', '--duration', '300ms'])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(readFileSync(textfile, 'utf8')).toContain('reactor_doctor_accept_queue_connections{')
    // The unit lets it write there and only there.
    expect(unit).toContain(`ReadWritePaths=${args.find((arg) => arg.endsWith('.prom'))!.replace(/\/[^/]+$/, '')}`)
  })
})
