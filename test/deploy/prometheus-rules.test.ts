import {execa} from 'execa'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {ListenerMetrics} from '../../src/metrics/listener-metrics.js'

/** The shipped alert rules and their unit tests, run by Debian's promtool (package prometheus, in .ci/run). */
const dir = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url))
const rules = `${dir}reactor-doctor.rules.yml`
const ruleTests = `${dir}reactor-doctor.rules.test.yml`

describe('deploy/prometheus/reactor-doctor.rules.yml', () => {
  it('promtool check rules accepts it', async () => {
    const result = await execa('promtool', ['check', 'rules', rules], {reject: false})
    expect(result.exitCode, `${result.stdout}${result.stderr}`).toBe(0)
    expect(result.stdout).toContain('SUCCESS: 5 rules found')
  })

  it('promtool test rules passes its unit tests, healthy series included', async () => {
    const result = await execa('promtool', ['test', 'rules', ruleTests], {cwd: dir, reject: false})
    expect(result.exitCode, `${result.stdout}${result.stderr}`).toBe(0)
    expect(result.stdout).toContain('SUCCESS')
  })

  it('every alert has a test that expects it to fire and one evaluation where it must not', () => {
    const alerts = (parse(readFileSync(rules, 'utf8')) as {groups: Array<{rules: Array<{alert: string}>}>}).groups.flatMap((group) => group.rules.map((rule) => rule.alert))
    type Case = {alertname: string; exp_alerts: unknown[]}
    const cases = (parse(readFileSync(ruleTests, 'utf8')) as {tests: Array<{alert_rule_test: Case[]}>}).tests.flatMap((test) => test.alert_rule_test)
    for (const alert of alerts) {
      expect(cases.some((c) => c.alertname === alert && c.exp_alerts.length > 0), `${alert} fires somewhere`).toBe(true)
    }
    // Healthy series sit beside the firing ones in each input: an evaluation that expects no alert,
    // or exactly the bad listener's, shows the healthy ones did not fire.
    for (const alert of alerts) {
      expect(cases.some((c) => c.alertname === alert && c.exp_alerts.length === 0), `${alert} has an evaluation where it must not fire`).toBe(true)
    }
  })

  it('uses only metric names the exporter exports', async () => {
    const exported = new Set((await new ListenerMetrics().registry.getMetricsAsJSON()).map((metric) => metric.name))
    const used = new Set(readFileSync(rules, 'utf8').match(/reactor_doctor_[a-z_]+/g))
    expect([...used].filter((name) => !exported.has(name))).toEqual([])
    expect(used.size).toBeGreaterThanOrEqual(5)
  })
})
