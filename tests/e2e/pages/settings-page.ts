import type { Locator, Page } from '@playwright/test'

/** Page object for Settings: the account's own CA certificates and the trust exceptions. */
export class SettingsPage {
  readonly cas: Locator
  readonly caFile: Locator
  readonly caEntries: Locator
  readonly exceptionsScope: Locator

  constructor(readonly page: Page) {
    this.cas = page.getByTestId('account-cas')
    this.caFile = page.getByTestId('cas-file')
    this.caEntries = page.getByTestId('cas-entry')
    this.exceptionsScope = page.getByTestId('exceptions-scope')
  }
}
