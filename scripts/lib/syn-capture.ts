import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'

/**
 * The SYNs sent to one port on loopback, as tcpdump sees them (`tcpdump -i lo -n -tt`): the
 * same view of any client's connection burst, whatever the client is, at no cost to it. Needs
 * root (or CAP_NET_RAW).
 */
export interface SynCapture {
  /** Stops tcpdump and returns the SYN timestamps in ms, in capture order. */
  stop(): Promise<number[]>
}

export async function startSynCapture(port: number): Promise<SynCapture> {
  const filter = `tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0 and dst port ${port}`
  // Immediate mode so nothing is left unprinted when it stops; it uses fixed slots of the snap
  // length, so a short one (-s 128), or a 2 MiB ring of 256 KiB slots drops most of a burst.
  // Its text goes to a file, read once it stopped: none of it reaches the measuring process
  // while a client (the engine runs in it) makes its burst.
  const dir = mkdtempSync(join(tmpdir(), 'syn-capture-'))
  const file = join(dir, 'syn.txt')
  const child = execa('tcpdump', ['-i', 'lo', '-n', '-tt', '-l', '-s', '128', '-B', '8192', '--immediate-mode', filter], {reject: false, stdout: {file}})
  // tcpdump says "listening on lo" once its filter is in place: SYNs from then on are seen.
  await new Promise<void>((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${text}`)), 10_000)
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString()
      if (text.includes('listening on')) {
        clearTimeout(timer)
        resolve()
      }
    })
    void child.then((result) => {
      clearTimeout(timer)
      reject(new Error(`tcpdump exited: ${String(result.stderr)}`))
    })
  })
  return {
    async stop() {
      // Let the last packets reach tcpdump's output before it stops.
      await new Promise((resolve) => setTimeout(resolve, 200))
      child.kill('SIGINT')
      await child
      try {
        return parseSynTimes(readFileSync(file, 'utf8'))
      } finally {
        rmSync(dir, {recursive: true, force: true})
      }
    },
  }
}

/** "1796212345.123456 IP 127.0.0.1.50000 > 127.0.0.1.8080: Flags [S], ..." -> ms timestamps. */
export function parseSynTimes(output: string): number[] {
  return output
    .split('\n')
    .map((line) => /^(\d+\.\d+) IP6? \S+ > \S+: Flags \[S[^\]]*\]/.exec(line))
    .filter((match) => match !== null)
    .map((match) => Number(match[1]) * 1000)
}

/** The burst's span: from the 2nd to the c-th SYN (ab and the engine send the 1st alone, first). */
export function burstSpanMs(synTimes: number[], concurrency: number): number {
  const sorted = [...synTimes].sort((a, b) => a - b)
  if (sorted.length < concurrency) throw new Error(`saw ${sorted.length} SYNs, expected at least ${concurrency}`)
  return sorted[concurrency - 1]! - sorted[1]!
}
