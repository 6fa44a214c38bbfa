import {execFileSync} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import {parseSs} from '../../src/probes/ss.js'
import type {SocketsReport} from '../../src/report/sockets-report.js'
import {portA} from '../probes/fixtures.js'
import {runCli as runCliCommand, startCli, type CliOptions} from '../helpers/run-cli.js'

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url))
const fixture = (name: string) => join(fixtures, name)
const runCli = (args: string[], options?: CliOptions) => runCliCommand(['sockets', ...args], options)
/** oclif may wrap long errors: join the pieces back. */
const oneLine = (stderr: string) => stderr.replace(/\s*\n\s*›?\s*/g, ' ').replace(/\s+/g, ' ').trim()

describe('sockets --file on what users paste (captured with ss 6.1, net-tools 2.10, lsof 4.95)', () => {
  it('ss -tuan (Netid column): the TCP rows are diagnosed, the udp row counted and skipped (exit 1)', async () => {
    const result = await runCli(['--file', fixture('ss/tuan-netid.txt'), '--port', '1080'])
    expect(result.exitCode, result.stderr).toBe(1)
    expect(result.stdout).toContain("* Accept queue not drained: 3 connections waiting in port 1080's accept queue")
    expect(result.stdout).toContain('Note: 1 row(s) of other socket types (udp, unix, ...) skipped: only TCP rows are read')
  })

  it('ss -an | grep with a stderr line on top: unix and udp rows skipped (exit 1)', async () => {
    const result = await runCli(['--file', fixture('ss/an-grep.txt'), '--port', '1080'])
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toContain('2 CLOSE_WAIT sockets likely never accepted, 114 unread bytes each')
    expect(result.stdout).toContain('first line 1: "RTNETLINK answers: Invalid argument"')
  })

  it('output without -n: --port takes the service name, names resolve with /etc/services (exit 1)', async () => {
    for (const name of ['ss/tap-names.txt', 'ss/tapr-hosts.txt', 'netstat/tap-names.txt', 'netstat/ta-names.txt']) {
      const result = await runCli(['--file', fixture(name), '--port', 'socks'])
      expect(result.exitCode, name).toBe(1)
      expect(result.stdout, name).toContain("Accept queue not drained: 3 connections waiting in port 1080's accept queue")
    }
    const hosts = await runCli(['--file', fixture('ss/tapr-hosts.txt'), '--port', '1080'])
    expect(hosts.stdout).toMatch(/^ {2}localhost:1080 {2}accept queue 3 \(backlog 8\), python3\(pid \d+, fd 4\)$/m)
  })

  it('a service name not in /etc/services is said in one line', async () => {
    const text = 'State Recv-Q Send-Q Local Address:Port Peer Address:Port\nLISTEN 0 128 0.0.0.0:no-such-svc 0.0.0.0:*\nLISTEN 2 128 0.0.0.0:8080 0.0.0.0:*\n'
    const result = await runCli(['--file', '-'], {input: text})
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toContain("Note: service name(s) not in this host's /etc/services: no-such-svc; their rows match no port number")
    const bad = await runCli(['--file', '-', '--port', 'no-such-svc'], {input: text})
    expect(bad.exitCode).toBe(2)
    expect(oneLine(bad.stderr)).toBe('Error: --port "no-such-svc" is neither a port number nor a TCP service name in /etc/services; e.g. --port 8080 or --port http-alt')
  })

  it('ss -tn state close-wait pasted from a terminal with its command: CLOSE-WAIT holding 114 bytes is stuck with no LISTEN row (exit 1)', async () => {
    const result = await runCli(['--file', fixture('paste/script-state-close-wait.txt')])
    expect(result.exitCode, result.stderr).toBe(1)
    expect(result.stdout).toContain('* 2 CLOSE_WAIT sockets likely never accepted, 114 unread bytes each (the FIN counts one)')
    expect(result.stdout).toMatch(/CLOSE-WAIT, 114 unread bytes, likely never accepted: neither the request nor the FIN was read \(ss shows no owner and no LISTEN row\)/)
  })

  it('the state filter with -p: ownerless CLOSE-WAIT never accepted, owned ones accepted and not closed (exit 1)', async () => {
    const output = readFileSync(fixture('ss/state-close-wait-p.txt'), 'utf8')
    const never = await runCli(['--file', '-', '--port', '1080'], {input: `$ ss -tnp state close-wait\n${output}`})
    expect(never.exitCode).toBe(1)
    expect(never.stdout).toContain('* 2 CLOSE_WAIT sockets never accepted, 114 unread bytes each (the FIN counts one)')
    const owned = await runCli(['--file', '-', '--port', '34897'], {input: `root@web-1:~# ss -tnp state close-wait\r\n${output.replaceAll('\n', '\r\n')}`})
    expect(owned.exitCode).toBe(1)
    expect(owned.stdout).toContain('* 2 accepted connections left in CLOSE_WAIT on port 34897')
  })

  it('the state filter output alone: the state is unknown, said so (exit 3)', async () => {
    const result = await runCli(['--file', fixture('ss/state-close-wait-n.txt'), '--port', '1080'])
    expect(result.exitCode).toBe(3)
    expect(result.stdout).toContain('Note: 4 row(s) have no State column (an ss state filter) and the file does not show the command')
  })

  it('the state filter output alone: --state names it; with -e the `-->` of each row says CLOSE-WAIT (exit 1)', async () => {
    const given = await runCli(['--file', fixture('ss/state-close-wait-n.txt'), '--port', '1080', '--state', 'close-wait'])
    expect(given.exitCode).toBe(1)
    expect(given.stdout).toContain('* 2 CLOSE_WAIT sockets likely never accepted, 114 unread bytes each (the FIN counts one)')
    const arrows = await runCli(['--file', fixture('ss/state-close-wait-pe.txt'), '--port', '1080'])
    expect(arrows.exitCode).toBe(1)
    expect(arrows.stdout).toContain('* 2 CLOSE_WAIT sockets never accepted, 114 unread bytes each (the FIN counts one)')
    const bad = await runCli(['--file', fixture('ss/state-close-wait-n.txt'), '--state', 'closed-ish'])
    expect(bad.exitCode).toBe(2)
    expect(oneLine(bad.stderr)).toBe('Error: --state "closed-ish" is not a TCP state; e.g. --state close-wait, established, listening or time-wait')
  })

  it('no queue columns (ss -Q, iproute2 6.15): says what cannot be judged, still finds the ownerless connections (exit 1)', async () => {
    const result = await runCli(['--file', fixture('ss/trixie-tanpeQ.txt'), '--port', '1080'])
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/^ {2}127\.0\.0\.1:\d+ {2}accept queue not shown by ss, python3/m)
    expect(result.stdout).toContain('* Accept queue not drained: 3 connections waiting in port')
    expect(result.stdout).toContain('* 2 CLOSE_WAIT sockets never accepted, unread bytes not shown')
    expect(result.stdout).toContain('Note: the source shows no Recv-Q for connections (ss): unread bytes cannot be judged')
  })

  it('lsof -nP -iTCP: owners from PID/FD; the accept queue cannot be judged (exit 3), owned CLOSE_WAIT is a finding (exit 1)', async () => {
    const listen = await runCli(['--file', fixture('lsof/nP-iTCP.txt'), '--port', '1080'])
    expect(listen.exitCode).toBe(3)
    expect(listen.stdout).toContain('INCONCLUSIVE: lsof shows no queue sizes without -T q and never lists connections still in the accept queue')
    const closeWait = await runCli(['--file', fixture('lsof/nP-close-wait.txt')])
    expect(closeWait.exitCode).toBe(1)
    expect(closeWait.stdout).toMatch(/127\.0\.0\.1:\d+ -> CLOSE-WAIT, unread bytes not shown, owned by python3\(pid \d+, fd 12\)/)
    const queued = await runCli(['--file', fixture('lsof/nP-iTCP-Tqs.txt'), '--port', '1080'])
    expect(queued.exitCode).toBe(1)
    expect(queued.stdout).toContain("Accept queue not drained: 3 connections waiting in port 1080's accept queue")
  })

  it('kubectl and docker messages, grep colour codes and outputs of several tools in one file (exit 1)', async () => {
    for (const name of ['paste/kubectl-noise-ss.txt', 'paste/docker-noise-ss.txt', 'paste/grep-color-netstat.txt', 'paste/script-two-commands.txt']) {
      const result = await runCli(['--file', fixture(name)])
      expect(result.exitCode, name).toBe(1)
      expect(result.stdout, name).toMatch(/\* Accept queue not drained: 3 connections waiting in port \d+'s accept queue$/m)
    }
    const mixed = ['ss/tanpe.txt', 'netstat/tanpe.txt'].map((name) => readFileSync(fixture(name), 'utf8')).join('')
    const port = portA(parseSs(readFileSync(fixture('ss/tanpe.txt'), 'utf8')))
    const both = await runCli(['--file', '-', '--json', '--port', String(port)], {input: mixed})
    const report = JSON.parse(both.stdout) as SocketsReport
    expect(both.exitCode).toBe(1)
    expect(report.snapshot.counts).toEqual({LISTEN: 1, ESTAB: 1, 'CLOSE-WAIT': 2})
    expect(report.verdict.notes).toContain('outputs of ss and netstat in one file: taken apart by their headers')
  })
})

