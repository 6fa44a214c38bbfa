import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import type {FindingKind} from '../../src/diagnose/types.js'
import {exitCodeFor} from '../../src/exit-codes.js'
import {SocketsFile} from '../../src/probes/read-sockets-file.js'
import {parseServices} from '../../src/probes/services.js'
import type {TcpState} from '../../src/probes/types.js'
import {analyseRecording} from '../../src/watch/recording.js'
import {runCli} from '../helpers/run-cli.js'

// Captures of Debian bullseye's, trixie's and sid's own ss, netstat, busybox netstat and lsof
// (test/fixtures/capture-debian.sh) of the paste scene: port 1080 (socks) never accepts (3 queued,
// 2 of them CLOSE-WAIT with 114 unread bytes); port O accepts and never closes (2 owned CLOSE-WAIT).
const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url))
const services = parseServices('socks\t\t1080/tcp\n')
const stuck = ['accept-queue-not-drained', 'never-accepted-abandoned'] satisfies FindingKind[]

/** What `sockets --file FILE --port PORT [--state STATE]` concludes, in process: the exit code and the finding kinds. */
async function diagnose(file: string, port: number | undefined, state?: TcpState) {
  const saved = new SocketsFile(`${fixtures}${file}`, port, state, services)
  const result = await analyseRecording(saved.readings(), () => saved.stats, {port, stuckAfterMs: 5000, name: file, onPort: (chosen) => saved.focus(chosen)})
  return {exit: exitCodeFor(result.verdict.status), kinds: [...new Set(result.verdict.findings.map((finding) => finding.kind))].sort(), port: result.port}
}

/** The scene's other port (accepts, never closes): the port beside 1080 in the capture's own command line. */
function portO(file: string): number {
  const command = readFileSync(`${fixtures}${file.replace(/\.txt$/, '.cmd')}`, 'utf8').split('\n')[0]!
  return Number([...command.matchAll(/[:|](\d{4,5})\b/g)].map((match) => match[1]!).find((port) => port !== '1080'))
}

