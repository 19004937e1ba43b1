import { existsSync } from 'node:fs'
import type { Page } from '@playwright/test'
import { expect, test } from './fixtures/lab-host'
import { loopback, rawPeer } from './fixtures/lab-users'
import { AppShell } from './pages/app-shell'
import { ChatPage } from './pages/chat-page'
import { englishOnScreen, type EnglishWord } from './pages/english-words'
import { SignInPage } from './pages/sign-in-page'

// Every screen in Simplified Chinese, with real data from the lab: no English word may reach
// it except product and protocol names and verbatim certificate data (pages/english-words.ts).
// Trust reasons are included: their sentences come from the shared catalog (shared/reasons).
test.describe.configure({ mode: 'serial' })

const labBinaries = ['/usr/sbin/kamailio', '/usr/sbin/dnsmasq']

/** Collects the English found on each screen, so one run lists all of it. */
class Walk {
  readonly found: (EnglishWord & { screen: string })[] = []
  constructor(private readonly page: Page) {}

  async check(screen: string): Promise<void> {
    for (const word of await englishOnScreen(this.page)) this.found.push({ screen, ...word })
  }

  /** "screen: word (in 'text', where)" per finding, for a readable failure. */
  report(): string[] {
    return this.found.map((f) => `${f.screen}: ${f.word} (in "${f.text}", ${f.where})`)
  }
}

async function chinese(page: Page, shell: AppShell): Promise<void> {
  await shell.go('settings')
  await page.getByTestId('language-select').selectOption('zh-CN')
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN')
}

