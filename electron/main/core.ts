import { Resolver } from 'node:dns/promises'
import type { HostKind } from '../../shared/types/app'
import type { SecretVault } from './account/account-store'
import { clientCertificateOf } from './account/client-certificate'
import {
  ConnectionService,
  type ClientCertificateOption,
  type TrustChecker
} from './account/connection-service'
import { Profiles } from './account/profiles'
import { SignInService } from './account/sign-in-service'
import { createAccountHandlers } from './ipc/account-handlers'
import { createPolicyHandlers } from './ipc/policy-handlers'
import { createProfileHandlers } from './ipc/profile-handlers'
import type { PolicyService } from './policy'
import type { EffectivePolicy } from '../../shared/types/policy'
import type { FederationCheckRequest, FederationReport } from '../../shared/types/federation'
import type { RevocationMode } from '../../shared/types/trust'
import { appInfo, createAppHandlers, createNoticeHandlers } from './ipc/app-handlers'
import { createDispatcher, EventBus, type Dispatcher } from './ipc/dispatch'
import { createFederationHandlers } from './ipc/federation-handlers'
import { createSipHandlers, sipEventsTo, type SessionService } from './ipc/sip-handlers'
import { createTrustHandlers, type ExceptionStore, type TrustEngine } from './ipc/trust-handlers'
import type { HandlerMap } from './ipc/types'
import type { DnsResolver } from './sip/discovery'
import { createSipServices, type SipServices } from './sip/services'
import type { SipSessionOptions } from './sip/session'
import { SipLog } from './sip/sip-log'
import { NoticeBoard } from './notices'
import type { Storage } from './storage/durable'
import { DomainDecisionStore } from './storage/domain-decisions'

/** The federation check as the core uses it: our edge identity as sign-in takes certificates. */
export interface FederationEngine {
  check(
    request: {
      partnerDomain: string
      identity: ClientCertificateOption
      server?: { host: string; port?: number }
      revocation?: RevocationMode
    },
    resolver: DnsResolver
  ): Promise<FederationReport>
}

/** The trust engine's parts the core needs (the real one lives in electron/main/tls). */
export interface TrustParts {
  checker: TrustChecker
  engine: TrustEngine
  exceptions: ExceptionStore
  /** The federation check, built on the same trust settings. */
  federation?: FederationEngine
}

/** Options for building the core, given by whichever host runs it. */
export interface CoreOptions {
  host: HostKind
  version: string
  electronVersion?: string | null
  /**
   * Where the core keeps its files: trust exceptions (per computer) at the top, each account's
   * data in `profiles/<account>/` (see account/profiles.ts).
   */
  dataDir: string
  /**
   * The trust engine; without it sign-in and server checks answer `unavailable`. `storage` is
   * what its files (trust exceptions) are written with.
   */
  trust?: (
    dataDir: string,
    policy: () => EffectivePolicy | null,
    storage: Partial<Storage>
  ) => TrustParts
  /** Enterprise policy (loaded by the host before the core is built). */
  policy?: PolicyService
  /** The OS keychain for "remember me" (Electron safeStorage); none under the browser host. */
  vault?: SecretVault | null
  /** DNS servers for discovery (`127.0.0.1:5353`); the system's when absent. */
  dnsServers?: string[]
  /** Session tuning (timeouts), mostly for tests. */
  session?: Partial<Omit<SipSessionOptions, 'connector' | 'history' | 'events' | 'log'>>
  log?: (message: string, error?: unknown) => void
}

/** The running core: one dispatcher and one event bus, whatever adapter carries them. */
export interface Core {
  dispatcher: Dispatcher
  events: EventBus
  dataDir: string
  sip: SipServices
  /** The accounts' profiles and the one shown. */
  profiles: Profiles
  connection: ConnectionService
  /** What the user must be told (damaged files, failed writes, errors the core survived). */
  notices: NoticeBoard
  dispose(): Promise<void>
}

function resolverFor(servers: string[] | undefined): DnsResolver {
  const resolver = new Resolver({ timeout: 3000, tries: 2 })
  if (servers?.length) resolver.setServers(servers)
  return resolver
}

/**
 * Builds the core's services and handlers. Never imports `electron`, so the same core runs under
 * Electron, behind the browser host, in tests and in the command-line tool.
 */
