import type { HostKind } from '../../shared/types/app'
import { createDispatcher, EventBus, type Dispatcher } from './ipc/dispatch'
import { createHandlers } from './ipc/handlers'

/** Options for building the core, given by whichever host runs it. */
export interface CoreOptions {
  host: HostKind
  version: string
  electronVersion?: string | null
  /** Where the core keeps its files (settings, history, exceptions). */
  dataDir: string
  log?: (message: string, error?: unknown) => void
}

/** The running core: one dispatcher and one event bus, whatever adapter carries them. */
export interface Core {
  dispatcher: Dispatcher
  events: EventBus
  dataDir: string
  dispose(): Promise<void>
}

/**
 * Builds the core's services and handlers. Never imports `electron`, so the same core runs under
 * Electron, behind the browser host, in tests and in the command-line tool.
 */
export function createCore(options: CoreOptions): Core {
  const log = options.log ?? (() => undefined)
  const events = new EventBus((m) => log(m))
  const handlers = createHandlers({
    app: {
      name: 'TrustLine',
      version: options.version,
      host: options.host,
      electronVersion: options.electronVersion ?? null
    }
  })
  return {
    dispatcher: createDispatcher(handlers, log),
    events,
    dataDir: options.dataDir,
    async dispose() {}
  }
}
