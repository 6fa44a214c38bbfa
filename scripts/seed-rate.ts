/**
 * How often the seed's bug shows: runs `ab -n 1000 -c 94 -k` against the reference server,
 * --runs times per mode, and counts the runs that left connections in the accept queue.
 *
 *   npx tsx scripts/seed-rate.ts [--runs 20] [--accept-delay-us 0] [--only 'et accept once, threads 4']
 */
import {parseArgs} from 'node:util'
import {acceptQueueOf} from '../src/probes/socket-evidence.js'
import {takeSnapshot} from '../src/probes/index.js'
import {type ReferenceServerMode, startReferenceServer} from '../src/targets/reference-server.js'
import {runAb} from './lib/ab.js'

const {values} = parseArgs({options: {runs: {type: 'string', default: '20'}, 'accept-delay-us': {type: 'string', default: '0'}, only: {type: 'string'}}})
const runs = Number(values.runs)
const acceptDelayUs = Number(values['accept-delay-us'])
const requests = 1000
const concurrency = 94

const modes: Array<{label: string; mode: ReferenceServerMode}> = [0, 1, 4].flatMap((threads) => [
  {label: `et accept once, threads ${threads}`, mode: {trigger: 'et', threads, accept: 'once', read: 'drain', backlog: 128}},
  {label: `et accept drain, threads ${threads}`, mode: {trigger: 'et', threads, accept: 'drain', read: 'drain', backlog: 128}},
  {label: `lt accept once, threads ${threads}`, mode: {trigger: 'lt', threads, accept: 'once', read: 'drain', backlog: 128}},
])

interface Run {
  lost: boolean
  completed: number
  accepted: number
  recvQ: number
}

async function runOnce(mode: ReferenceServerMode): Promise<Run> {
  const server = await startReferenceServer(mode, {statsIntervalMs: 0, acceptDelayUs})
  try {
    const ab = await runAb(server.url, {requests, concurrency, timeoutS: 2})
    const recvQ = acceptQueueOf(await takeSnapshot({port: server.port, source: 'auto', owners: false}), server.port) ?? 0
    const accepted = (await server.stop())?.accepted ?? 0
    return {lost: recvQ > 0 || accepted < concurrency || ab.completed < requests, completed: ab.completed, accepted, recvQ}
  } finally {
    await server.stop()
  }
}

console.log(`ab -n ${requests} -c ${concurrency} -k -s 2, ${runs} runs per mode, accept delay ${acceptDelayUs} us`)
console.log('mode                             lost runs   completed (min-max)   accepted (min-max)   max Recv-Q')
for (const {label, mode} of modes.filter((m) => values.only === undefined || m.label === values.only)) {
  const results: Run[] = []
  for (let i = 0; i < runs; i++) results.push(await runOnce(mode))
  const range = (pick: (r: Run) => number) => `${Math.min(...results.map(pick))}-${Math.max(...results.map(pick))}`
  const lost = results.filter((r) => r.lost).length
  console.log(
    `${label.padEnd(33)}${`${lost}/${runs}`.padEnd(12)}${range((r) => r.completed).padEnd(22)}${range((r) => r.accepted).padEnd(21)}${Math.max(...results.map((r) => r.recvQ))}`,
  )
}
