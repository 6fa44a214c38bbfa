/**
 * The captured reports the renderer and diagnosis tests read (test/fixtures/reports/): each is
 * what the documented schema says bench prints, came from the command beside it, and shows what
 * its name promises, so a re-capture that missed the bug fails here, not as a puzzle elsewhere.
 */
import {readFileSync} from 'node:fs'
import {Ajv} from 'ajv'
import {describe, expect, it} from 'vitest'
import {decideGate, defaultFailOn} from '../../src/bench/fail-on.js'
import {capturedCommand, loadMatrix, loadReport, loadRun, lostClients, type CapturedName} from '../helpers/captured-reports.js'

const schema = JSON.parse(readFileSync(new URL('../../docs/bench-report.schema.json', import.meta.url), 'utf8'))
const validate = new Ajv({allErrors: true}).compile(schema)

const names: CapturedName[] = ['healthy-lt', 'lossy-et-accept-once', 'read-interest-missing', 'duration-autocannon', 'inconclusive-wrong-protocol', 'repeat-et-accept-once', 'matrix-small']

describe('captured bench reports', () => {
  it.each(names)('%s: matches the schema, and the gate gives the exit code bench gave', (name) => {
    const report = loadReport(name)
    validate(report)
    expect(validate.errors ?? []).toEqual([])
    const {command, exitCode} = capturedCommand(name)
    expect(command).toMatch(/^\.\/bin\/run\.js bench --json /)
    expect(decideGate(report, defaultFailOn, false).exitCode).toBe(exitCode)
  })

  it('each shows what its name says', () => {
    expect(loadRun('healthy-lt').verdict.status).toBe('healthy')
    expect(lostClients(loadRun('lossy-et-accept-once')).length).toBeGreaterThan(0)
    expect(loadRun('read-interest-missing').verdict.diagnoses.map((d) => d.cause.kind)).toEqual(['read-interest-missing'])
    expect(loadRun('duration-autocannon').load.end).toBe('duration')
    expect(loadRun('inconclusive-wrong-protocol').verdict.status).toBe('inconclusive')
    const repeat = loadReport('repeat-et-accept-once')
    expect(repeat.kind === 'repeat' && repeat.repeat.lossyRuns).toBeGreaterThan(0)
    // The matrix: the ET accept-once modes lost connections, the others none.
    const rows = loadMatrix('matrix-small').rows
    expect(rows.filter((r) => r.lossyRuns > 0).map((r) => r.label)).toEqual(['et single-thread accept once', 'et 4 I/O threads accept once'])
  })
})
