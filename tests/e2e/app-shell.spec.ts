import { expect, test } from './fixtures/web-host'
import { AppShell } from './pages/app-shell'
import { ConnectionPage } from './pages/connection-page'
import { SignInPage } from './pages/sign-in-page'

// --bg of renderer/src/app.css in each theme.
const darkBackground = 'rgb(22, 25, 29)'
const lightBackground = 'rgb(255, 255, 255)'

test.describe('app shell (browser host)', () => {
  // Any uncaught error in the page fails the test: the UI must never crash on a core answer.
  const pageErrors = new WeakMap<object, string[]>()
  test.beforeEach(({ page }) => {
    const errors: string[] = []
    pageErrors.set(page, errors)
    page.on('pageerror', (e) => errors.push(e.message))
  })
  test.afterEach(({ page }) => {
    expect(pageErrors.get(page)).toEqual([])
  })

  test('opens on sign-in with a not-connected badge that opens the connection panel', async ({
    page,
    host
  }) => {
    await page.goto(host.url)
    const shell = new AppShell(page)
    const signIn = new SignInPage(page)
    await expect(signIn.root).toBeVisible()
    await expect(shell.badge).toHaveAttribute('data-state', 'not-connected')
    await expect(shell.badge).toHaveAccessibleName(/Connection security: Not connected/)
    await shell.screenshot('sign-in')
    await shell.badge.click()
    const connection = new ConnectionPage(page)
    await expect(connection.root).toBeVisible()
    await expect(connection.verdict).toContainText('no connection yet')
    await expect(shell.nav('connection')).toHaveAttribute('aria-current', 'page')
    await shell.screenshot('connection-empty')
  })

  test('a sign-in the core cannot complete shows a translated alert, not a crash', async ({
    page,
    host
  }) => {
    await page.goto(host.url)
    const signIn = new SignInPage(page)
    // .invalid never resolves (RFC 6761): whether or not the core is wired, this cannot sign in.
    await signIn.signIn('alice@nowhere.invalid', 'wrong')
    const alert = page.locator('[data-testid="signin-failure"], [data-testid="signin-error"]')
    await expect(alert.first()).toBeVisible({ timeout: 30_000 })
    await expect(alert.first()).toHaveAttribute('role', 'alert')
    await expect(signIn.submit).toBeEnabled()
    await new AppShell(page).screenshot('sign-in-failed')
  })

  test('an unreachable server is named as such', async ({ page, host }) => {
    await page.goto(host.url)
    const signIn = new SignInPage(page)
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    await signIn.signIn('sip:alice@example.org', 'pw', { host: '127.0.0.1', port: 1 })
    await expect(signIn.failure).toHaveAttribute('data-code', 'network', { timeout: 20_000 })
    await expect(signIn.failure).toContainText('The server could not be reached')
    await expect(page.getByTestId('signin-headline')).toContainText(
      '127.0.0.1:1 refused the connection'
    )
    // No certificate was ever judged: the badge says so rather than "not connected".
    await expect(new AppShell(page).badge).toHaveAttribute('data-state', 'no-verdict')
  })

  test('checks the form before asking the core', async ({ page, host }) => {
    await page.goto(host.url)
    const signIn = new SignInPage(page)
    await signIn.submit.click()
    await expect(signIn.aor).toHaveAttribute('aria-invalid', 'true')
    await expect(signIn.aor).toBeFocused()
    await expect(page.getByText('Enter a SIP address like sip:alice@example.org.')).toBeVisible()
  })

  test('switches to Simplified Chinese and keeps it after a reload', async ({ page, host }) => {
    await page.goto(host.url)
    const shell = new AppShell(page)
    await shell.go('settings')
    await page.getByTestId('language-select').selectOption('zh-CN')
    await expect(page.getByRole('heading', { level: 2, name: '设置' })).toBeVisible()
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN')
    // The badge speaks Chinese whatever the shared host's last attempt left behind.
    const zhBadge = { 'not-connected': '未连接', 'no-verdict': '无结论' } as const
    const state = (await shell.badge.getAttribute('data-state')) as keyof typeof zhBadge
    await expect(shell.badge).toContainText(zhBadge[state])
    await shell.screenshot('settings-zh-CN')
    await page.reload()
    await expect(shell.nav('home')).toHaveText('登录')
    await shell.go('home')
    await expect(page.getByRole('heading', { level: 2, name: '登录' })).toBeVisible()
    await shell.screenshot('sign-in-zh-CN')
    await shell.go('settings')
    await page.getByTestId('language-select').selectOption('en')
    await expect(page.getByRole('heading', { level: 2, name: 'Settings' })).toBeVisible()
  })

  test('follows the system theme and lets the user pin light or dark', async ({ page, host }) => {
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.goto(host.url)
    const shell = new AppShell(page)
    const body = page.locator('body')
    await expect(body).toHaveCSS('background-color', darkBackground)
    await page.emulateMedia({ colorScheme: 'light' })
    await expect(body).toHaveCSS('background-color', lightBackground)
    await shell.go('settings')
    await page.getByTestId('theme-dark').check()
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
    await expect(body).toHaveCSS('background-color', darkBackground)
    await shell.screenshot('settings-dark')
    await page.reload()
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
    await shell.go('settings')
    await page.getByTestId('theme-system').check()
    await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./)
  })

  test('is usable from the keyboard: skip link, navigation and form', async ({ page, host }) => {
    await page.goto(host.url)
    await page.keyboard.press('Tab')
    const skip = page.getByRole('link', { name: 'Skip to main content' })
    await expect(skip).toBeFocused()
    await page.keyboard.press('Tab')
    await expect(page.getByTestId('trust-badge')).toBeFocused()
    await page.keyboard.press('Tab')
    await expect(page.getByTestId('nav-home')).toBeFocused()
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('connection-panel')).toBeVisible()
  })

  test('helpdesk and settings show translated errors where the core cannot answer', async ({
    page,
    host
  }) => {
    await page.goto(host.url)
    const shell = new AppShell(page)
    await shell.go('helpdesk')
    await expect(page.getByRole('heading', { name: 'SIP message log' })).toBeVisible()
    await page.getByTestId('copy-report').click()
    // Either the core exports a report (status line) or says why not (alert): never silence.
    await expect(
      page
        .locator(
          '[data-testid="helpdesk-error"], [data-testid="helpdesk"] [role="status"]:not(:empty)'
        )
        .first()
    ).toBeVisible()
    // "Test this server" answers with a report or a translated alert, whatever the core can do.
    await page.locator('#check-host').fill('127.0.0.1')
    await page.locator('#check-port').fill('9')
    await page.getByTestId('check-server').click()
    await expect(
      page.locator('[data-testid="check-error"], [data-testid="check-result"]').first()
    ).toBeVisible({ timeout: 20_000 })
    await shell.screenshot('helpdesk')
    await shell.go('settings')
    await expect(
      page.getByRole('heading', { name: 'Certificates you chose to trust' })
    ).toBeVisible()
  })
})
