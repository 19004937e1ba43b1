import { expectNoSeriousViolations } from './fixtures/axe'
import { expect, test } from './fixtures/partner-host'
import { AppShell } from './pages/app-shell'
import { englishOnScreen } from './pages/english-words'
import { FederationPage } from './pages/federation-page'

// The helpdesk's Federation tool against the partner lab (a real Kamailio requiring client
// certificates), in both languages: renderer → browser host → core → mutual TLS → OPTIONS.
// Channel exercised: federation:check.
test.describe.configure({ mode: 'serial' })

const words = {
  en: {
    ready: 'Ready to federate',
    notReady: 'Not ready to federate',
    readySentence: "trust each other's certificates in both directions",
    noClientAuth: 'does not allow TLS client authentication',
    textHead: (d: string, ready: boolean) =>
      `Federation check: ${d} — ${ready ? 'READY TO FEDERATE' : 'NOT READY'}`
  },
  'zh-CN': {
    ready: '可以联合',
    notReady: '尚不能联合',
    readySentence: '在两个方向上都信任对方的证书',
    noClientAuth: '不允许 TLS 客户端身份验证',
    textHead: (d: string, ready: boolean) => `联合检查: ${d} — ${ready ? '可以联合' : '尚不能联合'}`
  }
} as const

for (const language of ['en', 'zh-CN'] as const) {
  test(`federation check: ready, then our certificate without clientAuth (${language})`, async ({
    page,
    partnerHost
  }) => {
    const { partner } = partnerHost
    const w = words[language]
    const domain = partner.scenarios.ready.domain
    await page.goto(partnerHost.url)
    const shell = new AppShell(page)
    await shell.go('settings')
    await page.getByTestId('language-select').selectOption(language)
    await shell.go('helpdesk')
    const fed = new FederationPage(page)

    await fed.check({
      domain,
      certificate: partner.pki.our.edge.p12,
      passphrase: partner.pki.our.edge.p12Password
    })
    await expect(fed.verdict).toHaveAttribute('data-verdict', 'ready', { timeout: 30_000 })
    await expect(fed.verdict).toContainText(w.ready)
    await expect(fed.headline).toHaveAttribute('data-code', 'federation-ready')
    await expect(fed.headlineSummary).toContainText(w.readySentence)
    await expect(fed.headlineSummary).toContainText(partner.scenarios.ready.host)
    // Focus moves to the result, so a keyboard or screen-reader user lands on it.
    await expect(page.locator('#fed-result-title')).toBeFocused()
    await expect(page.getByTestId('federation-options')).toContainText('200 OK')
    await expectNoSeriousViolations(page, `federation-ready/${language}`)
    await shell.screenshot(`federation-ready-${language}`)
    // Part of the zh-CN walk (zh-cn.spec.ts), here because only this spec has the partner lab.
    const english: string[] = []
    const walk = async (screen: string) => {
      if (language === 'en') return
      for (const f of await englishOnScreen(page)) english.push(`${screen}: ${f.word} (${f.text})`)
    }
    await walk('federation ready')

    const text = await fed.export('text')
    expect(text.name).toMatch(
      new RegExp(`^trustline-federation-${domain}-\\d{4}-\\d{2}-\\d{2}\\.txt$`)
    )
    expect(text.text.split('\n')[0]).toBe(w.textHead(domain, true))
    expect(text.text).toContain(w.readySentence)
    expect(text.text).toContain('SIP/2.0 200 OK')
    const json = JSON.parse((await fed.export('json')).text) as {
      verdict: string
      headline: { code: string }
    }
    expect([json.verdict, json.headline.code]).toEqual(['ready', 'federation-ready'])

    // The same partner, our certificate without clientAuth.
    await fed.check({
      domain,
      certificate: partner.pki.our.serverOnly.p12,
      passphrase: partner.pki.our.serverOnly.p12Password
    })
    await expect(fed.verdict).toHaveAttribute('data-verdict', 'not-ready', { timeout: 30_000 })
    await expect(fed.verdict).toContainText(w.notReady)
    await expect(fed.headline).toHaveAttribute('data-code', 'own-cert-no-client-auth')
    await expect(fed.headlineSummary).toContainText(w.noClientAuth)
    await expect(fed.findings.filter({ hasText: 'unsupported_certificate' })).toHaveCount(1)
    await expectNoSeriousViolations(page, `federation-no-client-auth/${language}`)
    await shell.screenshot(`federation-no-client-auth-${language}`)
    await walk('federation, our certificate without clientAuth')
    expect(english).toEqual([])
    const text2 = await fed.export('text')
    expect(text2.text.split('\n')[0]).toBe(w.textHead(domain, false))
    expect(text2.text).toContain(w.noClientAuth)
    const json2 = JSON.parse((await fed.export('json')).text) as {
      verdict: string
      headline: { code: string }
    }
    expect([json2.verdict, json2.headline.code]).toEqual(['not-ready', 'own-cert-no-client-auth'])

    await shell.go('settings')
    await page.getByTestId('language-select').selectOption('en')
  })
}
