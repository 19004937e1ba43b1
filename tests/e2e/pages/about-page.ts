import type { Locator, Page } from '@playwright/test'

/** Page object for the about panel. */
export class AboutPage {
  readonly version: Locator
  readonly host: Locator
  readonly tls: Locator
  readonly error: Locator

  constructor(readonly page: Page) {
    this.version = page.getByTestId('app-version')
    this.host = page.getByTestId('app-host')
    this.tls = page.getByTestId('app-tls')
    this.error = page.getByTestId('app-error')
  }
}
