import { expect, type Locator, type Page } from '@playwright/test'

/** Page object for the main screen: own status, contacts, chat. */
export class ChatPage {
  readonly statusMenu: Locator
  readonly contacts: Locator
  readonly composer: Locator
  readonly send: Locator
  readonly messages: Locator
  readonly bodies: Locator
  readonly typing: Locator

  constructor(readonly page: Page) {
    this.statusMenu = page.getByTestId('status-menu')
    this.contacts = page.getByTestId('contact')
    this.composer = page.getByTestId('composer')
    this.send = page.getByTestId('send')
    this.messages = page.getByTestId('message')
    this.bodies = page.getByTestId('message-body')
    this.typing = page.getByTestId('typing')
  }

  contact(uri: string): Locator {
    return this.page.locator(`[data-testid="contact"][data-uri="${uri}"]`)
  }

  async addContact(uri: string, name?: string): Promise<void> {
    // The add form folds away once there are contacts (which may arrive just now); once the
    // focus is in it, it stays open.
    const field = this.page.locator('#add-uri')
    await expect(async () => {
      if (!(await field.isVisible())) await this.page.locator('details.add summary').click()
      await field.focus({ timeout: 1000 })
      await expect(field).toBeFocused({ timeout: 1000 })
    }).toPass({ timeout: 10_000 })
    await field.fill(uri)
    if (name) await this.page.locator('#add-name').fill(name)
    await this.page.getByTestId('add-contact').click()
  }

  /** Removes a contact (specs share one core: leave the roster as it was). */
  async removeContact(uri: string): Promise<void> {
    const row = this.contact(uri)
    if ((await row.count()) === 0) return
    await row.locator('.remove').click()
    await expect(row).toHaveCount(0)
  }

  async setStatus(label: string): Promise<void> {
    await this.statusMenu.click()
    await this.page.getByRole('menuitemradio', { name: label }).click()
  }
}