describe('sockets --file on recordings', () => {
  it('an accept queue stuck for 30 s (date +%s.%N; ss -tanpe every second) is reported stuck for that long (exit 1)', async () => {
    const result = await runCli(['--file', fixture('recordings/stuck-32s-ss-epoch.txt')])
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/^Recorded 3\d\.\d s, 32 readings:$/m)
    expect(result.stdout).toContain('  accept queue: peak 3, did not grow, above zero in every sample')
    expect(result.stdout).toMatch(/^ +- the queue stayed at 3 for 3\d\.\d s$/m)
    expect(result.stdout.match(/stayed 3\d\.\d s, stuck, never accepted, Recv-Q 114$/gm)).toHaveLength(2)
    expect(result.stdout).toContain("Note: 32 readings, times from the file's `date +%s` lines")
  })

  it('CLOSE-WAIT sockets that come and go within a second are healthy, from netstat with `date` lines and from ss (exit 0)', async () => {
    for (const name of ['recordings/brief-close-wait-netstat-date.txt', 'recordings/brief-close-wait-ss-epoch.txt']) {
      const result = await runCli(['--file', fixture(name), '--json'])
      const report = JSON.parse(result.stdout) as SocketsReport
      expect(result.exitCode, name).toBe(0)
      expect(report.watch!.summary.samples).toBe(10)
      expect(report.watch!.summary.closeWait.length).toBeGreaterThan(0)
      expect(report.watch!.summary.closeWait.every((socket) => !socket.stuck && socket.stayedMs <= 1500)).toBe(true)
    }
  })

  it('a headerless netstat loop (`netstat -tanp | grep PORT` every second): a reading each time the rows start again (exit 1)', async () => {
    const result = await runCli(['--file', fixture('recordings/untimed-netstat-grep.txt')])
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toContain('Recorded 5.0 s, 6 readings:')
    expect(result.stdout).toMatch(/\* Accept queue not drained: 3 connections waiting in port \d+'s accept queue$/m)
    expect(result.stdout.match(/stayed 5\.0 s, stuck, never accepted, Recv-Q 114$/gm)).toHaveLength(2)
  })

  it("watch's screens copied from the terminal (tmux capture-pane; procps 3.3.17, 4.0.2 and 4.0.4): the headers time a 7 s timeline (exit 1)", async () => {
    for (const name of ['recordings/watch-tmux-ss.txt', 'recordings/trixie-watch-tmux-ss.txt', 'recordings/bullseye-watch-tmux-ss.txt']) {
      const result = await runCli(['--file', fixture(name)])
      expect(result.exitCode, name).toBe(1)
      expect(result.stdout, name).toContain('Recorded 7.0 s, 8 readings:')
      expect(result.stdout, name).toMatch(/^ +- the queue stayed at 3 for 7\.0 s$/m)
      expect(result.stdout.match(/stayed 7\.0 s, stuck, owner unknown, Recv-Q 114$/gm), name).toHaveLength(2)
      expect(result.stdout, name).toContain("Note: 8 readings, times from the file's `watch` headers")
    }
  })

  it('watch under script(1) holds one screen and then only changed characters: one line saying so (exit 2)', async () => {
    const result = await runCli(['--file', fixture('paste/script-watch-ss.txt')])
    expect(result.exitCode).toBe(2)
    expect(oneLine(result.stderr)).toBe(
      `Error: ${fixture('paste/script-watch-ss.txt')} is a terminal transcript of a full-screen program (watch under script): it holds the first screen, then only the characters that changed; ` +
        "record with `while sleep 1; do date +%s.%N; ss -tanpe; done > ss.log`, or copy watch's screens as text (tmux capture-pane -p)",
    )
  })

  it('--report draws a recording as the same page as --watch; a file of one reading has no timeline (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-file-report-'))
    try {
      const page = join(dir, 'recording.html')
      const result = await runCli(['--file', fixture('recordings/stuck-32s-ss-epoch.txt'), '--report', page])
      expect(result.exitCode).toBe(1)
      const html = readFileSync(page, 'utf8')
      expect(html).toMatch(/<svg class="timeline"/)
      expect(html).toMatch(/port \d+: recorded 3\d\.\d s, 32 readings/)
      const one = await runCli(['--file', fixture('seed/netstat-an-grep-1022.txt'), '--report', join(dir, 'one.html')])
      expect(one.exitCode).toBe(2)
      expect(oneLine(one.stderr)).toBe(
        `Error: --report: ${fixture('seed/netstat-an-grep-1022.txt')} holds one reading, so there is no timeline to chart; drop --report, or record many readings (see README: recording on a production host)`,
      )
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('readings without times are taken in order, 1 s apart unless --interval says otherwise', async () => {
    const result = await runCli(['--file', fixture('recordings/untimed-ss.txt')])
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toContain('Recorded 5.0 s, 6 readings:')
    expect(result.stdout).toContain("Note: 6 readings without timestamps: taken in file order, assumed 1.0 s apart (give --interval with the recording's interval)")
    const slow = await runCli(['--file', fixture('recordings/untimed-ss.txt'), '--interval', '100ms'])
    expect(slow.stdout).toContain('Recorded 0.5 s, 6 readings:')
    // Half a second is not --stuck-after's 5 s: the queue is not called stuck, the abandoned CLOSE-WAIT still is.
    expect(slow.stdout).not.toContain('Accept queue not drained')
    expect(slow.exitCode).toBe(1)
  })
})

