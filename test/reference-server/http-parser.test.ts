import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {expect, it} from 'vitest'

const serverDir = fileURLToPath(new URL('../../reference-server/', import.meta.url))

// The parsers' own tests are C (reference-server/test/http-test.c, and load-reply-test.c for
// rd-load's answer readers): inputs end at a guard page and the build runs under ASan/UBSan.
it('the C request parser and rd-load\'s answer readers pass their guard-page tests', async () => {
  const result = await execa('make', ['-s', '-C', serverDir, 'check'], {reject: false, all: true, timeout: 120_000})
  expect(result.all).toContain('http-test: all passed')
  expect(result.all).toContain('load-reply-test: all passed')
  expect(result.exitCode).toBe(0)
}, 130_000)
