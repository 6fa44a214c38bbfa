import {access, constants} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'
import {parseInterval, parsePositiveDuration} from './parse-duration.js'
import {checkWritable} from './check-writable.js'
import {parseListenAddress} from '../metrics/listen-address.js'
import type {ExportOptions} from '../metrics/export-listeners.js'
import {resolveSource, type SourceChoice} from '../probes/index.js'
import {UserError} from '../user-error.js'

/** The `sockets` flags the exporter reads. */
export interface ExporterFlags {
  port?: number[]
  'all-listeners': boolean
  textfile?: string
  'metrics-listen'?: string
  watch: boolean
  interval?: string
  duration?: string
  'stuck-after': string
  source: string
  file?: string
  report?: string
  json: boolean
}

/** Prometheus usually scrapes every 15 s (or less often): one reading per scrape, at a small cost (docs/perf.md: exporter row). */
export const EXPORTER_DEFAULT_INTERVAL = '15s'

/** Checks the exporter's flags (one line for each mistake) and turns them into its options. */
export async function exporterOptions(flags: ExporterFlags): Promise<Omit<ExportOptions, 'signal' | 'onStart' | 'onWarning'>> {
  const listenText = flags['metrics-listen']
  if (flags.textfile === undefined && listenText === undefined) {
    throw new UserError('--all-listeners needs --textfile or --metrics-listen', 'e.g. --watch --all-listeners --metrics-listen 127.0.0.1:9464')
  }
  if (!flags.watch) throw new UserError('--textfile and --metrics-listen need --watch', 'add --watch')
  for (const [given, flag] of [[flags.file, '--file'], [flags.report, '--report'], [flags.json || undefined, '--json']] as const) {
    if (given !== undefined) throw new UserError(`${flag} does not go with --textfile or --metrics-listen`, `drop ${flag}`)
  }
  const ports = flags.port ?? []
  if (flags['all-listeners'] && ports.length > 0) throw new UserError('give --port or --all-listeners, not both', 'drop one of them')
  if (!flags['all-listeners'] && ports.length === 0) throw new UserError('the exporter needs --port (one or more) or --all-listeners', 'e.g. --port 8080 --port 8443')
  const listen = listenText === undefined ? undefined : parseListenAddress(listenText)
  if (flags.textfile !== undefined) {
    await checkWritable(flags.textfile, '--textfile')
    // The temp file goes beside it, then a rename: the directory must be writable too.
    const dir = dirname(resolve(flags.textfile))
    await access(dir, constants.W_OK).catch(() => {
      throw new UserError(`--textfile ${flags.textfile}: cannot write in ${dir} (the file is replaced by a rename)`, 'choose a directory you can write in')
    })
  }
  let source = resolveSource(flags.source as SourceChoice)
  if (source.source === 'netstat') {
    if (flags.source === 'netstat') throw new UserError('the exporter reads ss or /proc, not netstat', 'use --source ss or --source proc')
    source = {source: 'proc', tool: null, note: 'ss not found on PATH: read /proc/net/tcp and /proc/net/tcp6', fallback: true}
  }
  return {
    ports: flags['all-listeners'] ? null : [...new Set(ports)],
    source,
    intervalMs: parseInterval(flags.interval ?? EXPORTER_DEFAULT_INTERVAL, '--interval'),
    durationMs: flags.duration === undefined ? Number.POSITIVE_INFINITY : parsePositiveDuration(flags.duration, '--duration'),
    stuckAfterMs: parsePositiveDuration(flags['stuck-after'], '--stuck-after'),
    textfile: flags.textfile,
    listen,
  }
}
