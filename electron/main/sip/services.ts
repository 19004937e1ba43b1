import type { ImHistory } from './im'
import {
  SipSession,
  type SipConnector,
  type SipSessionEvents,
  type SipSessionOptions
} from './session'

/** Options for the SIP services. */
export interface SipServicesOptions {
  connector: SipConnector
  /**
   * Where messages are recorded: the history of the profile shown (account/profiles.ts), so the
   * session's writes follow the account signed in.
   */
  history: ImHistory
  events?: SipSessionEvents
  log?: (message: string) => void
  /** Extra session tuning (timeouts, expiry), mostly for tests. */
  session?: Partial<Omit<SipSessionOptions, 'connector' | 'history' | 'events' | 'log'>>
}

/** The SIP domain's services. */
export interface SipServices {
  session: SipSession
  /** Signs out (unpublish, unsubscribe, unregister) and stops timers; for app quit. */
  shutdown(): Promise<void>
}

/** Builds the session over the trust-checked connector and the profile's history. */
export function createSipServices(options: SipServicesOptions): SipServices {
  const session = new SipSession({
    ...options.session,
    connector: options.connector,
    history: options.history,
    ...(options.events ? { events: options.events } : {}),
    ...(options.log ? { log: options.log } : {})
  })
  return {
    session,
    async shutdown() {
      await session.signOut()
      session.dispose()
    }
  }
}