export function createCore(options: CoreOptions): Core {
  const log = options.log ?? (() => undefined)
  const events = new EventBus((m) => log(m))
  const notices = new NoticeBoard(events, (m) => log(m))
  // Every file the core writes goes through storage/durable with this: failures and damaged
  // files become notices.
  const storage: Partial<Storage> = { notices, log: (m) => log(`[storage] ${m}`) }
  const sipLog = new SipLog((entry) => events.emit('sip:log-appended', entry))
  const profiles = new Profiles({
    dataDir: options.dataDir,
    vault: options.vault ?? null,
    storage,
    log,
    // Another account's data is shown: the session watches its roster, the previous account's
    // SIP traffic leaves the helpdesk log, and the renderer loads every list again.
    onChanged: async (profile, view) => {
      let roster: string[] = []
      try {
        roster = profile ? (await profile.contacts.list()).map((c) => c.uri) : []
      } catch (error) {
        log('could not load the contacts', error)
      }
      sip.session.setContacts(roster)
      sipLog.clear()
      events.emit('profile:changed', view)
    }
  })
  // Remembered DNS-hijack answers are the profile's: the store follows the profile shown.
  const decisions = new DomainDecisionStore(() => profiles.active?.dir ?? null, storage)
  const policy = options.policy
  const policyNow = () => policy?.get() ?? null
  const trust = options.trust?.(options.dataDir, policyNow, storage)
  const unavailable = (): never => {
    throw new Error('the trust engine is not part of this build')
  }
  const resolver = resolverFor(options.dnsServers)
  const connection = new ConnectionService({
    checker: trust?.checker ?? unavailable,
    resolver,
    decisions,
    events,
    // Decided again (exception revoked, policy reloaded) and no longer trusted: drop it now.
    onNoLongerTrusted: (report) => sip.session.refuse(report.headline),
    log
  })
  const sip = createSipServices({
    connector: connection.connect,
    history: profiles.history,
    log: (m) => log(`[sip] ${m}`),
    session: {
      // The privacy setting as in force at the moment a receipt would go out.
      sendReadReceipts: () => policy?.get().settings.sendReadReceipts.value ?? true,
      ...options.session
    },
    events: {
      ...sipEventsTo(events),
      onWire: (direction, text) => sipLog.add(direction, text)
    }
  })
  const emitSaved = () => {
    profiles.remembered().then(
      (saved) => events.emit('account:saved-changed', saved),
      (error: unknown) => log('could not read the saved account', error)
    )
  }
  // The one way into an account: policy, profile, connection, session (account/sign-in-service).
  const signIn = new SignInService({
    session: sip.session,
    connection,
    profiles,
    policy: policyNow,
    onSavedChanged: emitSaved,
    log
  })
  const session: SessionService = {
    get state() {
      return sip.session.state
    },
    get presence() {
      return sip.session.presence
    },
    signIn: (request) => signIn.signIn(request),
    signOut: () => signIn.signOut(),
    setPresence: async (state, note) => {
      await sip.session.setPresence(state, note)
      events.emit('presence:own-changed', sip.session.presence)
    },
    setContacts: (uris) => sip.session.setContacts(uris),
    im: sip.session.im,
    subscriptions: sip.session.subscriptions
  }
  const federationCheck =
    (engine: FederationEngine) =>
    (request: FederationCheckRequest): Promise<FederationReport> =>
      engine.check(
        {
          partnerDomain: request.partnerDomain,
          identity: clientCertificateOf(request.clientCertificate)!,
          ...(request.server ? { server: request.server } : {}),
          ...(request.revocation ? { revocation: request.revocation } : {})
        },
        resolver
      )
  const appDeps = {
    name: 'TrustLine',
    version: options.version,
    host: options.host,
    electronVersion: options.electronVersion ?? null,
    startedAt: new Date()
  }
  const handlers: Partial<HandlerMap> = {
    ...createAppHandlers(appDeps),
    ...createNoticeHandlers(notices),
    ...createSipHandlers({ session, contacts: profiles.contacts, history: profiles.history }),
    ...createProfileHandlers({ profiles, policy: policyNow }),
    ...(policy
      ? createPolicyHandlers({
          policy: {
            get: () => policy.get(),
            // A reloaded policy (exceptions forbidden now, say) applies to the live connection.
            reload: async () => {
              const reloaded = await policy.reload()
              await connection.redecide()
              return reloaded
            },
            // Read receipts are the only user setting so far; nothing live depends on it.
            setUser: (patch) => policy.setUser(patch)
          }
        })
      : {}),
    'sip:get-log': () => sipLog.list(),
    'sip:clear-log': () => {
      sipLog.clear()
      return { cleared: true }
    },
    ...createAccountHandlers({
      profiles,
      signInSaved: (aor) => signIn.signInSaved(aor),
      forgetSaved: () => signIn.forgetSaved()
    }),
    ...(trust
      ? createTrustHandlers({
          engine: trust.engine,
          exceptions: trust.exceptions,
          decisions,
          connection,
          appInfo: () => appInfo(appDeps),
          session: () => sip.session.state,
          sipLog: () => sipLog.list(),
          notices: () => notices.list(),
          exceptionsAllowed: () => {
            const setting = policy?.get().settings.allowTrustExceptions
            return {
              allowed: setting?.value ?? true,
              ...(setting?.lockedBy ? { lockedBy: setting.lockedBy } : {})
            }
          }
        })
      : {}),
    ...(trust?.federation
      ? createFederationHandlers({ check: federationCheck(trust.federation) })
      : {})
  }
  // Every local file is read now, so a damaged one is reported at start, not when first used.
  const failed = (what: string) => (error: unknown) => log(`could not load ${what}`, error)
  // The profile shown first (the remembered account's, after moving an earlier version's data
  // into its profile) brings its roster to the session; its other files are read now too.
  profiles
    .start()
    .then(() =>
      Promise.all([
        decisions.load().catch(failed('domain decisions')),
        profiles.remembered().catch(failed('the saved account')),
        profiles.history.summaries().catch(failed('history'))
      ])
    )
    .catch(failed('the profile'))
  trust?.exceptions.list().catch(failed('trust exceptions'))
  return {
    dispatcher: createDispatcher(handlers, log),
    events,
    dataDir: options.dataDir,
    sip,
    profiles,
    connection,
    notices,
    async dispose() {
      await sip.shutdown()
    }
  }
}
