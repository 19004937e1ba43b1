import type { HostKind } from '../../../shared/types/app'
import { createAppHandlers } from './app-handlers'
import type { HandlerMap } from './types'

/** The services the handlers are built from; the composition roots (Electron, web host) make them. */
export interface CoreServices {
  app: { name: string; version: string; host: HostKind; electronVersion: string | null }
}

/** Every handler of the contract, built in one place from injected services. */
export function createHandlers(services: CoreServices): Partial<HandlerMap> {
  return {
    ...createAppHandlers({ ...services.app, startedAt: new Date() })
  }
}
