/**
 * The one way a command handles Ctrl-C and SIGTERM: the first one aborts its work, so the
 * command stops its servers and ends by itself; a second one exits at once (owned-process's exit
 * handler still stops every server). The exit code says which signal: 130 for SIGINT, 143 for
 * SIGTERM (128 + the signal number, the shell's convention).
 */
export interface Interrupts {
  readonly signal: AbortSignal
  /** 130 or 143 once a signal came; null before. */
  exitCode(): number | null
  dispose(): void
}

const codes = {SIGINT: 130, SIGTERM: 143} as const

export function catchInterrupts(options: {secondExits: boolean} = {secondExits: true}): Interrupts {
  const controller = new AbortController()
  let code: number | null = null
  const handlers = (Object.keys(codes) as Array<keyof typeof codes>).map((name) => {
    const handler = () => {
      if (controller.signal.aborted) {
        if (options.secondExits) process.exit(code ?? codes[name])
        return
      }
      code = codes[name]
      controller.abort()
    }
    process.on(name, handler)
    return [name, handler] as const
  })
  return {
    signal: controller.signal,
    exitCode: () => code,
    dispose() {
      for (const [name, handler] of handlers) process.off(name, handler)
    },
  }
}

/** Runs work with an abort signal that the first Ctrl-C or SIGTERM fires; the second exits at once. */
export async function untilInterrupted<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupts = catchInterrupts()
  try {
    return await run(interrupts.signal)
  } finally {
    interrupts.dispose()
  }
}
