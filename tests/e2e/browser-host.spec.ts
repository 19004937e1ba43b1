import { readFileSync } from 'node:fs'
import { expect, test } from './fixtures/web-host'
import { AboutPage } from './pages/about-page'

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }

test.describe('browser host', () => {
  test('shows live data from the core in the real renderer', async ({ page, host }) => {
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(host.url)
    const about = new AboutPage(page)
    await expect(about.version).toHaveText(pkg.version)
    await expect(about.host).toContainText('Browser host')
    await expect(about.tls).toContainText(/OpenSSL|BoringSSL/)
    expect(errors).toEqual([])
    await page.screenshot({ path: 'test-results/screens/about.png', fullPage: true })
  })

  test('a wrong token gets a clear error in the window', async ({ page, host }) => {
    await page.goto(`${host.origin}/#token=wrong`)
    const about = new AboutPage(page)
    await expect(about.error).toContainText('token is wrong')
    await expect(about.version).toHaveCount(0)
  })

  test('the page keeps its strict CSP: no network but its own socket', async ({ page, host }) => {
    await page.goto(host.url)
    const csp = await page
      .locator('meta[http-equiv="Content-Security-Policy"]')
      .getAttribute('content')
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain(`connect-src ws://127.0.0.1:${new URL(host.origin).port}`)
    const blocked = await page.evaluate(async () => {
      try {
        await fetch('http://127.0.0.1:9/')
        return false
      } catch {
        return true
      }
    })
    expect(blocked).toBe(true)
  })
})
