import type { Locator, Page } from '@playwright/test'

/** Page object for the connection panel (facts, reasons, chains, viewer, exception). */
export class ConnectionPage {
  readonly root: Locator
  readonly verdict: Locator
  readonly host: Locator
  readonly port: Locator
  readonly tls: Locator
  readonly cipher: Locator
  readonly reasons: Locator
  readonly viewer: Locator
  readonly tabs: Locator
  readonly exceptionConfirm: Locator
  readonly exceptionAccept: Locator
  readonly exceptionSha256: Locator
  readonly exceptionAccepted: Locator

  constructor(readonly page: Page) {
    this.root = page.getByTestId('connection-panel')
    this.verdict = page.getByTestId('verdict-sentence')
    this.host = page.getByTestId('conn-host')
    this.port = page.getByTestId('conn-port')
    this.tls = page.getByTestId('conn-tls')
    this.cipher = page.getByTestId('conn-cipher')
    this.reasons = page.getByTestId('trust-reason')
    this.viewer = page.getByTestId('cert-viewer')
    this.tabs = this.viewer.getByRole('tab')
    this.exceptionConfirm = page.getByTestId('exception-confirm')
    this.exceptionAccept = page.getByTestId('exception-accept')
    this.exceptionSha256 = page.getByTestId('exception-sha256')
    this.exceptionAccepted = page.getByTestId('exception-accepted')
  }
}
