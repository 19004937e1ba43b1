import type { Locator, Page } from '@playwright/test'

/** The frame around every screen: trust badge, navigation, session status. */
export class AppShell {
  readonly badge: Locator
  readonly status: Locator
  readonly signOut: Locator
  /** Who is signed in: display name, SIP address and presence. */
  readonly me: Locator

  constructor(readonly page: Page) {
    this.badge = page.getByTestId('trust-badge')
    this.status = page.getByTestId('session-status')
    this.signOut = page.getByTestId('sign-out')
    this.me = page.getByTestId('signed-in-as')
  }

  nav(view: 'home' | 'connection' | 'helpdesk' | 'settings' | 'about'): Locator {
    return this.page.getByTestId(`nav-${view}`)
  }

  async go(view: 'home' | 'connection' | 'helpdesk' | 'settings' | 'about'): Promise<void> {
    await this.nav(view).click()
  }

  /** Saves a full-page screenshot under test-results/screens/. */
  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true })
  }
}