describe('sockets --file refuses what is no saved file, in one line', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rd-file-'))
  })
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  it('a named pipe: no hang, exit 2', async () => {
    const fifo = join(dir, 'ss.fifo')
    execFileSync('mkfifo', [fifo])
    const result = await runCli(['--file', fifo], {timeoutMs: 20_000})
    expect(result.exitCode).toBe(2)
    expect(oneLine(result.stderr)).toBe(
      `Error: --file ${fifo} is a named pipe (FIFO): reading it would wait for a writer; give a saved file, or pipe into --file - (cat ${fifo} | reactor-doctor sockets --file -)`,
    )
  })

  it('a directory, a missing file, a device: exit 2', async () => {
    const cases: Array<[string, string]> = [
      [dir, `Error: --file ${dir} is a directory; give the file the output was saved in`],
      [join(dir, 'missing.txt'), `Error: cannot read ${join(dir, 'missing.txt')}: no such file`],
      ['/dev/zero', 'Error: --file /dev/zero is a device or socket, not a saved file; give the file the output was saved in'],
    ]
    for (const [file, message] of cases) {
      const result = await runCli(['--file', file])
      expect(result.exitCode, file).toBe(2)
      expect(oneLine(result.stderr)).toBe(message)
    }
  })

  it('--file - with a terminal on stdin: a line instead of waiting for input (script(1) gives the CLI a terminal)', async () => {
    const bin = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
    const result = execFileSync('script', ['-qec', `"${process.execPath}" "${bin}" sockets --file -; echo "exit $?"`, '/dev/null'], {
      encoding: 'utf8',
      input: '',
      timeout: 30_000,
      env: {...process.env, NODE_ENV: '', NO_COLOR: '1'},
    })
    expect(result.replaceAll('\r', '')).toContain('Error: --file - reads stdin, which is a terminal; pipe the output in, e.g. ss -tanpe | reactor-doctor sockets --file -\nexit 2')
  })

  it('a file saved as UTF-16 with a byte-order mark (PowerShell `>` on Windows) is read (exit 1)', async () => {
    const file = join(dir, 'utf16.txt')
    writeFileSync(file, Buffer.from(`\uFEFF${readFileSync(fixture('seed/netstat-an-grep-1022.txt'), 'utf8').replaceAll('\n', '\r\n')}`, 'utf16le'))
    const result = await runCli(['--file', file])
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toContain("* Accept queue not drained: 4 connections waiting in port 1022's accept queue")
  })

  it('a pipe given as a path (`--file <(ssh host ss -tanpe)`) is read once, its port taken from it (exit 1)', async () => {
    const bin = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
    const script = `"$0" "${bin}" sockets --file <(cat "${fixture('recordings/stuck-32s-ss-epoch.txt')}"); echo "exit $?"`
    const output = execFileSync('bash', ['-c', script, process.execPath], {encoding: 'utf8', timeout: 60_000, env: {...process.env, NODE_ENV: '', NO_COLOR: '1'}})
    expect(output).toMatch(/^Recorded 3\d\.\d s, 32 readings:$/m)
    expect(output).toMatch(/^exit 1$/m)
  })

  it('a file without a newline (not text output) is read in bounded pieces, not held as one line: exit 2', async () => {
    const file = join(dir, 'one-line.bin')
    writeFileSync(file, 'x'.repeat(5 * 1024 * 1024))
    const result = await runCli(['--file', file])
    expect(result.exitCode).toBe(2)
    expect(oneLine(result.stderr)).toBe(`Error: ${file}: not ss, netstat, lsof or /proc/net/tcp output; save the output of \`ss -tanpe\`, \`netstat -tanpe\`, \`lsof -nP -iTCP\` or \`cat /proc/net/tcp\``)
  })

  it('an empty file and one with no socket row: exit 2', async () => {
    const empty = await runCli(['--file', '/dev/null'])
    expect(empty.exitCode).toBe(2)
    expect(oneLine(empty.stderr)).toContain('Error: --file /dev/null is a device or socket')
    const none = await runCli(['--file', '-'], {input: 'hello\nworld\n'})
    expect(none.exitCode).toBe(2)
    expect(oneLine(none.stderr)).toBe('Error: stdin: not ss, netstat, lsof or /proc/net/tcp output; save the output of `ss -tanpe`, `netstat -tanpe`, `lsof -nP -iTCP` or `cat /proc/net/tcp`')
  })
})

