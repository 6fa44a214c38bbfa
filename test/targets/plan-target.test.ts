import {describe, expect, it} from 'vitest'
import {parseDuration} from '../../src/cli/parse-duration.js'
import {planTarget, type TargetFlags} from '../../src/targets/plan-target.js'

const flags = (extra: Partial<TargetFlags>): TargetFlags => ({command: [], host: '127.0.0.1', 'ready-timeout': '10s', acceptDelayUs: 50, ...extra})
const plan = (extra: Partial<TargetFlags>) => planTarget(flags(extra), parseDuration)

describe('planTarget', () => {
  it('no target and no mode flag: the mode matrix, with --backlog', () => {
    expect(plan({})).toEqual({kind: 'matrix', threads: 4, backlog: 128, protocol: 'http', acceptDelayUs: 50})
    // --protocol (bench's echo load) is a matrix-wide setting too, not a mode pick.
    expect(plan({protocol: 'echo'})).toMatchObject({kind: 'matrix', protocol: 'echo'})
    expect(plan({backlog: 8})).toMatchObject({kind: 'matrix', backlog: 8})
  })

  it('a mode flag: the reference server in that mode, the rest from the defaults', () => {
    expect(plan({trigger: 'et', port: 9000})).toEqual({
      kind: 'single',
      target: {kind: 'reference', mode: {trigger: 'et', threads: 0, accept: 'drain', read: 'drain', backlog: 128, protocol: 'http'}, host: '127.0.0.1', port: 9000, acceptDelayUs: 50},
    })
    expect(plan({threads: 4, accept: 'once'})).toMatchObject({target: {mode: {trigger: 'lt', threads: 4, accept: 'once'}, port: 0}})
  })

  it('--url and a command after --', () => {
    expect(plan({url: 'http://127.0.0.1:8080/hello'})).toEqual({kind: 'single', target: {kind: 'url', host: '127.0.0.1', port: 8080, path: '/hello'}})
    expect(plan({command: ['./server', '{port}']})).toEqual({
      kind: 'single',
      target: {kind: 'command', argv: ['./server', '{port}'], host: '127.0.0.1', port: null, path: '/', readyTimeoutMs: 10_000},
    })
  })

  it('refuses flags that contradict each other, saying what to do', () => {
    const refusals: Array<[Partial<TargetFlags>, string]> = [
      [{url: 'http://127.0.0.1:1/', command: ['x']}, '--url and a server command both name a target'],
      [{url: 'http://127.0.0.1:1/', trigger: 'et'}, '--trigger configures the bundled reference server'],
      [{command: ['x'], threads: 2}, '--threads configures the bundled reference server'],
      [{url: 'http://127.0.0.1:1/', port: 2}, '--port and --url both give a port'],
      [{port: 9000}, '--port is for one server, and the mode matrix starts one per run, each on a free port'],
      [{host: '10.0.0.1'}, 'refusing to send load to 10.0.0.1'],
    ]
    for (const [extra, message] of refusals) expect(() => plan(extra)).toThrow(message)
  })
})
