import type { SavedAccount, VaultStatus } from '../../../../shared/types/account'
import type { SessionState, SignInRequest } from '../../../../shared/types/sip'
import { api } from '../api'
import { settle, type UiError } from './result'

const signedOut: SessionState = { status: 'signed-out' }

/** The SIP session: sign-in (typed or remembered), sign-out and the live state the core reports. */
class SessionStore {
  state = $state.raw<SessionState>(signedOut)
  /** An IPC failure (the core could not even be asked), as opposed to `state.failure`. */
  error = $state.raw<UiError | null>(null)
  busy = $state(false)
  /** The account "remember me" kept (never its password), and whether passwords can be kept. */
  saved = $state.raw<SavedAccount | null>(null)
  vault = $state.raw<VaultStatus | null>(null)
  #unsubscribers: (() => void)[] = []

  /** Signed in or on the way back: the main screen is shown. */
  readonly active = $derived(
    this.state.status === 'registered' || this.state.status === 'reconnecting'
  )

  /** Loads the current state and the remembered account, and follows changes. */
  async start(): Promise<void> {
    if (this.#unsubscribers.length === 0)
      this.#unsubscribers = [
        api.session.onStateChanged((state) => {
          this.state = state
        }),
        api.account.onSavedChanged((account) => {
          this.saved = account
        })
      ]
    const [state, saved] = await Promise.all([
      settle(
        () => api.session.getState(),
        (e) => (this.error = e)
      ),
      // No remembered account is not worth an error on the sign-in screen.
      settle(
        () => api.account.getSaved(),
        () => undefined
      )
    ])
    if (state) {
      this.state = state
      this.error = null
    }
    if (saved) {
      this.saved = saved.account
      this.vault = saved.vault
    }
  }

  async signIn(request: SignInRequest): Promise<void> {
    await this.#run(() => api.session.signIn(request), request.aor)
  }

  /** Signs in with the remembered account; the OS keychain holds its password. */
  async signInSaved(): Promise<void> {
    const aor = this.saved?.aor
    if (aor) await this.#run(() => api.account.signInSaved({ aor }), aor)
  }

  async forgetSaved(): Promise<void> {
    const result = await settle(
      () => api.account.forget(),
      (e) => (this.error = e)
    )
    if (result) this.saved = null
  }

  async signOut(): Promise<void> {
    this.busy = true
    const state = await settle(
      () => api.session.signOut(),
      (e) => (this.error = e)
    )
    if (state) this.state = state
    this.busy = false
  }

  async #run(call: () => ReturnType<typeof api.session.signIn>, aor: string): Promise<void> {
    this.busy = true
    this.error = null
    this.state = { status: 'connecting', aor }
    const state = await settle(call, (e) => (this.error = e))
    this.state = state ?? signedOut
    this.busy = false
  }

  /** Stops following the core (tests). */
  stop(): void {
    for (const off of this.#unsubscribers) off()
    this.#unsubscribers = []
  }
}

/** The session singleton. */
export const session = new SessionStore()
