import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    // oclif writes through process.stdout; vitest must not swallow it.
    disableConsoleIntercept: true,
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Live tests share one 2-core machine and real kernel state: run files one at a time
    // so a load test never skews another test's timing.
    fileParallelism: false,
  },
})
