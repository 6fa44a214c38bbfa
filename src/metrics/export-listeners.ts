/**
 * The exporter: `sockets --watch` with --textfile and/or --metrics-listen. Each reading of the
 * watched listeners updates one registry; the textfile is rewritten (atomically) and /metrics
 * serves the latest. Runs until the duration ends or the signal fires.
 */
import {watchListeners, type WatchListenersOptions} from '../watch/watch-listeners.js'
import {formatListenAddress, type ListenAddress} from './listen-address.js'
import {ListenerMetrics} from './listener-metrics.js'
import {serveMetrics} from './serve-metrics.js'
import {writeTextfile} from './write-textfile.js'

/** The watch's own options (ports, source, interval, duration, stuck-after, signal), and where the metrics go. */
export interface ExportOptions extends Pick<WatchListenersOptions, 'ports' | 'source' | 'intervalMs' | 'durationMs' | 'stuckAfterMs' | 'signal'> {
  textfile?: string
  listen?: ListenAddress
  /** One line when the exporter is up (where it writes or serves, what it watches). */
  onStart: (line: string) => void
  /** One line for a reading that failed after the first (the exporter keeps going). */
  onWarning: (line: string) => void
}

export async function exportListeners(options: ExportOptions): Promise<void> {
  const metrics = new ListenerMetrics()
  const server = options.listen === undefined ? undefined : await serveMetrics(options.listen, () => metrics.render(), metrics.registry.contentType)
  try {
    const where = [
      options.textfile === undefined ? null : `writing ${options.textfile}`,
      server === undefined ? null : `serving http://${formatListenAddress(server.address)}/metrics`,
    ].filter((part) => part !== null)
    const what = options.ports === null ? 'every listening TCP port' : `port${options.ports.length > 1 ? 's' : ''} ${options.ports.join(', ')}`
    options.onStart(`reactor-doctor exporter: ${where.join(' and ')}, reading ${what} every ${options.intervalMs / 1000}s (${options.source.note})`)
    await watchListeners({
      ...options,
      onReading: async (reading) => {
        metrics.update(reading)
        if (options.textfile !== undefined) await writeTextfile(options.textfile, await metrics.render())
      },
      onError: (error) => {
        metrics.countError()
        options.onWarning(`reactor-doctor exporter: reading skipped: ${error instanceof Error ? error.message : String(error)}`)
      },
    })
  } finally {
    await server?.close()
  }
}