test.describe('Simplified Chinese, every screen', () => {
  const missing = labBinaries.filter((b) => !existsSync(b))
  test.skip(missing.length > 0, `lab binaries missing: ${missing.join(', ')}`)

  test.afterEach(async ({ page }) => {
    const shell = new AppShell(page)
    if (await shell.signOut.isVisible()) await shell.signOut.click()
  })

  test('signed out: sign-in, untrusted and mTLS servers, certificates, Test a server, DNS', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    const walk = new Walk(page)
    await page.goto(labHost.url)
    const shell = new AppShell(page)
    await chinese(page, shell)
    // The check can fail: an English sentence put on the Chinese screen is found, word by word.
    await page.evaluate(
      `document.querySelector('main').insertAdjacentHTML('beforeend', '<p id="probe">Password not kept</p>')`
    )
    expect((await englishOnScreen(page)).map((w) => w.word)).toEqual(['Password', 'kept'])
    await page.evaluate(`document.getElementById('probe').remove()`)
    await walk.check('settings')
    for (const view of ['about', 'connection', 'helpdesk'] as const) {
      await shell.go(view)
      await walk.check(view)
    }
    await shell.go('home')
    await walk.check('sign-in')
    await page.locator('details summary').first().click()
    await page.getByTestId('signin-submit').click()
    await walk.check('sign-in, options open, not valid')

    // A server signed by a CA nobody trusts: the alert, then the real report behind it.
    const signIn = new SignInPage(page)
    await signIn.signIn(lab.users.alice.uri, lab.users.alice.password, {
      host: loopback,
      port: lab.ports.tls.unknownCa
    })
    await expect(signIn.failure).toHaveAttribute('data-code', 'untrusted', { timeout: 20_000 })
    await walk.check('sign-in, untrusted')
    await signIn.why.click()
    await expect(page.getByTestId('connection-panel')).toBeVisible()
    await walk.check('connection, untrusted')
    const tabs = page.getByTestId('cert-viewer').getByRole('tab')
    for (let i = 0; i < (await tabs.count()); i++) {
      await tabs.nth(i).click()
      await walk.check(`certificate ${i}`)
    }
    await shell.screenshot('connection-untrusted-zh-CN')

    // A server that wants a client certificate: its own certificate is judged next to that.
    await shell.go('home')
    await signIn.signIn(lab.users.alice.uri, lab.users.alice.password, {
      host: loopback,
      port: lab.ports.tls.mtls
    })
    await expect(signIn.failure).toHaveAttribute('data-code', 'client-certificate', {
      timeout: 20_000
    })
    await walk.check('sign-in, client certificate required')
    await signIn.why.click()
    await expect(page.getByTestId('conn-server-certificate')).toBeVisible()
    await walk.check('connection, client certificate required')

    // Test a server: by address with its certificate name, without and with a client certificate.
    await shell.go('helpdesk')
    await page.locator('#check-host').fill(loopback)
    await page.locator('#check-port').fill(String(lab.ports.tls.mtls))
    await page.locator('#check-servername').fill(lab.domain)
    await page.getByTestId('check-server').click()
    const checked = page.getByTestId('check-result')
    await expect(checked.locator('[data-code="client-cert-required"]')).toBeVisible({
      timeout: 20_000
    })
    await walk.check('helpdesk, server check, client certificate required')
    await page.getByTestId('check-cert').setInputFiles(lab.pki.client.alice.p12)
    await page.locator('#check-passphrase').fill('not the passphrase')
    await page.getByTestId('check-server').click()
    await expect(checked.locator('[data-code="client-cert-bad-passphrase"]')).toBeVisible({
      timeout: 20_000
    })
    await walk.check('helpdesk, server check, wrong passphrase')
    await page.locator('#check-passphrase').fill(lab.pki.client.alice.p12Password)
    await page.getByTestId('check-server').click()
    await expect(page.getByTestId('check-verdict')).toHaveClass(/\btrusted\b/, { timeout: 20_000 })
    await walk.check('helpdesk, server check with a client certificate')

    // The trusted chain, every certificate of it, with its decoded extensions.
    await shell.go('home')
    await signIn.signIn(lab.users.alice.uri, lab.users.alice.password, {
      host: loopback,
      port: lab.ports.tls.good
    })
    await expect(shell.badge).toHaveAttribute('data-state', 'trusted', { timeout: 20_000 })
    await shell.go('connection')
    await walk.check('connection, trusted')
    for (let i = 0; i < (await tabs.count()); i++) {
      await tabs.nth(i).click()
      await walk.check(`trusted certificate ${i}`)
    }
    await shell.screenshot('certificate-viewer-zh-CN')
    await shell.signOut.click()

    // DNS sends the hijack domain elsewhere: the question, then trusting it goes on signing in.
    await shell.go('home')
    await signIn.signIn(`sip:alice@${lab.hijackDomain}`, lab.users.alice.password)
    await expect(page.getByTestId('domain-question')).toBeVisible({ timeout: 20_000 })
    await walk.check('DNS question')
    await shell.go('connection')
    await walk.check('connection, DNS question')
    await page
      .getByTestId('domain-question')
      .getByRole('button', { name: /^信任此服务器/ })
      .click()
    await expect(shell.badge).toHaveAttribute('data-state', 'trusted', { timeout: 20_000 })
    await shell.go('settings')
    await expect(page.getByTestId('decision-list')).toBeVisible()
    await walk.check('settings, with a decision')
    await page.getByTestId('decision-list').getByRole('button').first().click()
    await expect(page.getByTestId('decision-list')).toHaveCount(0)

    expect(walk.report()).toEqual([])
  })

  test('signed in: contacts, presence, chat, helpdesk with the SIP log, settings, about', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    const carol = rawPeer(lab, 'carol')
    const dave = rawPeer(lab, 'dave')
    const walk = new Walk(page)
    try {
      await carol.connect()
      await dave.connect()
      expect((await carol.register()).status).toBe(200)
      expect((await dave.register()).status).toBe(200)
      await page.goto(labHost.url)
      const shell = new AppShell(page)
      await chinese(page, shell)
      await shell.go('home')
      await new SignInPage(page).signIn(lab.users.alice.uri, lab.users.alice.password, {
        host: loopback,
        port: lab.ports.tls.good
      })
      await expect(shell.signOut).toBeVisible({ timeout: 20_000 })
      const chat = new ChatPage(page)
      await walk.check('contacts')
      await chat.addContact(lab.users.carol.uri, 'Carol')
      await chat.addContact(lab.users.dave.uri, 'Dave')
      expect((await carol.publish('open', '在实验室')).status).toBe(200)
      await expect(chat.contact(lab.users.carol.uri)).toContainText('在实验室', { timeout: 15_000 })
      await walk.check('contacts with presence')
      await chat.statusMenu.click()
      await walk.check('status menu')
      await page.keyboard.press('Escape')

      // A conversation both ways, and one with someone not in the contacts.
      await chat.contact(lab.users.dave.uri).locator('.open').click()
      await chat.composer.fill('你好')
      await chat.composer.press('Enter')
      await expect(chat.messages.last()).toHaveAttribute('data-state', 'accepted', {
        timeout: 15_000
      })
      expect((await dave.message(lab.users.alice.uri, '收到')).status).toBeLessThan(300)
      await expect(chat.bodies.last()).toHaveText('收到', { timeout: 15_000 })
      await walk.check('chat')
      await shell.screenshot('chat-zh-CN')

      // The helpdesk with a real SIP log (one entry opened) and a server check.
      await shell.go('helpdesk')
      const ladder = page.getByTestId('sip-ladder')
      await expect(ladder.getByTestId('sip-entry').first()).toBeVisible()
      await ladder
        .locator('summary', { hasText: /MESSAGE sip:/ })
        .first()
        .click()
      await walk.check('helpdesk, SIP log')
      await page.locator('#check-host').fill(loopback)
      await page.locator('#check-port').fill(String(lab.ports.tls.wrongHost))
      await page.locator('#check-domain').fill(lab.domain)
      await page.getByTestId('check-server').click()
      await expect(page.getByTestId('check-result')).toBeVisible({ timeout: 20_000 })
      await walk.check('helpdesk, server check')
      await shell.screenshot('helpdesk-zh-CN')

      for (const view of ['connection', 'settings', 'about'] as const) {
        await shell.go(view)
        await walk.check(`${view}, signed in`)
      }
      await shell.go('home')
      await shell.screenshot('main-signed-in-zh-CN')
      await chat.removeContact(lab.users.dave.uri)
      expect(walk.report()).toEqual([])
    } finally {
      carol.close()
      dave.close()
    }
  })
})
