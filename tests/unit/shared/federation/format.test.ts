import { describe, expect, it } from 'vitest'
import { formatFederationReport } from '../../../../shared/federation/format'
import { federationSentences } from '../../../../shared/federation/wording'
import { sampleFederationReport as report } from '../../../fixtures/sample-dtos'

describe('formatFederationReport', () => {
  it.each(['en', 'zh-CN'] as const)(
    'writes the verdict, every finding and the facts (%s)',
    (lang) => {
      const text = formatFederationReport(report, lang)
      for (const f of report.findings) {
        const s = federationSentences(f, lang)
        expect(text).toContain(s.summary)
        expect(text).toContain(s.remedy)
      }
      for (const fact of [
        'sip.example.org:5061',
        '_sipfederationtls._tcp.example.org',
        'CN=Public TLS CA',
        'unsupported_certificate',
        report.ownChain.presented[0]!.sha256
      ]) {
        expect(text).toContain(fact)
      }
    }
  )

  it('is in the language asked for', () => {
    expect(formatFederationReport(report, 'en').split('\n')[0]).toBe(
      'Federation check: example.org — NOT READY'
    )
    expect(formatFederationReport(report, 'zh-CN').split('\n')[0]).toBe(
      '联合检查: example.org — 尚不能联合'
    )
  })
})
