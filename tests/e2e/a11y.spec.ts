import { expectNoSeriousViolations } from './fixtures/axe'
import { expect, test } from './fixtures/web-host'
import { AppShell } from './pages/app-shell'

const screens = ['home', 'connection', 'helpdesk', 'settings', 'about'] as const

for (const scheme of ['light', 'dark'] as const) {
  test(`no serious accessibility violations on any screen (${scheme})`, async ({ page, host }) => {
    await page.emulateMedia({ colorScheme: scheme })
    await page.goto(host.url)
    const shell = new AppShell(page)
    await expect(page.getByTestId('sign-in')).toBeVisible()
    for (const view of screens) {
      await shell.go(view)
      await expectNoSeriousViolations(page, `${view}/${scheme}`)
    }
    // The sign-in screen with its options open and a failed validation.
    await shell.go('home')
    await page.locator('details summary').first().click()
    await page.getByTestId('signin-submit').click()
    await expectNoSeriousViolations(page, `sign-in-invalid/${scheme}`)
    await shell.screenshot(`sign-in-options-${scheme}`)
  })
}

test('no serious accessibility violations in Simplified Chinese', async ({ page, host }) => {
  await page.goto(host.url)
  const shell = new AppShell(page)
  await shell.go('settings')
  await page.getByTestId('language-select').selectOption('zh-CN')
  for (const view of screens) {
    await shell.go(view)
    await expectNoSeriousViolations(page, `${view}/zh-CN`)
  }
  await shell.go('settings')
  await page.getByTestId('language-select').selectOption('en')
})
