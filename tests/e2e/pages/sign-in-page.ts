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

  /** Signs in; `server` overrides discovery (host:port, and transport/path for wss). */
  async signIn(
    aor: string,
    password: string,
    server?: { host: string; port: number; transport?: 'tls' | 'wss'; path?: string }
  ) {
    await this.aor.fill(aor)
    await this.password.fill(password)
    // The form keeps its fields between attempts: no server given means discovery, so clear one
    // a previous attempt typed.
    const serverField = this.page.locator('#signin-server')
    if (server || (await serverField.inputValue()) !== '') {
      const options = this.page.locator('details', { has: serverField })
      if ((await options.getAttribute('open')) === null) await options.locator('summary').click()
      await serverField.fill(server?.host ?? '')
      await this.page.locator('#signin-port').fill(server ? String(server.port) : '')
      await this.page.locator('#signin-transport').selectOption(server?.transport ?? 'auto')
      if (server?.path) await this.page.locator('#signin-path').fill(server.path)
    }
    await this.submit.click()
  }
}
