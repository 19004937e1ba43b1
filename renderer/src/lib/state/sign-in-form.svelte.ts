import type { SavedAccount } from '../../../../shared/types/account'
import type { SignInRequest } from '../../../../shared/types/sip'

/** A client certificate file as the form read it (its passphrase is typed each time). */
export type ChosenCertificate = Omit<NonNullable<SignInRequest['clientCertificate']>, 'passphrase'>

/**
 * What was typed into the sign-in form, kept while the app runs so that a look at the connection
 * panel ("Why is this server not trusted?") and back finds it as it was. The password and the
 * certificate passphrase are not kept here: they stay in the form only.
 */
class SignInForm {
  aor = $state('')
  displayName = $state('')
  server = $state('')
  port = $state('')
  transport = $state<'auto' | 'tls' | 'wss'>('auto')
  wsPath = $state('')
  certificate = $state.raw<ChosenCertificate | null>(null)
  remember = $state(false)
  /** The "Server and certificate options" section is open. */
  optionsOpen = $state(false)
  #filledFromSaved = false

  /** Empties the form (the user forgot the remembered account). */
  clear(): void {
    this.aor = ''
    this.displayName = ''
    this.server = ''
    this.port = ''
    this.transport = 'auto'
    this.wsPath = ''
    this.certificate = null
    this.remember = false
    this.optionsOpen = false
  }

  /** Fills empty fields from the remembered account, once. */
  fill(saved: SavedAccount | null): void {
    if (!saved || this.#filledFromSaved) return
    this.#filledFromSaved = true
    this.aor ||= saved.aor
    this.displayName ||= saved.displayName ?? ''
    this.server ||= saved.server?.host ?? ''
    this.port ||= saved.server?.port?.toString() ?? ''
    this.remember = true
  }
}

/** The sign-in form singleton. */
export const signInForm = new SignInForm()