type Row = [file: string, port: 'S' | 'O', state: TcpState | undefined, exit: number, kinds: FindingKind[]]
const rowsOf = (release: string): Row[] => [
  [`ss/${release}-tan.txt`, 'S', undefined, 1, stuck],
  [`ss/${release}-tanp.txt`, 'S', undefined, 1, stuck],
  [`ss/${release}-tanpe.txt`, 'S', undefined, 1, stuck],
  [`ss/${release}-tanm.txt`, 'S', undefined, 1, stuck],
  [`ss/${release}-tanpi.txt`, 'S', undefined, 1, stuck],
  [`ss/${release}-tanpeimO.txt`, 'S', undefined, 1, stuck],
  [`ss/${release}-tlnm.txt`, 'S', undefined, 1, ['accept-queue-not-drained']],
  [`ss/${release}-tuan-netid.txt`, 'S', undefined, 1, stuck],
  [`ss/${release}-an-grep.txt`, 'S', undefined, 1, stuck],
  [`ss/${release}-tap-names.txt`, 'S', undefined, 1, stuck],
  // A state filter's output alone: no State column, nothing tells the state (exit 3) unless --state does.
  [`ss/${release}-state-close-wait-n.txt`, 'S', undefined, 3, []],
  [`ss/${release}-state-close-wait-n.txt`, 'S', 'CLOSE-WAIT', 1, ['never-accepted-abandoned']],
  [`ss/${release}-state-close-wait-p.txt`, 'S', 'CLOSE-WAIT', 1, ['never-accepted-abandoned']],
  [`ss/${release}-state-close-wait-p.txt`, 'O', 'CLOSE-WAIT', 1, ['accepted-never-closed']],
  [`netstat/${release}-tan.txt`, 'S', undefined, 1, stuck],
  [`netstat/${release}-tanp.txt`, 'S', undefined, 1, stuck],
  [`netstat/${release}-tanpe.txt`, 'S', undefined, 1, stuck],
  [`netstat/${release}-tanpeo.txt`, 'S', undefined, 1, stuck],
  [`netstat/${release}-tanW.txt`, 'S', undefined, 1, stuck],
  [`netstat/${release}-tanpeoW.txt`, 'S', undefined, 1, stuck],
  [`netstat/${release}-tanp-nonroot.txt`, 'S', undefined, 1, stuck],
  [`netstat/${release}-tanp.txt`, 'O', undefined, 1, ['accepted-never-closed']],
  [`netstat/${release}-an-grep.txt`, 'S', undefined, 1, stuck],
  [`netstat/${release}-tap-names.txt`, 'S', undefined, 1, stuck],
  [`netstat/${release}-ta-names.txt`, 'S', undefined, 1, stuck],
  [`netstat/${release}-busybox-tan.txt`, 'S', undefined, 1, stuck],
  [`netstat/${release}-busybox-tane.txt`, 'S', undefined, 1, stuck],
  [`netstat/${release}-busybox-an-grep.txt`, 'S', undefined, 1, stuck],
  // lsof never lists queued connections and shows no queue sizes: the listener cannot be judged.
  [`lsof/${release}-nP-iTCP.txt`, 'S', undefined, 3, []],
  [`lsof/${release}-nP-close-wait.txt`, 'O', undefined, 1, ['accepted-never-closed']],
  // -T qs shows the listener's queue (QR=3): stuck, though lsof lists none of the queued connections.
  [`lsof/${release}-nP-iTCP-Tqs.txt`, 'S', undefined, 1, ['accept-queue-not-drained']],
  [`lsof/${release}-n-iTCP-names.txt`, 'S', undefined, 3, []],
]
const withQueuesHidden = (release: string): Row[] => [
  [`ss/${release}-tanpeQ.txt`, 'S', undefined, 1, stuck],
  [`ss/${release}-state-close-wait-pQ.txt`, 'S', 'CLOSE-WAIT', 1, ['never-accepted-abandoned']],
  [`ss/${release}-state-close-wait-pQ.txt`, 'O', 'CLOSE-WAIT', 1, ['accepted-never-closed']],
]

const releases = ['bullseye', 'trixie', 'sid'] as const

