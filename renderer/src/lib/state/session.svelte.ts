import type { SavedAccount, VaultStatus } from '../../../../shared/types/account'
import type { SessionState, SignInRequest } from '../../../../shared/types/sip'
import { api } from '../api'
import { connection } from './connection.svelte'
import { settle, type UiError } from './result'
import { signInForm } from './sign-in-form.svelte'

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
  /**
   * The attempt that stopped at the DNS-hijack question, to go on with once the user trusts the
   * server. It holds that attempt's password, so it lives only until the question is answered,
   * another attempt starts or the user signs out.
   */
  #awaitingAnswer: { call: () => ReturnType<typeof api.session.signIn>; aor: string } | null = null

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
      signInForm.fill(saved.account)
    }
  }

  async signIn(request: SignInRequest): Promise<void> {
    connection.answered = null
    await this.#run(() => api.session.signIn(request), request.aor)
  }

  /** Signs in with the remembered account; the OS keychain holds its password. */
  async signInSaved(): Promise<void> {
    const aor = this.saved?.aor
    if (!aor) return
    connection.answered = null
    await this.#run(() => api.account.signInSaved({ aor }), aor)
  }

  /**
   * Answers the DNS-hijack question. Trusting the server goes on with the attempt that asked,
   * so nobody types the password again under an alert that no longer applies.
   */
  async answerQuestion(allow: boolean): Promise<void> {
    const attempt = this.#awaitingAnswer
    this.#awaitingAnswer = null
    const answered = await connection.answer(allow)
    if (answered && allow && attempt) await this.#run(attempt.call, attempt.aor)
  }

  async forgetSaved(): Promise<void> {
    const result = await settle(
      () => api.account.forget(),
      (e) => (this.error = e)
    )
    if (!result) return
    this.saved = null
    signInForm.clear()
  }

  async signOut(): Promise<void> {
    this.#awaitingAnswer = null
    this.busy = true
    const state = await settle(
      () => api.session.signOut(),
      (e) => (this.error = e)
    )
    if (state) this.state = state
    this.busy = false
  }

  async #run(call: () => ReturnType<typeof api.session.signIn>, aor: string): Promise<void> {
    this.#awaitingAnswer = null
    this.busy = true
    this.error = null
    this.state = { status: 'connecting', aor }
    const state = await settle(call, (e) => (this.error = e))
    this.state = state ?? signedOut
    // The core asks the question while it answers the attempt: keep the attempt for the answer.
    if (state?.status === 'failed' && connection.info?.question)
      this.#awaitingAnswer = { call, aor }
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
