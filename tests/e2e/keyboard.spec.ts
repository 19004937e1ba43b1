import { existsSync } from 'node:fs'
import type { Page } from '@playwright/test'
import type { RawSipClient } from '../lab/raw-sip'
import { expect, test, type LabHost } from './fixtures/lab-host'
import { rawPeer, signInAlice } from './fixtures/lab-users'
import { AppShell } from './pages/app-shell'
import { expectNoSeriousViolations } from './fixtures/axe'
import { ChatPage } from './pages/chat-page'

// Keyboard-only use and the chat details of issue 13, against the real lab through the browser
// host: sign in, reach a contact, open the chat, send; the status menu; Remove with Undo; links.
test.describe.configure({ mode: 'serial' })

const labBinaries = ['/usr/sbin/kamailio', '/usr/sbin/dnsmasq']

/** A registered lab user that answers MESSAGE with 200 OK (tests/lab/raw-sip). */
async function peer(lab: LabHost['lab'], user: 'carol' | 'dave'): Promise<RawSipClient> {
  const client = rawPeer(lab, user)
  await client.connect()
  expect((await client.register()).status).toBe(200)
  return client
}

/** The accessible name of the focused element (its label, else its text). */
function focusedName(page: Page): Promise<string> {
  return page.evaluate<string>(
    `(() => { const e = document.activeElement; return (e && (e.getAttribute('aria-label') || e.id || e.textContent || '')).trim() })()`
  )
}

/** Presses Tab until `done` holds; the number of presses, or fails after `max`. */
async function tabUntil(page: Page, done: () => Promise<boolean>, max = 40): Promise<number> {
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press('Tab')
    if (await done()) return presses
  }
  throw new Error(`not reached in ${max} Tab presses (at ${await focusedName(page)})`)
}

const inContact = (page: Page) =>
  page.evaluate<boolean>(`!!document.activeElement?.closest('[data-testid="contact"]')`)
const inComposer = (page: Page) =>
  page.evaluate<boolean>(`document.activeElement?.id === 'composer'`)

