import { readFileSync } from 'node:fs'
import type { Download, Locator, Page } from '@playwright/test'

/** The helpdesk's Federation tool. */
export class FederationPage {
  readonly domain: Locator
  readonly certificate: Locator
  readonly passphrase: Locator
  readonly server: Locator
  readonly revocation: Locator
  readonly submit: Locator
  readonly result: Locator
  readonly verdict: Locator
  readonly headline: Locator
  readonly headlineSummary: Locator
  readonly findings: Locator

  constructor(readonly page: Page) {
    this.domain = page.getByTestId('federation-domain')
    this.certificate = page.getByTestId('federation-cert')
    this.passphrase = page.getByTestId('federation-passphrase')
    this.server = page.getByTestId('federation-server')
    this.revocation = page.getByTestId('federation-revocation')
    this.submit = page.getByTestId('federation-submit')
    this.result = page.getByTestId('federation-result')
    this.verdict = page.getByTestId('federation-verdict')
    this.headline = page.getByTestId('federation-headline')
    this.headlineSummary = page.getByTestId('federation-headline-summary')
    this.findings = page.getByTestId('federation-finding')
  }

  /**
   * Runs a check the way a keyboard user does: types into each field, picks the file (the one
   * step a file chooser needs), and submits with Enter from the domain field.
   */
  async check(o: { domain: string; certificate: string; passphrase: string }): Promise<void> {
    await this.certificate.setInputFiles(o.certificate)
    await this.type(this.passphrase, o.passphrase)
    await this.type(this.domain, o.domain)
    await this.page.keyboard.press('Enter')
  }

  private async type(field: Locator, text: string): Promise<void> {
    await field.focus()
    await this.page.keyboard.press('ControlOrMeta+a')
    await this.page.keyboard.type(text)
  }

  /** Clicks an export button and returns the saved file's name and text. */
  async export(which: 'text' | 'json'): Promise<{ name: string; text: string }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByTestId(`federation-save-${which}`).click()
    ])
    return { name: download.suggestedFilename(), text: await read(download) }
  }
}

async function read(download: Download): Promise<string> {
  const path = await download.path()
  return readFileSync(path, 'utf8')
}
