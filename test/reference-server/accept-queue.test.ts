// The seed's load, `ab -n 1000 -c 94 -k`: 94 keep-alive connections opened in a burst.
import {describe, expect, it} from 'vitest'
import {readListenQueue} from '../helpers/listen-queue.js'
import {useReferenceServers} from '../helpers/reference-servers.js'
import {runAb} from '../helpers/run-ab.js'

const requests = 1000
const concurrency = 94
const startServer = useReferenceServers()

describe('correct modes lose nothing', () => {
  it.each([
    ['lt, threads 0', {trigger: 'lt', threads: 0, accept: 'drain'}],
    ['lt, threads 4', {trigger: 'lt', threads: 4, accept: 'drain'}],
    ['lt, threads 4, accept once', {trigger: 'lt', threads: 4, accept: 'once'}],
    ['et, threads 0, accept drain, read drain', {trigger: 'et', threads: 0, accept: 'drain'}],
    ['et, threads 4, accept drain, read drain', {trigger: 'et', threads: 4, accept: 'drain'}],
  ] as const)('%s: 10 of 10 runs complete', async (_label, mode) => {
    for (let run = 0; run < 10; run++) {
      const server = await startServer(mode)
      const ab = await runAb(server.url, {requests, concurrency})
      expect(ab, ab.output).toMatchObject({exitCode: 0, completed: requests, failed: 0, timedOut: false})
      expect((await readListenQueue(server.port))?.recvQ).toBe(0)
      expect(await server.stop()).toMatchObject({accepted: concurrency, requests})
    }
  }, 120_000)
})

describe('the seed bug reproduces', () => {
  // On its own the race shows in about 17 of 20 runs on 2 cores (scripts/seed-rate.ts); a
  // 200 us pause after each accept() lets more handshakes pile up behind the one edge, so every run
  // shows it and the test is deterministic enough for CI.
  it('et, accept once, 4 threads: connections stay in the accept queue and ab hangs', async () => {
    for (let run = 0; run < 3; run++) {
      const server = await startServer({trigger: 'et', threads: 4, accept: 'once'}, {acceptDelayUs: 200})
      const ab = await runAb(server.url, {requests, concurrency, timeoutS: 2})
      const queue = await readListenQueue(server.port)
      const final = await server.stop()
      expect(ab.timedOut, ab.output).toBe(true)
      expect(ab.completed).toBeLessThan(requests)
      expect(queue?.recvQ).toBeGreaterThan(0)
      expect(final?.accepted).toBeLessThan(concurrency)
      expect(final!.accepted + queue!.recvQ).toBe(concurrency)
    }
  }, 120_000)
})