test.describe('from the keyboard, against the real SIP lab', () => {
  const missing = labBinaries.filter((b) => !existsSync(b))
  test.skip(missing.length > 0, `lab binaries missing: ${missing.join(', ')}`)

  test.afterEach(async ({ page }) => {
    const shell = new AppShell(page)
    if (await shell.signOut.isVisible()) await shell.signOut.click()
  })

  test('sign in, reach a contact, open the chat and send: one key from contact to composer', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    const dave = await peer(lab, 'dave')
    try {
      await page.goto(labHost.url)
      const shell = new AppShell(page)
      // Sign in with the keyboard only; the lab's DNS leads to the good port.
      await tabUntil(page, async () => (await focusedName(page)) === 'signin-aor')
      await page.keyboard.type(lab.users.alice.uri)
      await page.keyboard.press('Tab')
      await page.keyboard.type(lab.users.alice.password)
      await page.keyboard.press('Enter')
      await expect(shell.status).toHaveText('Signed in', { timeout: 20_000 })

      // Three contacts, added from the keyboard: the add form is one summary to open.
      const chat = new ChatPage(page)
      for (const [user, name] of [
        ['carol', 'Carol'],
        ['dave', 'Dave'],
        ['bob', 'Bob']
      ] as const) {
        const summary = page.locator('details.add summary')
        if ((await page.locator('details.add').getAttribute('open')) === null) {
          await summary.focus()
          await page.keyboard.press('Enter')
        }
        await page.locator('#add-uri').focus()
        await page.keyboard.type(lab.users[user].uri)
        await page.keyboard.press('Tab')
        await page.keyboard.type(name)
        await page.keyboard.press('Enter')
        await expect(chat.contact(lab.users[user].uri)).toBeVisible()
      }

      // From the top of the page to the list, then arrows and a letter inside it.
      await page.locator('#main').focus()
      await tabUntil(page, () => inContact(page))
      await page.keyboard.press('Home')
      await expect(chat.contact(lab.users.bob.uri).locator('.open')).toBeFocused()
      await page.keyboard.press('ArrowDown')
      await expect(chat.contact(lab.users.carol.uri).locator('.open')).toBeFocused()
      await page.keyboard.press('d')
      await expect(chat.contact(lab.users.dave.uri).locator('.open')).toBeFocused()

      // One key press from the contact to the message box.
      await page.keyboard.press('Enter')
      await expect(chat.composer).toBeFocused()
      await page.keyboard.type('sent from the keyboard')
      await page.keyboard.press('Enter')
      await expect(chat.messages.last()).toHaveAttribute('data-state', 'accepted', {
        timeout: 15_000
      })
      await dave.waitFor('MESSAGE', (m) => m.body.includes('sent from the keyboard'), 15_000)
      await expectNoSeriousViolations(page, 'chat opened from the keyboard')

      // And by Tab: the contact list is one stop whatever its size, Remove and the add form
      // are not stops of every contact, so the message box is at most three presses away.
      await chat.contact(lab.users.dave.uri).locator('.open').focus()
      const presses = await tabUntil(page, () => inComposer(page), 10)
      expect(presses).toBeLessThanOrEqual(3)
      await shell.screenshot('keyboard-chat')
      // Other specs expect Dave outside the contacts.
      await chat.removeContact(lab.users.dave.uri)
    } finally {
      dave.close()
    }
  })

  test('status menu: arrows move without publishing, Enter publishes, Escape closes', async ({
    page,
    labHost
  }) => {
    const published: string[] = []
    page.on('websocket', (ws) =>
      ws.on('framesent', (frame) => {
        const text = typeof frame.payload === 'string' ? frame.payload : frame.payload.toString()
        if (text.includes('"presence:set"')) published.push(text)
      })
    )
    await signInAlice(page, labHost)
    const chat = new ChatPage(page)
    await chat.statusMenu.focus()
    await page.keyboard.press('Enter')
    await expect(page.getByRole('menuitemradio', { name: 'Available' })).toBeFocused()
    for (const key of ['ArrowDown', 'ArrowDown', 'ArrowDown', 'End', 'Home', 'ArrowDown'])
      await page.keyboard.press(key)
    await expect(page.getByRole('menuitemradio', { name: 'Busy' })).toBeFocused()
    expect(published).toEqual([])
    await expect(chat.statusMenu).toContainText('Available')
    await page.keyboard.press('Escape')
    await expect(page.getByRole('menu')).toHaveCount(0)
    await expect(chat.statusMenu).toBeFocused()

    await page.keyboard.press('Enter')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Enter')
    await expect(chat.statusMenu).toContainText('Busy')
    await expect(chat.statusMenu).toBeFocused()
    expect(published).toHaveLength(1)
    expect(published[0]).toContain('"busy"')
  })

  test('Remove has Undo, reachable from the keyboard; a never-seen contact is no spinner', async ({
    page,
    labHost
  }) => {
    const { lab } = labHost
    const shell = await signInAlice(page, labHost)
    const chat = new ChatPage(page)
    const carol = chat.contact(lab.users.carol.uri)
    await chat.addContact(lab.users.carol.uri, 'Carol')
    await expect(carol).toBeVisible()

    // Carol has never published: her dot says "unknown" without a dashed, spinner-like ring.
    const dot = carol.locator('.dot')
    await expect(dot).toHaveClass(/unknown/)
    await expect(dot).toHaveCSS('border-top-style', 'solid')
    await expect(dot).toHaveCSS('animation-name', 'none')

    await carol.locator('.open').focus()
    await page.keyboard.press('Delete')
    await expect(carol).toHaveCount(0)
    const undo = page.getByRole('button', { name: 'Undo' })
    await expect(page.getByTestId('undo-remove')).toContainText('Carol was removed')
    // Undo is right after the list in the Tab order.
    await tabUntil(page, async () => (await focusedName(page)) === 'Undo', 3)
    await shell.screenshot('contact-removed-undo')
    await page.keyboard.press('Enter')
    await expect(carol).toBeVisible()
    await expect(undo).toHaveCount(0)
    await expect(carol).toContainText('Carol')
    // The core has her again: a new window (a reload) lists her.
    await page.reload()
    await expect(carol).toBeVisible({ timeout: 15_000 })
  })

  test('an https address in a message is a link that opens outside the app', async ({
    page,
    context,
    labHost
  }) => {
    const { lab } = labHost
    const dave = await peer(lab, 'dave')
    // Nothing leaves 127.0.0.1: the new tab's request is answered here.
    await context.route('https://help.example.org/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/plain', body: 'help page' })
    )
    try {
      await signInAlice(page, labHost)
      const chat = new ChatPage(page)
      await chat.addContact(lab.users.dave.uri, 'Dave')
      await chat.contact(lab.users.dave.uri).locator('.open').click()
      const body =
        'the guide is at https://help.example.org/sip?x=1. http://plain.example/ stays text'
      expect((await dave.message(lab.users.alice.uri, body)).status).toBeLessThan(300)
      const last = chat.bodies.last()
      await expect(last).toHaveText(body, { timeout: 15_000 })
      const link = last.getByRole('link')
      await expect(link).toHaveCount(1)
      await expect(link).toHaveAttribute('rel', 'noopener noreferrer')
      const opened = context.waitForEvent('page')
      await link.click()
      const tab = await opened
      await expect(tab).toHaveURL('https://help.example.org/sip?x=1')
      // noopener: the new tab cannot reach back into TrustLine.
      expect(await tab.evaluate('window.opener === null')).toBe(true)
      await tab.close()
      await chat.removeContact(lab.users.dave.uri)
    } finally {
      dave.close()
    }
  })
})
