import type { NoticeSink } from './notices'

/** What the handler listens on: `process` (an EventEmitter in tests). */
export interface ProcessEvents {
  on(event: 'unhandledRejection' | 'uncaughtException', listener: (error: unknown) => void): unknown
  off(
    event: 'unhandledRejection' | 'uncaughtException',
    listener: (error: unknown) => void
  ): unknown
}

/** The installed handler: tell it where notices go once the core exists; remove it. */
export interface LastResort {
  notify(notices: NoticeSink): void
  dispose(): void
}

/**
 * The last resort for errors nothing else handled: an unhandled promise rejection or an uncaught
 * exception is logged and raised as an `internal-error` notice, and the process keeps serving.
 * Node's default is to exit (code 1) on both, which took the whole app down with it (a failed
 * history write in a background task was enough). Every known path handles its own errors; this
 * is for the ones a bug leaves, so they cost a notice, not the user's session.
 */
export function installLastResort(
  proc: ProcessEvents,
  log: (message: string, error?: unknown) => void
): LastResort {
  let notices: NoticeSink | null = null
  const report = (source: 'unhandled-rejection' | 'uncaught-exception') => (error: unknown) => {
    // The handler itself must never throw: there is nothing behind it.
    try {
      log(`${source} (kept running)`, error)
      const detail = (error instanceof Error ? error.message : String(error)).split('\n')[0]
      notices?.raise({
        code: 'internal-error',
        params: { source, detail: (detail ?? '').slice(0, 500) }
      })
    } catch {
      // Logging failed too (stderr closed): nothing left to tell.
    }
  }
  const onRejection = report('unhandled-rejection')
  const onException = report('uncaught-exception')
  proc.on('unhandledRejection', onRejection)
  proc.on('uncaughtException', onException)
  return {
    notify(sink) {
      notices = sink
    },
    dispose() {
      proc.off('unhandledRejection', onRejection)
      proc.off('uncaughtException', onException)
    }
  }
}
