/**
 * How reliable the bench is as a CI gate: runs the built CLI's bench in the seed mode and in two
 * correct modes, --runs times each, and prints how often each exited as it should, and the
 * slowest run. Needs `npm run build` first.
 *
 *   npx tsx scripts/gate-rate.ts [--runs 20] [--accept-delay 50us]
 */
import {parseArgs} from 'node:util'
import {execa} from 'execa'
import type {BenchReport} from '../src/bench/types.js'

const {values} = parseArgs({options: {runs: {type: 'string', default: '20'}, 'accept-delay': {type: 'string', default: '50us'}}})
const runs = Number(values.runs)

const cases = [
  {label: 'et, 4 I/O threads, accept once (the seed)', flags: ['--trigger', 'et', '--threads', '4', '--accept', 'once'], expect: 1},
  {label: 'lt, 4 I/O threads', flags: ['--trigger', 'lt', '--threads', '4'], expect: 0},
  {label: 'et, accept and read until EAGAIN', flags: ['--trigger', 'et', '--accept', 'drain', '--read', 'drain'], expect: 0},
]

console.log(`bench, ${runs} runs per case, --accept-delay ${values['accept-delay']}`)
console.log('case                                          as expected   slowest run')
for (const {label, flags, expect} of cases) {
  let good = 0
  let slowest = 0
  for (let i = 0; i < runs; i++) {
    const result = await execa('node', ['bin/run.js', 'bench', ...flags, '--accept-delay', values['accept-delay']!, '--json'], {reject: false})
    const report = JSON.parse(String(result.stdout)) as BenchReport
    if (report.kind !== 'single') throw new Error('expected a single run')
    const lost = report.run.verdict.findings.some((f) => f.kind === 'lost-connections')
    if (result.exitCode === expect && lost === (expect === 1)) good++
    slowest = Math.max(slowest, report.run.durationMs)
  }
  console.log(`${label.padEnd(46)}${`${good}/${runs}`.padEnd(14)}${(slowest / 1000).toFixed(2)} s`)
}
