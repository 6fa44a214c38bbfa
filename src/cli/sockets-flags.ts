/** The `sockets` command's flags. */
import {Flags, type Interfaces} from '@oclif/core'

export const socketsFlags = {
  port: Flags.string({
    char: 'p',
    multiple: true,
    summary: 'Local port of the server, a number or a service name (optional with --file when the data shows one); several with --textfile or --metrics-listen.',
  }),
  watch: Flags.boolean({char: 'w', default: false, summary: 'Sample repeatedly, one line per sample, then a summary.'}),
  interval: Flags.string({summary: 'Time between --watch samples (default 1s; 15s with --textfile or --metrics-listen; with --file: between readings that carry no time).'}),
  duration: Flags.string({summary: 'Stop --watch after this long (default: until Ctrl-C).'}),
  'stuck-after': Flags.string({default: '5s', summary: 'A CLOSE-WAIT or queue that stays this long is stuck.'}),
  state: Flags.string({summary: 'With --file: the state of rows that show none (saved `ss ... state close-wait` output without its command), e.g. close-wait.'}),
  file: Flags.string({char: 'f', summary: 'Read saved ss, netstat, lsof or /proc/net/tcp output, one reading or a recording of many, from this file ("-": stdin).'}),
  source: Flags.string({options: ['auto', 'ss', 'netstat', 'proc'], default: 'auto', summary: 'Where socket states come from (auto: ss, else netstat, else /proc).'}),
  probe: Flags.boolean({default: false, summary: 'If connections stay queued: open up to 3 more (loopback), one at a time, to see how the server accepts.'}),
  report: Flags.string({summary: 'With --watch, or --file of a recording: also write a self-contained HTML report (verdict, timeline chart) to this file.'}),
  json: Flags.boolean({default: false, summary: 'Print the result as JSON (shape in the README).'}),
  textfile: Flags.string({summary: 'With --watch: keep per-listener Prometheus gauges in this node_exporter textfile (*.prom, rewritten atomically).'}),
  'metrics-listen': Flags.string({summary: 'With --watch: serve per-listener Prometheus gauges at http://ADDRESS/metrics (HOST:PORT, or PORT on 127.0.0.1).'}),
  'all-listeners': Flags.boolean({default: false, summary: 'With --textfile or --metrics-listen: every listening TCP port of the host instead of --port.'}),
}

export type SocketsFlagValues = Interfaces.InferredFlags<typeof socketsFlags>