describe('sockets --file - without --port: stdin spooled to a temporary file, read twice, removed on every path', () => {
  let tmp: string
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'rd-spool-'))
  })
  afterAll(() => rmSync(tmp, {recursive: true, force: true}))

  it('one reading: the port taken from the data as for a file, nothing left in TMPDIR (exit 1, and exit 2 for two listeners)', async () => {
    const result = await runCli(['--file', '-'], {input: readFileSync(fixture('seed/netstat-an-grep-1022.txt'), 'utf8'), env: {TMPDIR: tmp}})
    expect(result.exitCode, result.stderr).toBe(1)
    expect(result.stdout).toContain("* Accept queue not drained: 4 connections waiting in port 1022's accept queue")
    expect(result.stdout).toContain('Port 1022: stdin, source netstat (format detected in the file)')
    const two = await runCli(['--file', '-'], {input: readFileSync(fixture('ss/trixie-tanpe.txt'), 'utf8'), env: {TMPDIR: tmp}})
    expect(two.exitCode).toBe(2)
    expect(oneLine(two.stderr)).toMatch(/^Error: stdin has listeners on ports 1080, \d+; choose one with --port$/)
    expect(readdirSync(tmp)).toEqual([])
  })

  it('interrupted while stdin is still open: the spooled file is removed and the signal ends the CLI', async () => {
    const child = startCli(['sockets', '--file', '-'], {env: {TMPDIR: tmp}, openStdin: true})
    child.stdin!.write(readFileSync(fixture('ss/tanpe.txt'), 'utf8'))
    try {
      await vi.waitFor(() => expect(readdirSync(tmp).filter((name) => name.startsWith('reactor-doctor-stdin-'))).toHaveLength(1), {timeout: 20_000, interval: 50})
      child.kill('SIGTERM')
      const result = await child
      expect(result.signal).toBe('SIGTERM')
      expect(readdirSync(tmp)).toEqual([])
    } finally {
      child.kill('SIGKILL')
    }
  })
})
