import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {expect, it} from 'vitest'

const serverDir = fileURLToPath(new URL('../../reference-server/', import.meta.url))

// The parser's own tests are C (reference-server/test/http-test.c): inputs end at a guard page
// and the build runs under ASan/UBSan.
it('the C request parser passes its guard-page tests', async () => {
  const result = await execa('make', ['-s', '-C', serverDir, 'check'], {reject: false, all: true, timeout: 120_000})
  expect(result.all).toContain('http-test: all passed')
  expect(result.exitCode).toBe(0)
}, 130_000)
