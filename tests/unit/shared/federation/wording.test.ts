import { describe, expect, it } from 'vitest'
import { federationLanguages, federationSentences } from '../../../../shared/federation/wording'
import {
  federationFindingCodeSchema,
  type FederationFindingCode,
  type FederationParam
} from '../../../../shared/types/federation'

// Every parameter a producer may give, with values no sentence could contain by accident.
const sample: Record<string, FederationParam> = {
  domain: 'partner-x7.example',
  host: 'edge-q3.partner-x7.example',
  port: 50613,
  foundVia: '_sips._tcp.partner-x7.example',
  names: ['alt-n1.example', 'sip:alt-n2.example'],
  reason: 'refused',
  alert: 'unknown_ca',
  issuer: 'CN=Issuer Q9, O=Partner',
  listed: ['CN=Listed L1', 'CN=Listed L2'],
  protocol: 'TLSv1.3',
  subject: 'CN=Subject S4, O=Partner',
  notAfter: '2024-01-31',
  notBefore: '2026-07-02',
  sha256: 'AB:CD:EF:01:23',
  mode: 'hard-fail',
  eku: ['serverAuth', 'emailProtection'],
  anchor: 'CN=Public Root R2',
  cutoff: '2026-06-15',
  status: 403,
  seconds: 4.5,
  rttMs: 17.25
}
const codeSpecific: Partial<Record<FederationFindingCode, Record<string, FederationParam>>> = {
  'partner-cert-invalid': { reason: 'name-constraints' },
  'partner-cert-warning': { reason: 'incomplete-chain-fetched' },
  'own-cert-invalid': { reason: 'weak-key' },
  'options-rejected': { reason: 'Forbidden Zone' },
  'options-ok': { status: 200, reason: 'OK Fine' }
}

/** Which sample values (each list item on its own) a text shows verbatim. */
function valuesShown(text: string, params: Record<string, FederationParam>): string[] {
  return Object.entries(params)
    .flatMap(([k, v]) =>
      Array.isArray(v) ? v.map((x) => [k, x] as const) : [[k, String(v)] as const]
    )
    .filter(([, v]) => text.includes(v))
    .map(([k, v]) => `${k}=${v}`)
    .sort()
}

describe('federation wording', () => {
  it.each(federationFindingCodeSchema.options)(
    '%s carries the same facts in every language',
    (code) => {
      const params = { ...sample, ...codeSpecific[code] }
      // Part by part: the title, the summary and the remedy each name the same facts.
      const shown = federationLanguages.map((lang) => {
        const s = federationSentences({ code, params }, lang)
        for (const part of [s.title, s.summary, s.remedy]) expect(part.trim()).not.toBe('')
        expect(s.summary).not.toContain('?')
        return [s.title, s.summary, s.remedy].map((part) => valuesShown(part, params))
      })
      expect(shown[1]).toEqual(shown[0])
      expect(shown[0]![1]!.length).toBeGreaterThan(0)
    }
  )

  it.each([
    [
      'unknown_ca',
      /does not trust the CA that issued your edge certificate/,
      /不信任签发您边缘证书/
    ],
    ['unsupported_certificate', /lacks clientAuth/, /缺少 clientAuth/],
    ['certificate_required', /sent none/, /没有发送/],
    ['bad_certificate', /rejected your edge certificate as bad/, /无效/],
    ['access_denied', /does not allow your edge to connect/, /不允许/],
    ['protocol_version', /no TLS version or cipher suite in common/, /没有共同的 TLS 版本/],
    ['decode_error', /ended the handshake/, /终止了握手/]
  ])('turns the alert %s into a sentence', (alert, en, zh) => {
    const f = { code: 'handshake-alert' as const, params: { host: 'h', port: 1, alert } }
    expect(federationSentences(f, 'en').summary).toMatch(en)
    expect(federationSentences(f, 'zh-CN').summary).toMatch(zh)
    expect(federationSentences(f, 'zh-CN').summary).toContain(alert)
  })

  it('explains 403, 404, 503 and other answers differently', () => {
    const say = (status: number) =>
      federationSentences(
        { code: 'options-rejected', params: { host: 'h', port: 1, status, reason: 'x' } },
        'en'
      ).summary
    expect(say(403)).toMatch(/federation policy/)
    expect(say(404)).toMatch(/does not serve the domain/)
    expect(say(503)).toMatch(/overloaded/)
    expect(say(480)).toMatch(/refused the request/)
    expect(say(500)).toMatch(/failed while handling/)
  })

  it('shows a missing parameter as ? instead of breaking', () => {
    expect(federationSentences({ code: 'connect-failed', params: {} }, 'en').summary).toContain(
      '?:?'
    )
  })
})
