import { describe, expect, it } from 'vitest'
import en from '../../../../renderer/src/lib/i18n/en.json'
import zh from '../../../../renderer/src/lib/i18n/zh-CN.json'
import { reasonText, type ReasonLanguage } from '../../../../shared/reasons'
import {
  trustReasonCodeSchema,
  type ReasonParams,
  type TrustReasonCode
} from '../../../../shared/types/trust'

const languages: ReasonLanguage[] = ['en', 'zh-CN']

/** Every fact any wording reads, with values that cannot appear in a sentence by accident. */
const facts: ReasonParams = {
  host: 'sip.host-4711.test',
  port: 5099,
  address: '192.0.2.77',
  sipDomain: 'corp-4711.test',
  server: 'edge-4711.test',
  names: ['DNS:alpha-4711.test', 'DNS:beta-4711.test'],
  date: '2021-03-07T10:00:00.000Z',
  at: '2021-03-12T10:00:00.000Z',
  acceptedAt: '2024-02-09T08:00:00.000Z',
  decidedAt: '2025-11-23T08:00:00.000Z',
  acceptedSha256: 'AA:11',
  presentedSha256: 'BB:22',
  issuer: 'CN=Issuer 4711',
  urls: ['http://aia-4711.test/ca.der'],
  count: 4711,
  lockedBy: '/etc/trustline/policy-4711.json',
  nodeError: 'ERR_4711',
  alert: 'ALERT_4711',
  caNames: ['CN=Client CA 4711'],
  subject: 'CN=alice-4711',
  codes: ['revoked', 'weak-key']
}

const variants: Partial<Record<TrustReasonCode, ReasonParams[]>> = {
  'node-disagrees': [{ direction: 'node-rejects' }, { direction: 'node-accepts' }],
  'sip-domain-not-named': [{ why: 'configured' }, { why: 'in-domain' }],
  'extended-key-usage': [{ purpose: 'server' }, { purpose: 'client' }],
  'client-cert-required': [{}, { caNames: [], caNamesHidden: 'yes' }],
  'connection-failed': [
    'dns',
    'no-server',
    'refused',
    'unreachable',
    'timeout',
    'closed',
    'protocol-too-old',
    'tls-failed',
    'ca-file',
    'internal'
  ].map((cause) => ({ cause }))
}

/** The facts a sentence shows: names, numbers and the day/year of dates, as plain tokens. */
function shown(text: string): string[] {
  const tokens: string[] = []
  for (const [key, value] of Object.entries(facts)) {
    // Codes are worded ("revocation", "吊销状态"), not shown verbatim.
    if (key === 'codes') continue
    const values = Array.isArray(value) ? value : [value]
    for (const v of values) {
      if (typeof v !== 'string' && typeof v !== 'number') continue
      const s = String(v)
      if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
        const d = new Date(s)
        // A date is shown when its year and day of month are (each language orders them itself).
        if (text.includes(String(d.getUTCFullYear())) && text.includes(String(d.getUTCDate())))
          tokens.push(key)
      } else if (text.includes(s)) tokens.push(`${key}=${s}`)
    }
  }
  return tokens.sort()
}

describe('reason catalog', () => {
  const cases = trustReasonCodeSchema.options.flatMap((code) =>
    (variants[code] ?? [{}]).flatMap((v) =>
      (['leaf', 'intermediate', 'root'] as const).map((role) => ({
        code,
        params: { ...facts, ...v, role }
      }))
    )
  )

  it.each(cases)('words $code ($params.role) in every language', (reason) => {
    for (const language of languages) {
      const t = reasonText(reason, language)
      for (const part of [t.title, t.summary, t.remedy]) {
        expect(part.length).toBeGreaterThan(3)
        expect(part).not.toMatch(/undefined|null|NaN|\$\{|\[object/)
      }
      expect(t.summary).toMatch(/[.。!！?？)）]$/)
    }
  })

  it.each(cases)('says the same facts in en and zh-CN: $code', (reason) => {
    const en = reasonText(reason, 'en')
    const zh = reasonText(reason, 'zh-CN')
    expect(shown(`${zh.summary} ${zh.remedy}`)).toEqual(shown(`${en.summary} ${en.remedy}`))
  })

  it('writes Chinese in zh-CN, not English sentences', () => {
    for (const reason of cases) {
      const zh = reasonText(reason, 'zh-CN')
      expect(zh.summary).toMatch(/[\u4e00-\u9fff]/)
      expect(zh.remedy).toMatch(/[\u4e00-\u9fff]/)
    }
  })

  it('words expiry with the date and how long ago, and keeps the clock advice', () => {
    const reason = {
      code: 'expired' as const,
      params: { date: '2021-03-07T10:00:00.000Z', at: '2021-03-12T10:00:00.000Z', role: 'leaf' }
    }
    expect(reasonText(reason, 'en').summary).toBe(
      "The server's certificate expired on 7 March 2021 (5 days ago), so the connection is not private."
    )
    expect(reasonText(reason, 'zh-CN').summary).toContain('2021年3月7日')
    expect(reasonText(reason, 'zh-CN').summary).toContain('5 天前')
    expect(reasonText(reason, 'zh-CN').remedy).toContain('时钟')
  })

  it('tells a client certificate that is not valid yet from an expired one', () => {
    const at = '2026-01-10T00:00:00.000Z'
    const early = {
      code: 'client-cert-expired' as const,
      params: { date: '2026-02-01T00:00:00.000Z', at, why: 'not-yet-valid' }
    }
    const late = {
      code: 'client-cert-expired' as const,
      params: { date: '2026-01-01T00:00:00.000Z', at }
    }
    expect(reasonText(early, 'en').summary).toContain('valid only from 1 February 2026')
    expect(reasonText(early, 'en').summary).not.toContain('expired')
    expect(reasonText(late, 'en').summary).toContain('expired on 1 January 2026')
    expect(reasonText(early, 'zh-CN').title).toContain('尚未生效')
    expect(reasonText(late, 'zh-CN').title).toContain('已过期')
  })

  it('counts the names a report had to leave out', () => {
    const reason = {
      code: 'hostname-mismatch' as const,
      params: { host: 'sip.example.test', names: ['a.test', 'b.test', 'c.test'], namesTotal: 90 }
    }
    expect(reasonText(reason, 'en').summary).toContain('a.test, b.test, c.test and 87 others')
    expect(reasonText(reason, 'zh-CN').summary).toContain('等 90 个名称')
  })

  // The remedy names the setting by the words Settings shows (its page and section titles), so it
  // cannot point to a setting that does not exist; and the policy, for where IT sets the CAs.
  it("points an unknown issuer to the account's CA certificates in Settings, or the policy", () => {
    for (const [language, ui] of [
      ['en', en],
      ['zh-CN', zh]
    ] as const) {
      const { remedy } = reasonText({ code: 'unknown-issuer', params: {} }, language)
      expect(remedy).toContain(ui.settings.title)
      expect(remedy).toContain(ui.settings.cas.title)
      expect(remedy).toContain('trustedCaFiles')
    }
  })
})
