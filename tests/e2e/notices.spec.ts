import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { expect, test } from '@playwright/test'
import { startHost } from './fixtures/web-host'
import { AppShell } from './pages/app-shell'

// A damaged local file is told to the user in the real renderer: what happened, where the file
// was kept, a dismiss button; and the rest of the app works.
test('a damaged contacts.json is a notice naming the backup, dismissable, in both languages', async ({
  page
}) => {
  // The remembered account's profile is shown at start: its damaged contact list is found then.
  const dataDir = mkdtempSync(join(tmpdir(), 'tl-e2e-damaged-'))
  const profile = join(dataDir, 'profiles', 'alice@example.org')
  mkdirSync(profile, { recursive: true, mode: 0o700 })
  writeFileSync(
    join(dataDir, 'profiles.json'),
    JSON.stringify({ version: 1, remembered: 'sip:alice@example.org' })
  )
  writeFileSync(join(profile, 'contacts.json'), '{"version":1,"contacts":[')
  const host = await startHost({ env: { TRUSTLINE_DATA_DIR: dataDir } })
  try {
    await page.goto(host.url)
    const notice = page.getByTestId('notice')
    await expect(notice).toContainText('Your contact list was damaged')
    const backup = readdirSync(profile).find((n) => n.startsWith('contacts.json.damaged-'))
    expect(backup).toBeDefined()
    await expect(notice).toContainText(backup!)
    await expect(page.getByTestId('sign-in')).toBeVisible()
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze()
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual(
      []
    )
    await new AppShell(page).screenshot('notice-damaged-contacts')

    await page.evaluate(() => localStorage.setItem('trustline.language', 'zh-CN'))
    await page.reload()
    await expect(notice).toContainText('您的联系人列表已损坏')

    await page.getByTestId('notice-dismiss').press('Enter')
    await expect(notice).toHaveCount(0)
    await page.reload()
    await expect(page.getByTestId('sign-in')).toBeVisible()
    await expect(notice).toHaveCount(0)
  } finally {
    await host.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
