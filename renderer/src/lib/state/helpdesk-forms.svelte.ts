import type { RevocationMode } from '../../../../shared/types/trust'

/**
 * What was typed into the helpdesk's "Test a server" form, kept while the app runs so that a look
 * at another screen and back finds it as it was (as the sign-in form does). Certificate files and
 * passphrases are not kept: they stay in the form only.
 */
class ServerCheckForm {
  host = $state('')
  port = $state('5061')
  servername = $state('')
  sipDomain = $state('')
  revocation = $state<RevocationMode>('soft-fail')

  /** Back to an empty form. */
  clear(): void {
    this.host = ''
    this.port = '5061'
    this.servername = ''
    this.sipDomain = ''
    this.revocation = 'soft-fail'
  }
}

/** The same for the Federation form. */
class FederationForm {
  domain = $state('')
  server = $state('')
  revocation = $state<RevocationMode>('soft-fail')

  /** Back to an empty form. */
  clear(): void {
    this.domain = ''
    this.server = ''
    this.revocation = 'soft-fail'
  }
}

export const serverCheckForm = new ServerCheckForm()
export const federationForm = new FederationForm()
