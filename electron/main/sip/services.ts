import { ContactsStore } from '../storage/contacts-store'
import type { Storage } from '../storage/durable'
import { HistoryStore } from '../storage/history-store'
import {
  SipSession,
  type SipConnector,
  type SipSessionEvents,
  type SipSessionOptions
} from './session'

/** Options for the SIP services. */
export interface SipServicesOptions {
  /** The app's data directory (userData); contacts.json and history/ go there. */
  dataDir: string
  connector: SipConnector
  events?: SipSessionEvents
  log?: (message: string) => void
  /** How contacts and history are written (notices, a test's file system). */
  storage?: Partial<Storage>
  /** Extra session tuning (timeouts, expiry), mostly for tests. */
  session?: Partial<Omit<SipSessionOptions, 'connector' | 'history' | 'events' | 'log'>>
}

/** The SIP domain's services, as `createSipHandlers` takes them. */
export interface SipServices {
  session: SipSession
  contacts: ContactsStore
  history: HistoryStore
  /** Loads the roster and starts watching it (before or after sign-in). */
  start(): Promise<void>
  /** Signs out (unpublish, unsubscribe, unregister) and stops timers; for app quit. */
  shutdown(): Promise<void>
}

/** Builds the stores and the session from the data directory and the trust-checked connector. */
export function createSipServices(options: SipServicesOptions): SipServices {
  const log = options.log ?? (() => undefined)
  const storage = { log, ...options.storage }
  const contacts = new ContactsStore(options.dataDir, storage)
  const history = new HistoryStore(options.dataDir, storage)
  const session = new SipSession({
    ...options.session,
    connector: options.connector,
    history,
    ...(options.events ? { events: options.events } : {}),
    log
  })
  return {
    session,
    contacts,
    history,
    async start() {
      session.setContacts((await contacts.list()).map((c) => c.uri))
    },
    async shutdown() {
      await session.signOut()
      session.dispose()
    }
  }
}
