// Peak memory of `sockets --file` on a 200 MB file (not a test): `npx tsx scripts/file-memory.ts [MB] [cli-dir]`.
// Builds, in a temporary directory, files of the given size (default 200 MB) from the captured
// recording test/fixtures/recordings/stuck-32s-ss-epoch.txt: its first reading's rows (the port's
// LISTEN, 2 CLOSE-WAIT, 1 queued ESTAB) plus rows of other ports copied from its ESTAB row with other
// port numbers, as a busy host's `ss -tanpe` shows them. Then runs the built CLI (bin/run.js of
// cli-dir, default this checkout: `npm run build` first) on each under /usr/bin/time -v and prints
// its maximum resident set size.
//  - recording: `date +%s.%N` + `ss -tanpe` readings 1 s apart, 2,000 other sockets each;
//  - one reading: a single `ss -tanpe` of the whole size (about 1.4 million rows), with --port, and without;
//    and the same on stdin (`--file - < file`) without --port, which spools stdin to a temporary file.
import {spawnSync} from 'node:child_process'
import {closeSync, createWriteStream, mkdtempSync, openSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const targetMb = Number(process.argv[2] ?? 200)
const cliDir = process.argv[3] ?? fileURLToPath(new URL('..', import.meta.url))
const fixture = fileURLToPath(new URL('../test/fixtures/recordings/stuck-32s-ss-epoch.txt', import.meta.url))
const lines = readFileSync(fixture, 'utf8').split('\n')
const header = lines[1]!
const portRows = lines.slice(2, 6)
const port = /127\.0\.0\.1:(\d+)/.exec(portRows[0]!)![1]!
const estab = portRows.find((line) => line.startsWith('ESTAB'))!
const otherPorts = 2000

/** An ESTAB row of another local port: the captured row with its ports and inode changed. */
function otherRow(i: number): string {
  return estab
    .replace(`127.0.0.1:${port}`, `10.1.${(i >> 8) & 255}.${i & 255}:${20_000 + (i % 40_000)}`)
    .replace(/127\.0\.0\.1:(\d+)/, `10.2.0.${i % 250}:${40_000 + (i % 20_000)}`)
    .replace('ino:0', `ino:${100_000 + i}`)
}

async function write(file: string, produce: (push: (text: string) => boolean) => void): Promise<number> {
  const out = createWriteStream(file)
  let size = 0
  const limit = targetMb * 1024 * 1024
  await new Promise<void>((resolve, reject) => {
    out.on('error', reject)
    const push = (text: string) => {
      size += Buffer.byteLength(text)
      if (!out.write(text)) return size < limit
      return size < limit
    }
    produce(push)
    out.end(resolve)
  })
  return statSync(file).size
}

/** `stdinFile`: given as the CLI's stdin (a file descriptor, as a shell's `< file` does). */
function peakRss(args: string[], stdinFile?: string): {rssMb: number; seconds: number; exit: number; verdict: string} {
  const stdin = stdinFile === undefined ? 'ignore' : openSync(stdinFile, 'r')
  const run = spawnSync('/usr/bin/time', ['-v', process.execPath, join(cliDir, 'bin/run.js'), 'sockets', ...args], {
    encoding: 'utf8',
    env: {...process.env, NODE_ENV: ''},
    maxBuffer: 1 << 28,
    stdio: [stdin, 'pipe', 'pipe'],
  })
  if (typeof stdin === 'number') closeSync(stdin)
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)$/m.exec(run.stderr)
  const seconds = wall ? wall[1]!.split(':').reduce((sum, part) => sum * 60 + Number(part), 0) : Number.NaN
  const verdict = run.stdout.split('\n')[0] || run.stderr.split('\n').find((line) => line.startsWith('Error')) || ''
  return {rssMb: rss ? Number(rss[1]) / 1024 : Number.NaN, seconds, exit: run.status ?? -1, verdict}
}

const dir = mkdtempSync(join(tmpdir(), 'rd-file-memory-'))
try {
  const recording = join(dir, 'recording.log')
  let readings = 0
  const recordingSize = await write(recording, (push) => {
    for (let t = 0; ; t++) {
      readings++
      let text = `${1_796_215_429 + t}.000000000\n${header}\n${portRows.join('\n')}\n`
      for (let i = 0; i < otherPorts; i++) text += `${otherRow(i)}\n`
      if (!push(text)) return
    }
  })
  const single = join(dir, 'one-reading.txt')
  const singleSize = await write(single, (push) => {
    push(`${header}\n${portRows.join('\n')}\n`)
    let chunk = ''
    for (let i = 0; ; i++) {
      chunk += `${otherRow(i)}\n`
      if (chunk.length > 1 << 20) {
        if (!push(chunk)) return
        chunk = ''
      }
    }
  })
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`
  const runs: Array<[string, string[], string?]> = [
    [`recording, ${readings} readings of ${otherPorts + 4} sockets (${mb(recordingSize)})`, ['--file', recording]],
    [`one reading, ${mb(singleSize)}, --port ${port}`, ['--file', single, '--port', port]],
    [`one reading, ${mb(singleSize)}, port taken from the data`, ['--file', single]],
    [`one reading on stdin, ${mb(singleSize)}, port taken from the data`, ['--file', '-'], single],
  ]
  console.log(`CLI: ${cliDir}; Node ${process.version}`)
  console.log('| file | peak RSS | wall time | exit | first line |')
  console.log('|---|---|---|---|---|')
  for (const [name, args, stdinFile] of runs) {
    const run = peakRss(args, stdinFile)
    console.log(`| ${name} | ${run.rssMb.toFixed(0)} MB | ${run.seconds.toFixed(1)} s | ${run.exit} | ${run.verdict.slice(0, 90)} |`)
  }
} finally {
  rmSync(dir, {recursive: true, force: true})
}
