import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {afterEach, describe, expect, it} from 'vitest'
import {countLiveProcesses, type OwnedProcess, spawnOwned} from '../../src/process/owned-process.js'
import {isAlive} from '../helpers/is-alive.js'

const childScript = fileURLToPath(new URL('owned-process-child.ts', import.meta.url))
const started: OwnedProcess[] = []

function start(command: string, args: string[]): OwnedProcess {
  const child = spawnOwned(command, args)
  started.push(child)
  return child
}


function firstLine(child: OwnedProcess): Promise<string> {
  return new Promise((resolve) => {
    const off = child.onStdoutLine((line) => {
      off()
      resolve(line)
    })
  })
}

async function waitUntilGone(pid: number, ms = 3000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
    if (!isAlive(pid)) return true
  }
  return false
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((child) => child.stop(500)))
})

describe('spawnOwned', () => {
  it('delivers stdout lines as they arrive, then the exit code', async () => {
    const child = start('sh', ['-c', 'echo one; printf "two\\nthree"; echo oops >&2; exit 4'])
    const lines: string[] = []
    child.onStdoutLine((line) => lines.push(line))
    expect(await child.exited).toEqual({code: 4, signal: null})
    expect(lines).toEqual(['one', 'two', 'three'])
    expect(child.stderrTail).toEqual(['oops'])
    expect(child.exit).toEqual({code: 4, signal: null})
  })

  it('stops the whole process group, grandchildren included', async () => {
    const child = start('sh', ['-c', 'sleep 60 & echo $!; wait'])
    const grandchild = Number(await firstLine(child))
    expect(isAlive(grandchild)).toBe(true)
    expect((await child.stop()).signal).toBe('SIGTERM')
    expect(await waitUntilGone(grandchild)).toBe(true)
    expect(countLiveProcesses()).toBe(0)
  })

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const child = start('sh', ['-c', 'trap "" TERM; echo ready; sleep 60'])
    await firstLine(child)
    const begin = Date.now()
    expect((await child.stop(300)).signal).toBe('SIGKILL')
    expect(Date.now() - begin).toBeGreaterThanOrEqual(300)
  })

  it('reports a command that cannot start', async () => {
    const child = start('/nonexistent/reactor-doctor-test', [])
    const exit = await child.exited
    expect(exit.error?.message).toMatch(/ENOENT/)
    expect(countLiveProcesses()).toBe(0)
  })

  it.each(['throw', 'exit', 'SIGINT', 'SIGHUP'])('leaves nothing running when its owner dies (%s)', async (how) => {
    const owner = execa(process.execPath, ['--import', 'tsx', childScript, how.startsWith('SIG') ? 'signal' : how], {reject: false})
    const sleeper = await new Promise<number>((resolve) => owner.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))))
    try {
      expect(isAlive(sleeper)).toBe(true)
      if (how.startsWith('SIG')) owner.kill(how as NodeJS.Signals)
      const result = await owner
      expect(result.exitCode).toBe({throw: 1, exit: 3, SIGINT: 130, SIGHUP: 129}[how])
      expect(await waitUntilGone(sleeper)).toBe(true)
    } finally {
      if (isAlive(sleeper)) process.kill(sleeper, 'SIGKILL')
    }
  })
})
