import { existsSync, readFileSync } from 'node:fs'
import { startLabBaresip, type Baresip } from '../lab/baresip'
import { expect, test } from './fixtures/lab-host'
import { loopback, rawPeer, signInAlice } from './fixtures/lab-users'
import { AppShell } from './pages/app-shell'
import { expectNoSeriousViolations } from './fixtures/axe'
import { ChatPage } from './pages/chat-page'
import { ConnectionPage } from './pages/connection-page'
import { SignInPage } from './pages/sign-in-page'

// Real Kamailio over TLS with per-run certificates (tests/lab). These specs drive the whole
// path: renderer → browser host → core → TLS → trust engine → SIP.
//
// The browser host runs with `--lab DIR` (the lab's CA and DNS). Channels they exercise:
// session:sign-in / session:state-changed, trust:get-report / trust:report-changed,
// trust:accept-exception / trust:list-exceptions / trust:revoke-exception, contacts:add,
// presence:set / presence:changed, im:send / im:received / im:message-updated.
test.describe.configure({ mode: 'serial' })

const labBinaries = ['/usr/sbin/kamailio', '/usr/sbin/dnsmasq', '/usr/bin/baresip']

test.describe('against the real SIP lab', () => {
  // The lab needs Kamailio, dnsmasq and baresip (CI: .ci/lab-deps.sh); say so rather than fail.
  const missing = labBinaries.filter((b) => !existsSync(b))
  test.skip(missing.length > 0, `lab binaries missing: ${missing.join(', ')}`)

  test.afterEach(async ({ page }) => {
    // Leave the core signed out for the next spec (the host is shared per worker).
    const shell = new AppShell(page)
    if (await shell.signOut.isVisible()) await shell.signOut.click()
  })

  test('sign-in on the good port: trusted badge, connection facts, certificate viewer', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    const shell = await signInAlice(page, labHost)
    await expect(shell.badge).toHaveAttribute('data-state', 'trusted')
    await shell.screenshot('main-signed-in')
    await expectNoSeriousViolations(page, 'signed in')

    await shell.badge.click()
    const conn = new ConnectionPage(page)
    await expect(conn.port).toHaveText(String(lab.ports.tls.good))
    await expect(conn.tls).toHaveText(/TLSv1\.[23]/)
    await expect(conn.cipher).not.toHaveText('—')
    await expect(conn.tabs).toHaveCount(3)
    await conn.tabs.first().focus()
    await page.keyboard.press('ArrowRight')
    await expect(conn.tabs.nth(1)).toHaveAttribute('aria-selected', 'true')
    await expect(page.getByTestId('cert-subject')).toContainText('Intermediate')
    await shell.screenshot('connection-trusted')
  })

  test('sign-in over secure WebSocket (wss) is trusted the same way', async ({ page, labHost }) => {
    const shell = await signInAlice(page, labHost, {
      port: labHost.lab.ports.wss,
      transport: 'wss',
      path: '/ws'
    })
    await expect(shell.badge).toHaveAttribute('data-state', 'trusted')
    await shell.go('connection')
    await expect(page.getByTestId('connection-facts')).toContainText('WSS')
  })

  for (const [scenario, code] of [
    ['expired', 'expired'],
    ['wrongHost', 'hostname-mismatch'],
    ['unknownCa', 'unknown-issuer']
  ] as const) {
    test(`the ${scenario} port is refused and every reason is explained (${code})`, async ({
      page,
      labHost
    }) => {
      const { lab } = labHost
      await page.goto(labHost.url)
      const shell = new AppShell(page)
      const signIn = new SignInPage(page)
      await signIn.signIn(lab.users.alice.uri, lab.users.alice.password, {
        host: loopback,
        port: lab.ports.tls[scenario]
      })
      await expect(signIn.failure).toHaveAttribute('data-code', 'untrusted', { timeout: 20_000 })
      await expect(shell.badge).toHaveAttribute('data-state', 'untrusted')
      await signIn.why.click()
      const conn = new ConnectionPage(page)
      const reason = page.locator(`[data-testid="trust-reason"][data-code="${code}"]`)
      await expect(reason).toBeVisible()
      // …and back: what was typed is still there, the password is not.
      await shell.go('home')
      await expect(signIn.aor).toHaveValue(lab.users.alice.uri)
      await expect(page.locator('#signin-server')).toHaveValue(loopback)
      await expect(page.locator('#signin-port')).toHaveValue(String(lab.ports.tls[scenario]))
      await expect(page.locator('#signin-server')).toBeVisible()
      await expect(signIn.password).toHaveValue('')
      await signIn.why.click()
      await expect(reason).toBeVisible()
      await expect(reason.locator('.summary')).not.toBeEmpty()
      await expect(reason.locator('.remedy')).not.toBeEmpty()
      await reason.locator('summary').click()
      await expect(reason.locator('.detail')).toBeVisible()
      await expect(conn.exceptionSha256).toHaveText(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
      await shell.screenshot(`connection-untrusted-${scenario}`)
      // The richest screen gets its own accessibility scan, in both themes.
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme })
        await expectNoSeriousViolations(page, `untrusted ${scenario}, ${scheme}`)
      }
      if (scenario === 'unknownCa') {
        await shell.screenshot('connection-untrusted-dark')
        await page.emulateMedia({ colorScheme: 'light' })
        await shell.go('settings')
        await page.getByTestId('language-select').selectOption('zh-CN')
        await shell.go('connection')
        // The same facts in Chinese: the sentence names the issuer the English one names.
        await expect(reason.locator('.summary')).toContainText('此电脑不信任的根证书')
        await expect(reason.locator('.summary')).toContainText('Unknown Rogue CA')
        await shell.screenshot('connection-untrusted-zh-CN')
        await shell.go('settings')
        await page.getByTestId('language-select').selectOption('en')
      }
    })
  }

  test('a verdict never outlives its attempt: trusted, sign out, a failing attempt', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    const shell = await signInAlice(page, labHost)
    await expect(shell.badge).toHaveAttribute('data-state', 'trusted')
    await shell.signOut.click()
    await expect(shell.badge).toHaveAttribute('data-state', 'not-connected')
    // A server that needs a client certificate: the attempt ends before any verdict.
    const signIn = new SignInPage(page)
    await signIn.signIn(lab.users.alice.uri, lab.users.alice.password, {
      host: loopback,
      port: lab.ports.tls.mtls
    })
    await expect(signIn.failure).toHaveAttribute('data-code', 'client-certificate', {
      timeout: 20_000
    })
    await expect(page.getByTestId('signin-headline')).toHaveAttribute(
      'data-code',
      'client-cert-required'
    )
    await expect(shell.badge).toHaveAttribute('data-state', 'no-verdict')
    await expect(page.locator('body')).not.toContainText('Trusted')
    await signIn.why.click()
    const conn = new ConnectionPage(page)
    await expect(conn.port).toHaveText(String(lab.ports.tls.mtls))
    await expect(page.getByTestId('verdict-headline')).toContainText(
      'requires a client certificate'
    )
    // The server's own certificate is still judged and shown next to the client-certificate failure.
    await expect(page.getByTestId('conn-server-certificate')).toHaveAttribute(
      'data-state',
      'trusted'
    )
    await expect(page.locator('body')).not.toContainText('Trusted')
    await expect(page.locator('body')).not.toContainText('proved its identity')
  })

  test('helpdesk "test this server": reasons, chain and viewer without signing in', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    await page.goto(labHost.url)
    const shell = new AppShell(page)
    await shell.go('helpdesk')
    await page.locator('#check-host').fill(loopback)
    await page.locator('#check-port').fill(String(lab.ports.tls.unknownCa))
    await page.locator('#check-domain').fill(lab.domain)
    await page.getByTestId('check-server').click()
    const result = page.getByTestId('check-result')
    await expect(result).toBeVisible({ timeout: 20_000 })
    await expect(result.locator('[data-code="unknown-issuer"]')).toBeVisible()
    await expect(result.getByRole('tab').first()).toHaveAttribute('aria-selected', 'true')
    await shell.screenshot('helpdesk-server-check')
  })

  test('test a server by address, with its certificate name and a client certificate', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    await page.goto(labHost.url)
    const shell = new AppShell(page)
    await shell.go('helpdesk')
    await page.locator('#check-host').fill(loopback)
    await page.locator('#check-port').fill(String(lab.ports.tls.mtls))
    // Dialled by IP, judged by the name its certificate carries: no wrong-host finding.
    await page.locator('#check-servername').fill(lab.domain)
    await page.getByTestId('check-server').click()
    const result = page.getByTestId('check-result')
    await expect(page.getByTestId('check-verdict')).toContainText('No verdict', { timeout: 20_000 })
    await expect(result.getByTestId('conn-server-certificate')).toHaveAttribute(
      'data-state',
      'trusted'
    )
    await expect(result.locator('[data-code="client-cert-required"]')).toContainText(
      'requires a client certificate'
    )
    await expect(result.locator('[data-code="hostname-mismatch"]')).toHaveCount(0)
    await expect(result.getByTestId('cert-viewer')).toBeVisible()
    await page.getByTestId('check-cert').setInputFiles(lab.pki.client.alice.p12)
    await page.locator('#check-passphrase').fill(lab.pki.client.alice.p12Password)
    await page.getByTestId('check-server').click()
    await expect(page.getByTestId('check-verdict')).toContainText('Trusted', { timeout: 20_000 })
    const saved = page.waitForEvent('download')
    await page.getByTestId('check-save-text').click()
    const text = readFileSync(await (await saved).path(), 'utf8')
    expect(text).toContain('TrustLine server test report')
    expect(text).toContain(`${lab.domain}:${lab.ports.tls.mtls}`)
    expect(text).not.toContain(lab.pki.client.alice.p12Password)
    await shell.screenshot('helpdesk-server-check-mtls')
  })

  test('a missing intermediate is fetched and marked in the built chain', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    await page.goto(labHost.url)
    await new SignInPage(page).signIn(lab.users.alice.uri, lab.users.alice.password, {
      host: loopback,
      port: lab.ports.tls.missingIntermediate
    })
    const shell = new AppShell(page)
    await expect(shell.badge).not.toHaveAttribute('data-state', 'not-connected', {
      timeout: 20_000
    })
    await shell.go('connection')
    await expect(page.getByTestId('chain-built')).toContainText('downloaded from')
  })

  test('exception: accept the exact fingerprint, list it, sign in by it, revoke it', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    const server = { host: loopback, port: lab.ports.tls.selfSigned }
    await page.goto(labHost.url)
    const shell = new AppShell(page)
    const signIn = new SignInPage(page)
    await signIn.signIn(lab.users.alice.uri, lab.users.alice.password, server)
    await expect(signIn.failure).toHaveAttribute('data-code', 'untrusted', { timeout: 20_000 })
    await signIn.why.click()
    const conn = new ConnectionPage(page)
    const fingerprint = await conn.exceptionSha256.textContent()
    await expect(conn.exceptionAccept).toBeDisabled()
    await conn.exceptionConfirm.check()
    await conn.exceptionAccept.click()
    await expect(conn.exceptionAccepted).toBeVisible()
    await shell.screenshot('exception-accepted')

    await shell.go('settings')
    const entry = page.getByTestId('exception-entry')
    await expect(entry).toContainText(`${loopback}:${server.port}`)
    await expect(entry).toContainText(fingerprint ?? 'missing')

    await shell.go('home')
    await signIn.signIn(lab.users.alice.uri, lab.users.alice.password, server)
    await expect(shell.badge).toHaveAttribute('data-state', 'trusted-by-exception', {
      timeout: 20_000
    })
    await shell.badge.click()
    await expect(page.getByTestId('conn-exception')).toContainText(fingerprint ?? 'missing')
    await shell.screenshot('connection-trusted-by-exception')
    await shell.signOut.click()

    await shell.go('settings')
    await page.getByTestId('revoke-exception').click()
    await expect(page.getByTestId('exception-entry')).toHaveCount(0)
  })

  test('chat both ways with baresip; a hostile body stays text; typing and unread', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    let bob: Baresip | undefined
    const dialogs: string[] = []
    page.on('dialog', (d) => {
      dialogs.push(d.message())
      void d.dismiss()
    })
    try {
      bob = await startLabBaresip(lab, 'bob', { contacts: [lab.users.alice.uri] })
      await bob.waitRegistered()
      const shell = await signInAlice(page, labHost)
      const chat = new ChatPage(page)
      await chat.addContact(lab.users.bob.uri, 'Bob')
      const contact = chat.contact(lab.users.bob.uri)
      await expect(contact).toBeVisible()

      // A message to a closed conversation counts as unread, and opening it clears the count.
      await bob.sendMessage(lab.users.alice.uri, 'are you there?')
      await expect(contact.getByTestId('unread-badge')).toContainText('1', { timeout: 15_000 })
      await contact.locator('button.open').click()
      await expect(contact.getByTestId('unread-badge')).toHaveCount(0)
      await expect(chat.bodies.last()).toHaveText('are you there?')

      await chat.composer.fill('hello bob')
      await chat.send.click()
      await expect(chat.messages.last()).toHaveAttribute('data-state', 'accepted', {
        timeout: 15_000
      })
      await bob.waitMessage((m) => m.text.includes('hello bob'))

      const hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>'
      await bob.sendMessage(lab.users.alice.uri, hostile)
      await expect(chat.bodies.last()).toHaveText(hostile, { timeout: 15_000 })
      await expect(page.locator('[data-testid="chat-log"] img')).toHaveCount(0)
      await expect(page.locator('[data-testid="chat-log"] script')).toHaveCount(0)
      expect(dialogs).toEqual([])
      await shell.screenshot('chat')
      await expectNoSeriousViolations(page, 'chat')
    } finally {
      await bob?.stop()
    }
  })

  test('presence both ways: a publishing peer shows up, our status reaches watchers', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    // A minimal SIP client for carol: baresip 1.0 publishes <basic>unknown</basic> only, so a
    // peer that really PUBLISHes open/closed with a note is this lab helper (tests/lab/raw-sip).
    const carol = rawPeer(lab, 'carol')
    try {
      await carol.connect()
      expect((await carol.register()).status).toBe(200)
      const shell = await signInAlice(page, labHost)
      const chat = new ChatPage(page)
      await chat.addContact(lab.users.carol.uri, 'Carol')
      const contact = chat.contact(lab.users.carol.uri)
      await expect(contact).toBeVisible()
      // Before carol publishes anything she is not shown as available.
      await expect(contact.getByTestId('contact-state')).not.toHaveText('Available')

      expect((await carol.publish('open', 'in the lab')).status).toBe(200)
      await expect(contact.getByTestId('contact-state')).toHaveText('Available', {
        timeout: 15_000
      })
      await expect(contact).toContainText('in the lab')

      expect((await carol.subscribe(lab.users.alice.uri)).status).toBeLessThan(300)
      await chat.setStatus('Busy')
      await expect(chat.statusMenu).toContainText('Busy')
      await expect(page.getByTestId('presence-error')).toHaveCount(0)
      await carol.waitFor('NOTIFY', (m) => /busy/i.test(m.body), 15_000)
      await shell.screenshot('presence')
    } finally {
      carol.close()
    }
  })
  // The lab's registrar answers 403 for unknown users too (no user enumeration), so only the
  // wrong password is checked here; unknown-user (404) wording is covered by SignIn.test.ts.
  test('a wrong password is said in plain words, and the server stays trusted', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    await page.goto(labHost.url)
    const signIn = new SignInPage(page)
    await signIn.signIn(lab.users.alice.uri, 'not-the-password', {
      host: loopback,
      port: lab.ports.tls.good
    })
    await expect(signIn.failure).toHaveAttribute('data-code', 'wrong-password', {
      timeout: 20_000
    })
    await expect(signIn.failure).toContainText('The password is not correct')
    await expect(new AppShell(page).badge).toHaveAttribute('data-state', 'trusted')
    await new AppShell(page).screenshot('sign-in-wrong-password')
  })

  test('the DNS-hijack question: asked, answered, remembered and forgotten', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    await page.goto(labHost.url)
    const shell = new AppShell(page)
    const signIn = new SignInPage(page)
    // No server override: the lab's DNS sends hijack.trustline.test to lab.trustline.test,
    // whose certificate does not name the hijack domain.
    const aor = `sip:alice@${lab.hijackDomain}`
    await signIn.signIn(aor, lab.users.alice.password)
    const question = page.getByTestId('domain-question')
    await expect(question).toBeVisible({ timeout: 20_000 })
    await expect(question).toContainText(lab.hijackDomain)
    await shell.screenshot('dns-hijack-question')
    await expect(signIn.failure).toBeVisible()
    await question.getByRole('button', { name: /^Trust this server/ }).click()
    // The attempt that asked goes on: no password typed again, no stale "did not sign in".
    await expect(shell.badge).toHaveAttribute('data-state', 'trusted', { timeout: 20_000 })
    await expect(signIn.failure).toHaveCount(0)

    // The answer is the account's (kept in its profile): listed while its data is shown.
    await shell.go('settings')
    const list = page.getByTestId('decision-list')
    await expect(list).toContainText(`is trusted for ${lab.hijackDomain}`)
    await list.getByRole('button', { name: /^Forget the answer/ }).click()
    await expect(page.getByTestId('decision-list')).toHaveCount(0)
  })

  test('helpdesk: PEM download, SIP ladder and a saved report without the password', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    const shell = await signInAlice(page, labHost)
    // A personal note goes out in our PUBLISH: it must not reach the report.
    const note = 'dentist until 3, call 0612345678'
    const chat = new ChatPage(page)
    await chat.statusMenu.click()
    await page.locator('#status-note').fill(note)
    await page.locator('#status-note').press('Enter')
    await expect(page.locator('.status-menu .note')).toHaveText(note)
    await shell.go('connection')
    const pem = page.waitForEvent('download')
    await page.getByTestId('download-chain').click()
    const chain = readFileSync(await (await pem).path(), 'utf8')
    expect(chain.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(3)

    await shell.go('helpdesk')
    // The ladder shows the registration, with the digest answer removed.
    const ladder = page.getByTestId('sip-ladder')
    // The whole log is fetched when the panel opens: hundreds of entries after the other specs.
    await expect(ladder.getByText(/^REGISTER sip:/).first()).toBeVisible({ timeout: 15_000 })
    await expect(ladder.getByText('SIP/2.0 200 OK').first()).toBeVisible()
    await expect(ladder).not.toContainText(lab.users.alice.password)
    await page.getByLabel('Filter').fill('REGISTER')
    await ladder
      .getByText(/^REGISTER sip:/)
      .first()
      .click()
    await expectNoSeriousViolations(page, 'helpdesk with the SIP log open')
    await shell.screenshot('helpdesk-sip-log')
    const saved = page.waitForEvent('download')
    await page.getByTestId('save-report-json').click()
    const report = readFileSync(await (await saved).path(), 'utf8')
    expect(() => JSON.parse(report) as unknown).not.toThrow()
    expect(report).toContain(String(lab.ports.tls.good))
    expect(report).not.toContain(lab.users.alice.password)
    // The PUBLISH and the server's challenges are there, their note and nonces are not.
    expect(report).toContain('PUBLISH sip:')
    expect(report).toContain('WWW-Authenticate')
    expect(report).not.toContain(note)
    expect(report).not.toMatch(/nonce=\\?"(?!\[redacted\])/)
    expect(report).not.toMatch(/nonce=(?!\\?")/)
  })

  test('a message from someone not in the contacts is shown apart, counted, found again on reload', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    const dave = rawPeer(lab, 'dave')
    try {
      await dave.connect()
      await signInAlice(page, labHost)
      expect((await dave.message(lab.users.alice.uri, 'hi, it is Dave')).status).toBeLessThan(300)
      const other = page.locator(`[data-testid="other-conversation"][data-uri="${dave.aor}"]`)
      await expect(other.getByTestId('unread-badge')).toContainText('1', { timeout: 15_000 })
      await expect(page).toHaveTitle(/^\(\d+\) TrustLine$/)
      await other.locator('button.open').click()
      await expect(new ChatPage(page).bodies.last()).toHaveText('hi, it is Dave')
      await expect(other.getByTestId('unread-badge')).toHaveCount(0)
      // A new window (here: a reload) finds the chat again from the core's history.
      await page.reload()
      await expect(other).toBeVisible({ timeout: 15_000 })
      await other.locator('button.open').click()
      await expect(new ChatPage(page).bodies.last()).toHaveText('hi, it is Dave')
    } finally {
      dave.close()
    }
  })

  test('a message to someone who is not signed in fails saying they are offline', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    const shell = await signInAlice(page, labHost)
    const chat = new ChatPage(page)
    // Carol is a known user with no registration: the lab answers 480 Temporarily Unavailable.
    await chat.addContact(lab.users.carol.uri, 'Carol')
    await chat.contact(lab.users.carol.uri).locator('button.open').click()
    await chat.composer.fill('ping')
    await chat.composer.press('Enter')
    const last = chat.messages.last()
    await expect(last).toHaveAttribute('data-state', 'failed', { timeout: 15_000 })
    await expect(last.getByTestId('message-state')).toHaveText('Not delivered: Carol is offline.')
    await expect(last.getByTestId('message-failure-detail')).toContainText('480')
    await shell.screenshot('chat-failed')
    await last.getByTestId('resend').click()
    await expect(chat.messages).toHaveCount(2)
  })
})
