import {execa} from 'execa'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))

describe('the layout', () => {
  it('has no folder importing one above it, and no import cycle (.dependency-cruiser.cjs)', async () => {
    const result = await execa('npx', ['depcruise', 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], {cwd: root, reject: false})
    // On a violation, the message names the rule and the import (src/x/a.ts → src/y/b.ts).
    expect({exitCode: result.exitCode, output: `${result.stdout}${result.stderr}`.trim()}).toEqual({exitCode: 0, output: expect.stringContaining('no dependency violations found')})
  })
})
