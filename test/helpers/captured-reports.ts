/**
 * The real `bench --json` reports in test/fixtures/reports/ (capture-reports.sh): what bench
 * printed, with the command and exit code beside each. Tests take their expectations from the
 * reports' own fields, since ports, pids, times and counts differ on every capture.
 */
import {readFileSync} from 'node:fs'
import type {BenchReport, BenchRun, MatrixReport, RepeatReport} from '../../src/bench/types.js'
import {stalledReading} from '../../src/bench/read-server.js'
import {benchFlags} from '../../src/cli/bench-flags.js'
import {parseDuration} from '../../src/cli/parse-duration.js'
import type {BenchEvidence} from '../../src/diagnose/diagnose-bench.js'
import type {SocketRecord} from '../../src/probes/types.js'

export type CapturedName =
  | 'healthy-lt'
  | 'lossy-et-accept-once'
  | 'read-interest-missing'
  | 'duration-autocannon'
  | 'inconclusive-wrong-protocol'
  | 'repeat-et-accept-once'
  | 'matrix-small'

const fixture = (name: CapturedName, ext: string) => new URL(`../fixtures/reports/${name}.${ext}`, import.meta.url)

/** A fresh copy each call: a test may change it without touching the others'. */
export function loadReport(name: CapturedName): BenchReport {
  return JSON.parse(readFileSync(fixture(name, 'json'), 'utf8')) as BenchReport
}

/** The command that produced the report, and the exit code bench gave. */
export function capturedCommand(name: CapturedName): {command: string; exitCode: number} {
  const [first, second] = readFileSync(fixture(name, 'cmd'), 'utf8').split('\n')
  const exit = /^exit (\d+)$/.exec(second ?? '')
  if (!first || !exit) throw new Error(`${name}.cmd: expected the command, then "exit N"`)
  return {command: first.replace(/ {3}\(.*\)$/, ''), exitCode: Number(exit[1])}
}

export function loadRun(name: CapturedName): BenchRun {
  const report = loadReport(name)
  if (report.kind !== 'single') throw new Error(`${name}: a ${report.kind} report, not one run`)
  return report.run
}

export function loadRepeat(name: CapturedName): RepeatReport {
  const report = loadReport(name)
  if (report.kind !== 'repeat') throw new Error(`${name}: a ${report.kind} report, not --repeat`)
  return report.repeat
}

export function loadMatrix(name: CapturedName): MatrixReport {
  const report = loadReport(name)
  if (report.kind !== 'matrix') throw new Error(`${name}: a ${report.kind} report, not the matrix`)
  return report.matrix
}

/** Clients that sent a request and never got a byte back: the ones the server lost. */
export function lostClients(run: BenchRun) {
  return run.load.connections.filter((c) => c.requestsSent > 0 && c.bytesReceived === 0)
}

/** Clients that never sent a request (the requests ran out before their turn): not lost. */
export function idleClients(run: BenchRun) {
  return run.load.connections.filter((c) => c.requestsSent === 0 && c.bytesReceived === 0)
}

/** The target's LISTEN row in the run's final reading (the reading the verdict rests on). */
export function listenerOf(run: BenchRun): SocketRecord {
  const listener = run.finalSnapshot.sockets.find((s) => s.state === 'LISTEN' && s.local.port === run.target.port)
  if (!listener) throw new Error(`no LISTEN row of port ${run.target.port} in the final reading`)
  return listener
}

/** Every capture ran with the default --settle, which is also how long a socket must stay to be stuck. */
export const settleMs = parseDuration(benchFlags.settle.default as string, '--settle')

/** What run-bench hands diagnoseBench, rebuilt from what the report kept. */
export function benchEvidenceOf(run: BenchRun): BenchEvidence {
  return {
    target: run.target,
    load: run.load,
    evidence: {
      port: run.target.port,
      snapshots: [run.afterLoadSnapshot, run.finalSnapshot],
      countersBefore: run.counters.before,
      countersAfter: run.counters.after,
      loadEndedAt: run.afterLoadSnapshot.at,
      stuckAfterMs: settleMs,
      stalled: stalledReading(run.stalledSnapshot, run.load),
    },
    server: {reactorAtStall: run.reactor.atStall, reactorAtEnd: run.reactor.atEnd, missing: null, probe: run.probe, probeNote: null},
    serverStats: run.serverStats,
    exitedEarly: null,
  }
}
