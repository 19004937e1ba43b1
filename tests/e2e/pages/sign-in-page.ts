import type { Locator, Page } from '@playwright/test'

/** Page object for the sign-in screen. */
export class SignInPage {
  readonly root: Locator
  readonly aor: Locator
  readonly password: Locator
  readonly submit: Locator
  readonly failure: Locator
  readonly error: Locator
  readonly why: Locator

  constructor(readonly page: Page) {
    this.root = page.getByTestId('sign-in')
    this.aor = page.locator('#signin-aor')
    this.password = page.locator('#signin-password')
    this.submit = page.getByTestId('signin-submit')
    this.failure = page.getByTestId('signin-failure')
    this.error = page.getByTestId('signin-error')
    this.why = page.getByTestId('signin-why')
  }

  /** Signs in; `server` overrides discovery (host:port), as a lab run needs. */
  async signIn(aor: string, password: string, server?: { host: string; port: number }) {
    await this.aor.fill(aor)
    await this.password.fill(password)
    if (server) {
      await this.page.locator('details', { has: this.page.locator('#signin-server') }).click()
      await this.page.locator('#signin-server').fill(server.host)
      await this.page.locator('#signin-port').fill(String(server.port))
    }
    await this.submit.click()
  }
}
