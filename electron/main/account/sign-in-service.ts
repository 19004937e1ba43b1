import { IpcFailure } from '../../../shared/ipc/result'
import type { EffectivePolicy } from '../../../shared/types/policy'
import type { SessionState, SignInRequest } from '../../../shared/types/sip'
import { accountCaLock } from '../policy/account-cas'
import { applySignInPolicy } from '../policy/sign-in'
import { clientCertificateOf } from './client-certificate'
import type { ConnectionAccount } from './connection-service'
import type { Profiles } from './profiles'
import { beginAttempt, type TraceHandle } from '../stage-trace'

/** The SIP session as sign-in drives it (SipSession in production). */
export interface SignInSession {
  readonly state: SessionState
  /** Resolves with the outcome (registered, or failed with why); never rejects for those. */
  signIn(request: SignInRequest): Promise<SessionState>
  signOut(): Promise<void>
}

/** What the sign-in service needs. */
export interface SignInServiceDeps {
  session: SignInSession
  /** Where the next connection attempts go, and with which CAs and certificate. */
  connection: { configure(account: ConnectionAccount | null): void }
  profiles: Pick<
    Profiles,
    'open' | 'settleClaim' | 'showRemembered' | 'remember' | 'remembered' | 'password' | 'forget'
  >
  /** The enterprise policy in force (null: none). */
  policy: () => EffectivePolicy | null
  /** The remembered account changed (saved at sign-in, or forgotten). */
  onSavedChanged?: () => void
  log?: (message: string, error?: unknown) => void
}

/**
 * The one way into an account, whichever host asks (desktop, browser host): the address is parsed
 * once (`parseAor`, inside `applySignInPolicy`), the policy decides whether and where this account
 * may sign in, the account's profile is shown (made, or claimed from an earlier version, if new),
 * the connection is configured (SIP domain, server, client certificate, the account's own CAs
 * unless the policy sets the CAs) and the session signs in.
 *
 * Switching accounts signs the previous one out first, so everything it was still writing ends
 * in its own profile before another's is shown. Preparing sign-ins and sign-outs runs one at a
 * time; waiting for the server's answer does not hold the others up.
 */
export class SignInService {
  readonly #d: SignInServiceDeps
  #chain: Promise<unknown> = Promise.resolve()
  #signIns = 0

  constructor(deps: SignInServiceDeps) {
    this.#d = deps
  }

  /**
   * Signs in and resolves with the outcome. Throws IpcFailure `bad-request` for an address that
   * is not one and `policy-forbids` for a sign-in the policy refuses, before anything changes.
   */
  async signIn(asked: SignInRequest): Promise<SessionState> {
    const { request, sipDomain } = applySignInPolicy(asked, this.#d.policy())
    // Off unless a bench turned tracing on: then every point of this sign-in is timed.
    const trace = beginAttempt(`sign-in ${++this.#signIns}`)
    trace.mark('sign-in')
    const { outcome } = await this.#serial(() => this.#begin(request, sipDomain, trace))
    const state = await outcome
    trace.mark('sign-in answered', state.status)
    trace.end()
    await this.#d.profiles.settleClaim(request.aor, state.status === 'registered')
    if (request.remember && state.status === 'registered') await this.#remember(request)
    return state
  }

  /** Signs in with the remembered account and its password kept by the OS keychain. */
  async signInSaved(aor: string): Promise<SessionState> {
    const saved = await this.#d.profiles.remembered()
    const password = saved ? await this.#d.profiles.password(aor) : null
    if (!saved || password === null) {
      throw new IpcFailure(
        'no-saved-password',
        `No password is kept for ${aor}. Type it and tick "Remember me" to keep it.`
      )
    }
    return this.signIn({
      aor: saved.aor,
      password,
      ...(saved.displayName ? { displayName: saved.displayName } : {}),
      ...(saved.server ? { server: saved.server } : {})
    })
  }

  /**
   * Signs out; the report and the connection view go with the attempt, and the data shown is the
   * remembered account's again (or none).
   */
  signOut(): Promise<void> {
    return this.#serial(async () => {
      await this.#d.session.signOut()
      this.#d.connection.configure(null)
      await this.#d.profiles.showRemembered()
    })
  }

  /** Forgets the remembered account; when nobody is signed in its data is no longer shown. */
  async forgetSaved(): Promise<boolean> {
    const forgotten = await this.#d.profiles.forget()
    this.#d.onSavedChanged?.()
    if (this.#d.session.state.status === 'signed-out') {
      await this.#serial(() => this.#d.profiles.showRemembered())
    }
    return forgotten
  }

  /** Everything up to sending: the outcome is handed back unawaited (see the class comment). */
  async #begin(
    request: SignInRequest,
    sipDomain: string,
    trace: TraceHandle
  ): Promise<{ outcome: Promise<SessionState> }> {
    const { session, connection, profiles } = this.#d
    // The previous session ends, and the messages it was still storing land in its own profile,
    // before another profile is shown: also after it failed (a connection given up, a server no
    // longer trusted), when incoming messages may still be on their way to the disk.
    if (session.state.status !== 'signed-out') await session.signOut()
    const profile = await profiles.open(request.aor, request.displayName)
    // CA files set by the policy replace the account's own (README, "The enterprise policy file"),
    // and a policy that forbids trust exceptions forbids them too (policy/account-cas.ts).
    const extraCas = accountCaLock(this.#d.policy()) ? [] : await profile.settings.trustedCaDer()
    const clientCertificate = clientCertificateOf(request.clientCertificate)
    connection.configure({
      sipDomain,
      ...(request.transport ? { transport: request.transport } : {}),
      ...(request.server?.path ? { wsPath: request.server.path } : {}),
      ...(request.server
        ? {
            server: {
              host: request.server.host,
              ...(request.server.port ? { port: request.server.port } : {})
            }
          }
        : {}),
      ...(clientCertificate ? { clientCertificate } : {}),
      ...(extraCas.length ? { extraCas } : {})
    })
    trace.mark('account-ready')
    return { outcome: trace.run(() => session.signIn(request)) }
  }

  async #remember(request: SignInRequest): Promise<void> {
    try {
      const { refused } = await this.#d.profiles.remember(
        {
          aor: request.aor,
          ...(request.displayName ? { displayName: request.displayName } : {}),
          ...(request.server ? { server: request.server } : {})
        },
        request.password
      )
      if (refused) this.#d.log?.(`password not kept: ${refused}`)
    } catch (error) {
      // Signed in all the same; the write failure is a notice of its own.
      this.#d.log?.('could not remember the account', error)
    }
    this.#d.onSavedChanged?.()
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(op, op)
    this.#chain = next.catch(() => undefined)
    return next
  }
}
