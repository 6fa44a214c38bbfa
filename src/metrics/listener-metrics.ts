import {Counter, Gauge, Registry} from 'prom-client'
import {findingKindTable} from '../diagnose/types.js'
import type {ListenerFigures} from '../watch/listener-gauges.js'
import type {ListenersReading} from '../watch/watch-listeners.js'

const labelNames = ['port', 'address', 'process'] as const
type Labels = Record<(typeof labelNames)[number], string>

/** The listener gauges: metric name, help, and which figure each one shows (null: not shown). */
const listenerGauges: ReadonlyArray<{name: string; help: string; value: (figures: ListenerFigures) => number | null}> = [
  {name: 'reactor_doctor_accept_queue_connections', help: 'Connections in the accept queue of the listener (LISTEN Recv-Q).', value: (f) => f.acceptQueue},
  {name: 'reactor_doctor_accept_queue_backlog', help: 'Backlog limit of the listener (LISTEN Send-Q; ss only).', value: (f) => f.backlog},
  {
    name: 'reactor_doctor_never_accepted_sockets',
    help: 'ESTAB or CLOSE-WAIT sockets of the listener that no process holds: in the accept queue, never accepted.',
    value: (f) => f.neverAccepted,
  },
  {name: 'reactor_doctor_close_wait_sockets', help: 'CLOSE-WAIT sockets of the listener.', value: (f) => f.closeWait},
  {name: 'reactor_doctor_stuck_close_wait_sockets', help: 'CLOSE-WAIT sockets seen for at least --stuck-after.', value: (f) => f.stuckCloseWait},
  {
    name: 'reactor_doctor_oldest_close_wait_age_seconds',
    help: 'Seconds since the oldest CLOSE-WAIT socket still there was first seen (0 with none).',
    value: (f) => f.oldestCloseWaitSeconds,
  },
  {
    name: 'reactor_doctor_ownerless_close_wait_unread_sockets',
    help: 'Never-accepted CLOSE-WAIT sockets with unread request bytes: clients that gave up waiting.',
    value: (f) => f.ownerlessCloseWaitUnread,
  },
]

/**
 * A prom-client registry holding the latest reading. Each update replaces every series, so a
 * listener that went away stops being exported instead of keeping its last values.
 */
export class ListenerMetrics {
  readonly registry = new Registry()
  private readonly gauges: Array<{gauge: Gauge; value: (figures: ListenerFigures) => number | null}>
  private readonly drops: Counter
  private readonly findings: Gauge
  private readonly portListening: Gauge
  private readonly lastReading: Gauge
  private readonly readingDuration: Gauge
  private readonly readingErrors: Counter

  constructor() {
    const registers = [this.registry]
    this.gauges = listenerGauges.map(({name, help, value}) => ({gauge: new Gauge({name, help, labelNames, registers}), value}))
    this.drops = new Counter({
      name: 'reactor_doctor_listen_drops_total',
      help: 'Drops counted by the listening socket since it was created (ss -m skmem d; ss only).',
      labelNames,
      registers,
    })
    this.findings = new Gauge({
      name: 'reactor_doctor_finding',
      help: `1 when the diagnosis of the listener's recent readings reports this finding kind, else 0 (kinds: ${findingKindTable.map((row) => row.kind).join(', ')}).`,
      labelNames: [...labelNames, 'kind'],
      registers,
    })
    this.portListening = new Gauge({
      name: 'reactor_doctor_port_listening',
      help: 'For each --port watched: 1 when a LISTEN socket is there, 0 when none.',
      labelNames: ['port'],
      registers,
    })
    this.lastReading = new Gauge({name: 'reactor_doctor_last_reading_timestamp_seconds', help: 'When the latest reading was taken (Unix time).', registers})
    this.readingDuration = new Gauge({name: 'reactor_doctor_reading_duration_seconds', help: 'How long the latest reading took.', registers})
    this.readingErrors = new Counter({
      name: 'reactor_doctor_reading_errors_total',
      help: 'Readings skipped because reading the sockets or writing the textfile failed (the exporter keeps going).',
      registers,
    })
  }

  /** A failed reading or write: counted; the gauges keep the last good reading. */
  countError(): void {
    this.readingErrors.inc()
  }

  update(reading: ListenersReading): void {
    for (const {gauge} of this.gauges) gauge.reset()
    this.drops.reset()
    this.findings.reset()
    this.portListening.reset()
    for (const figures of reading.listeners) {
      const labels: Labels = {port: String(figures.port), address: figures.address, process: figures.process}
      for (const {gauge, value} of this.gauges) {
        const shown = value(figures)
        if (shown !== null) gauge.set(labels, shown)
      }
      if (figures.drops !== null) this.drops.inc(labels, figures.drops)
      for (const {kind} of findingKindTable) this.findings.set({...labels, kind}, figures.findings.includes(kind) ? 1 : 0)
    }
    const listening = new Set(reading.listeners.map((figures) => figures.port))
    for (const port of [...listening, ...reading.portsNotListening]) this.portListening.set({port: String(port)}, listening.has(port) ? 1 : 0)
    this.lastReading.set(reading.at / 1000)
    this.readingDuration.set(reading.tookMs / 1000)
  }

  /** The text exposition format, as node_exporter's textfile collector and Prometheus read it. */
  render(): Promise<string> {
    return this.registry.metrics()
  }
}
