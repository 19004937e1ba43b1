import { existsSync, readFileSync } from 'node:fs'
import type { Page } from '@playwright/test'
import { RawSipClient } from '../lab/raw-sip'
import { expectNoSeriousViolations } from './fixtures/axe'
import { expect, test, type LabHost } from './fixtures/lab-host'
import { startHost, type RunningHost } from './fixtures/web-host'
import { AppShell } from './pages/app-shell'
import { ChatPage } from './pages/chat-page'
import { SettingsPage } from './pages/settings-page'
import { SignInPage } from './pages/sign-in-page'

// Two people on one computer (one browser host, one data folder) against the real lab: each
// account sees only its own contacts and conversations, the header says who is signed in, and a
// CA certificate added for an account in Settings makes a server it issued trusted for that
// account. Channels: profile:get / profile:changed, profile:list-cas / add-ca / remove-ca,
// session:sign-in / sign-out, contacts:add, im:received, trust:get-report.
test.describe.configure({ mode: 'serial' })

const loopback = '127.0.0.1'
const labBinaries = ['/usr/sbin/kamailio', '/usr/sbin/dnsmasq']
const sha256Pattern = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/

type User = 'alice' | 'carol'

/** Signs `user` in on `port` (the good one by default) from the sign-in screen. */
async function signIn(
  page: Page,
  labHost: LabHost,
  user: User,
  port?: number,
  displayName = ''
): Promise<void> {
  const { lab } = labHost
  await page.locator('#signin-name').fill(displayName)
  await new SignInPage(page).signIn(lab.users[user].uri, lab.users[user].password, {
    host: loopback,
    port: port ?? lab.ports.tls.good
  })
}

