import type {TimelinePoint} from '../bench/types.js'
import {seconds} from '../diagnose/describe.js'
import {formatMs} from './ascii-chart.js'
import type {TimelinePage} from './html.js'
import {renderWatchSummary} from './render-sockets.js'
import type {SocketsReport} from './sockets-report.js'
import type {WatchSample, WatchView} from '../watch/watch-summary.js'

/** What the HTML page of `sockets --watch --report` needs from the watch's result. */
export type WatchedPort = Pick<SocketsReport, 'port' | 'sourceNote' | 'verdict'> & {watch: WatchView; mode?: SocketsReport['mode']}

/** The watch as a timeline page: its samples charted, its verdict, its summary as notes. */
export function buildWatchPage(report: WatchedPort): TimelinePage {
  const {samples, summary} = report.watch
  return {
    title:
      report.mode === 'file'
        ? `port ${report.port}: recorded ${seconds(summary.durationMs)}, ${summary.samples} readings`
        : `port ${report.port}: watched ${seconds(summary.durationMs)}, ${summary.samples} samples every ${formatMs(report.watch.intervalMs)}`,
    verdict: report.verdict,
    timeline: samples.map(toTimelinePoint),
    // The summary's first line repeats the title; the rest (queue trend, each CLOSE-WAIT) are the notes.
    notes: [`source: ${report.sourceNote}`, ...renderWatchSummary(summary, report.watch.stuckAfterMs).slice(1).map((line) => line.trim())],
  }
}

/** No load runs during a watch: nothing completes, and no sample is after a load. */
function toTimelinePoint(sample: WatchSample): TimelinePoint {
  return {
    atMs: sample.atMs,
    acceptQueue: sample.queue,
    backlog: sample.backlog,
    estab: sample.estab,
    closeWait: sample.closeWait,
    completed: 0,
    afterLoad: false,
  }
}