describe('sockets --file on captures of Debian bullseye, trixie and sid', () => {
  // -H and -Q without -p: no queues and no owners, nothing tells an abandoned connection from a served one.
  const headerless = (release: string): Row => [`ss/${release}-state-close-wait-HQ.txt`, 'S', 'CLOSE-WAIT', 3, []]
  const rows = [...rowsOf('bullseye'), ...rowsOf('trixie'), ...withQueuesHidden('trixie'), headerless('trixie'), ...rowsOf('sid'), ...withQueuesHidden('sid'), headerless('sid')]
  for (const [file, which, state, exit, kinds] of rows) {
    it(`${file} port ${which}${state ? ` --state ${state}` : ''}: exit ${exit} ${kinds.join(', ') || '(no finding)'}`, async () => {
      const port = which === 'S' ? 1080 : portO(file)
      const result = await diagnose(file, port, state)
      expect(result).toEqual({exit, kinds: [...kinds].sort(), port})
    })
  }

  it("the README's recording lines for ss and netstat, and busybox's, run with each release's tools: the queue stuck from the first reading to the last (exit 1)", async () => {
    for (const release of releases) {
      for (const [tool, readings] of [['ss', 6], ['netstat', 6], ['busybox-netstat', 8]] as const) {
        const file = `recordings/${release}-${tool}-epoch.txt`
        const saved = new SocketsFile(`${fixtures}${file}`, undefined, undefined, services)
        const result = await analyseRecording(saved.readings(), () => saved.stats, {stuckAfterMs: 5000, name: file, onPort: (chosen) => saved.focus(chosen)})
        const summary = result.watch!.summary
        expect([result.port, exitCodeFor(result.verdict.status), summary.samples, summary.peakQueue, summary.queueAlwaysAboveZero], file).toEqual([1080, 1, readings, 3, true])
        expect(summary.durationMs, file).toBeGreaterThanOrEqual((readings - 1) * 1000)
        // busybox's date prints `+%s.%N` as whole seconds (`1796224594.%N`): still times, from the file.
        expect(result.verdict.notes, file).toContain(`${readings} readings, times from the file's \`date +%s\` lines`)
        expect(summary.closeWait.filter((socket) => socket.stuck && socket.recvQ === 114), file).toHaveLength(2)
      }
    }
  })

  it('busybox 1.37 netstat with -p and -W (built as Alpine builds it): ownerless children of the listener never accepted (exit 1)', async () => {
    for (const file of ['netstat/busybox-tanp.txt', 'netstat/busybox-tanpW.txt']) {
      expect(await diagnose(file, 1080), file).toEqual({exit: 1, kinds: [...stuck].sort(), port: 1080})
      expect(await diagnose(file, portO(file)), file).toEqual({exit: 1, kinds: ['accepted-never-closed'], port: portO(file)})
    }
  })

  it('the layouts no reachable release prints (reconstructed from iproute 3.10, 4.9 and 4.15 source): port 1022 stuck (exit 1)', async () => {
    for (const file of ['ss/v3.10-tanp-reconstructed.txt', 'ss/v4.9-tanpeo-reconstructed.txt', 'ss/v4.15-glued-reconstructed.txt']) {
      expect(await diagnose(file, 1022), file).toEqual({exit: 1, kinds: [...stuck].sort(), port: 1022})
    }
  })

  it("netstat's narrow columns cutting IPv6 addresses (captured in a network namespace): the port's rows still judged, the cut said in a note (exit 1)", async () => {
    for (const [file, cut] of [['netstat/ipv6-tan.txt', true], ['netstat/ipv6-tanW.txt', false]] as const) {
      expect(await diagnose(file, 443), file).toEqual({exit: 1, kinds: [...stuck].sort(), port: 443})
      const saved = new SocketsFile(`${fixtures}${file}`, 443, undefined, services)
      const result = await analyseRecording(saved.readings(), () => saved.stats, {port: 443, stuckAfterMs: 5000, name: file})
      expect(result.verdict.notes.some((note) => note.includes('cut to fit 23 columns')), file).toBe(cut)
    }
  })

  it('a connection netstat listed twice in one output (net-tools 1.60+git as nobody) is one socket, said in a note', async () => {
    // The repeat is transient (one capture run of capture-debian.sh showed it, later ones did not): this file is kept as captured.
    const file = 'netstat/bullseye-tanp-nonroot.txt'
    const saved = new SocketsFile(`${fixtures}${file}`, 1080, undefined, services)
    const result = await analyseRecording(saved.readings(), () => saved.stats, {port: 1080, stuckAfterMs: 5000, name: file})
    expect(result.snapshots[0]!.sockets.filter((socket) => socket.local.port === 1080 && socket.state === 'CLOSE-WAIT')).toHaveLength(2)
    expect(result.verdict.notes).toContain('1 connection row(s) listed twice in one output were counted once (netstat reads /proc/net/tcp in pieces and can repeat a row)')
  })

  it('the built CLI on one capture of each release and tool, the port taken from --port socks (exit 1)', async () => {
    for (const file of ['ss/bullseye-tanpe.txt', 'ss/trixie-tanpeQ.txt', 'ss/sid-an-grep.txt', 'netstat/bullseye-busybox-tan.txt', 'netstat/sid-tap-names.txt']) {
      const result = await runCli(['sockets', '--file', `${fixtures}${file}`, '--port', 'socks'])
      expect(result.exitCode, `${file}: ${result.stderr}`).toBe(1)
      expect(result.stdout, file).toContain("* Accept queue not drained: 3 connections waiting in port 1080's accept queue")
    }
  })
})