test.describe('profiles against the real SIP lab', () => {
  const missing = labBinaries.filter((b) => !existsSync(b))
  test.skip(missing.length > 0, `lab binaries missing: ${missing.join(', ')}`)

  // A host of its own on the worker's lab: the shared host's data folder holds what the other
  // specs' accounts did, and this spec counts contacts and conversations from an empty folder.
  let own: RunningHost & { stop(): Promise<void> }
  test.beforeAll(async ({ labHost }) => {
    own = await startHost({ args: ['--lab', labHost.lab.runDir] })
  })
  test.afterAll(async () => {
    await own?.stop()
  })

  test.afterEach(async ({ page }) => {
    const shell = new AppShell(page)
    if (await shell.signOut.isVisible()) await shell.signOut.click()
  })

  test('two accounts on one data folder see only their own contacts and history', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    const { alice, carol } = lab.users
    const dave = new RawSipClient({
      port: lab.ports.tls.good,
      ca: readFileSync(lab.pki.rootCa),
      username: 'dave',
      password: lab.users.dave.password,
      domain: lab.domain
    })
    const shell = new AppShell(page)
    const chat = new ChatPage(page)
    const others = page.getByTestId('other-conversation')
    try {
      await dave.connect()
      await page.goto(own.url)

      // Alice: a contact, and a message from him she has not read.
      await signIn(page, labHost, 'alice', undefined, 'Alice Liddell')
      await expect(shell.status).toHaveText('Signed in', { timeout: 20_000 })
      await expect(shell.me.getByTestId('me-name')).toHaveText('Alice Liddell')
      await expect(shell.me.getByTestId('me-aor')).toHaveText(alice.uri)
      // The header follows the account's own presence, from whatever an earlier spec left it at
      // (the lab and the data folder are shared by the specs of one worker).
      await chat.setStatus('Busy')
      await expect(shell.me.getByTestId('me-presence')).toHaveText('Your status: Busy')
      await chat.addContact(dave.aor, 'Dave')
      await expect(chat.contact(dave.aor)).toBeVisible()
      expect((await dave.message(alice.uri, 'dave to alice: private')).status).toBeLessThan(300)
      await expect(chat.contact(dave.aor).getByTestId('unread-badge')).toContainText('1', {
        timeout: 15_000
      })
      await shell.screenshot('header-signed-in-alice')
      await shell.signOut.click()
      await expect(shell.status).toHaveText('Signed out')

      // Carol on the same data folder: nothing of Alice's, and her own chat with Dave.
      await signIn(page, labHost, 'carol')
      await expect(shell.status).toHaveText('Signed in', { timeout: 20_000 })
      await expect(shell.me.getByTestId('me-aor')).toHaveText(carol.uri)
      await expect(shell.me).not.toContainText('Alice')
      await expect(chat.contacts).toHaveCount(0)
      await expect(others).toHaveCount(0)
      expect((await dave.message(carol.uri, 'dave to carol')).status).toBeLessThan(300)
      const fromDave = page.locator(`[data-testid="other-conversation"][data-uri="${dave.aor}"]`)
      await expect(fromDave).toBeVisible({ timeout: 15_000 })
      await fromDave.locator('button.open').click()
      await expect(chat.bodies).toHaveText(['dave to carol'])
      await expectNoSeriousViolations(page, 'main/carol')
      await shell.signOut.click()
      await expect(shell.status).toHaveText('Signed out')

      // Alice again: her contact, her unread message, and nothing of Carol's.
      await signIn(page, labHost, 'alice')
      await expect(shell.status).toHaveText('Signed in', { timeout: 20_000 })
      // Her display name is her profile's: kept from her first sign-in.
      await expect(shell.me.getByTestId('me-name')).toHaveText('Alice Liddell')
      await expect(shell.me.getByTestId('me-aor')).toHaveText(alice.uri)
      await expect(chat.contacts).toHaveCount(1)
      await expect(chat.contact(dave.aor).getByTestId('unread-badge')).toContainText('1')
      await expect(others).toHaveCount(0)
      await chat.contact(dave.aor).locator('button.open').click()
      await expect(chat.bodies).toHaveText(['dave to alice: private'])
    } finally {
      dave.close()
    }
  })

  test('a CA certificate added in Settings makes an unknown-CA server trusted for that account', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    const shell = new AppShell(page)
    const form = new SignInPage(page)
    const settings = new SettingsPage(page)
    await page.goto(own.url)

    // The server's certificate comes from a CA nobody here trusts: refused, and the remedy
    // points at the setting that exists.
    await signIn(page, labHost, 'alice', lab.ports.tls.unknownCa)
    await expect(form.failure).toHaveAttribute('data-code', 'untrusted', { timeout: 20_000 })
    await form.why.click()
    const reason = page.locator('[data-testid="trust-reason"][data-code="unknown-issuer"]')
    await expect(reason.locator('.remedy')).toContainText('Settings → "Your CA certificates"')

    // Alice's profile is shown since her sign-in started: the CA goes there.
    await shell.go('settings')
    await expect(settings.exceptionsScope).toContainText('one server (host and port)')
    await expect(settings.cas).toContainText(lab.users.alice.uri)
    await settings.caFile.setInputFiles(lab.pki.rogueCa)
    await expect(settings.caEntries).toHaveCount(1)
    await expect(settings.caEntries.getByTestId('cas-subject')).toContainText('CN=')
    await expect(settings.caEntries.getByTestId('cas-sha256')).toHaveText(sha256Pattern)
    await expect(settings.caEntries.getByTestId('cas-source')).toContainText('rogue.pem')
    await expectNoSeriousViolations(page, 'settings/account-cas')
    await shell.screenshot('settings-account-cas')

    // The same server is trusted now, through the account's own anchor.
    await shell.go('home')
    await signIn(page, labHost, 'alice', lab.ports.tls.unknownCa)
    await expect(shell.status).toHaveText('Signed in', { timeout: 20_000 })
    await expect(shell.badge).toHaveAttribute('data-state', 'trusted')
    await shell.signOut.click()
    await expect(shell.status).toHaveText('Signed out')

    // Carol on the same computer does not trust what Alice added.
    await signIn(page, labHost, 'carol', lab.ports.tls.unknownCa)
    await expect(form.failure).toHaveAttribute('data-code', 'untrusted', { timeout: 20_000 })
    await shell.go('settings')
    await expect(settings.cas).toContainText(lab.users.carol.uri)
    await expect(settings.caEntries).toHaveCount(0)

    // Removed again from Alice's profile: her server is unknown again.
    await shell.go('home')
    await signIn(page, labHost, 'alice', lab.ports.tls.unknownCa)
    await expect(shell.status).toHaveText('Signed in', { timeout: 20_000 })
    await shell.go('settings')
    await settings.caEntries.getByTestId('cas-remove').click()
    await expect(settings.caEntries).toHaveCount(0)
    await shell.signOut.click()
    await shell.go('home')
    await signIn(page, labHost, 'alice', lab.ports.tls.unknownCa)
    await expect(form.failure).toHaveAttribute('data-code', 'untrusted', { timeout: 20_000 })
  })
})
