/**
 * How reliable the bench is as a CI gate: runs the built CLI's bench in the seed mode and in two
 * correct modes, --runs times each, interleaved (one run of each case per round, so a busy spell
 * of the machine hits every case alike), and prints how often each exited as it should (k/N),
 * each run's wall time and how many waves it started. Needs `npm run build` first.
 *
 *   npx tsx scripts/gate-rate.ts [--runs 20] [--accept-delay 50us] [--waves N] [--cases seed,lt,drain]
 *
 * Without --waves, bench's default waves are used.
 */
import {parseArgs} from 'node:util'
import {execa} from 'execa'
import type {BenchReport} from '../src/bench/types.js'

const {values} = parseArgs({
  options: {
    runs: {type: 'string', default: '20'},
    'accept-delay': {type: 'string', default: '50us'},
    waves: {type: 'string'},
    cases: {type: 'string', default: 'seed,lt,drain'},
  },
})
const runs = Number(values.runs)
const wavesArgs = values.waves === undefined ? [] : ['--waves', values.waves]

const allCases = [
  {name: 'seed', label: 'et, 4 I/O threads, accept once (the seed)', flags: ['--trigger', 'et', '--threads', '4', '--accept', 'once'], expect: 1},
  {name: 'lt', label: 'lt, 4 I/O threads', flags: ['--trigger', 'lt', '--threads', '4'], expect: 0},
  {name: 'drain', label: 'et, accept and read until EAGAIN', flags: ['--trigger', 'et', '--accept', 'drain', '--read', 'drain'], expect: 0},
]
const wanted = new Set(values.cases!.split(','))
const cases = allCases.filter((c) => wanted.has(c.name)).map((c) => ({...c, good: 0, durations: [] as number[], waves: [] as number[]}))

console.log(`bench, ${runs} runs per case, --accept-delay ${values['accept-delay']}, waves ${values.waves ?? 'default'}`)
for (let i = 0; i < runs; i++) {
  for (const c of cases) {
    const result = await execa('node', ['bin/run.js', 'bench', ...c.flags, '--accept-delay', values['accept-delay']!, ...wavesArgs, '--json'], {reject: false})
    const report = JSON.parse(String(result.stdout)) as BenchReport
    if (report.kind !== 'single') throw new Error('expected a single run')
    const lost = report.run.verdict.findings.some((f) => f.kind === 'lost-connections')
    if (result.exitCode === c.expect && lost === (c.expect === 1)) c.good++
    c.durations.push(report.run.durationMs)
    c.waves.push(report.run.load.waves?.started ?? 1)
  }
}
console.log('case                                          as expected   slowest run')
for (const c of cases) {
  console.log(`${c.label.padEnd(46)}${`${c.good}/${runs}`.padEnd(14)}${(Math.max(...c.durations) / 1000).toFixed(2)} s`)
}
for (const c of cases) {
  console.log(`${c.name} run s: ${c.durations.map((ms) => (ms / 1000).toFixed(2)).join(' ')}`)
  console.log(`${c.name} waves started: ${c.waves.join(' ')}`)
}
