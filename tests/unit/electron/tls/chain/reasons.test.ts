import { describe, expect, it } from 'vitest'
import { toTrustReason } from '../../../../../electron/main/tls/chain/reasons'
import { trustReasonCodeSchema, trustReasonSchema } from '../../../../../shared/types/trust'

describe('toTrustReason', () => {
  it.each(trustReasonCodeSchema.options)('words %s for users and the helpdesk', (code) => {
    for (const role of ['leaf', 'intermediate', 'root'] as const) {
      const r = trustReasonSchema.parse(
        toTrustReason({
          code,
          severity: 'error',
          certIndex: 0,
          certSubject: 'CN=x',
          detail: 'technical',
          ctx: { role, at: new Date(), date: new Date(), host: 'h.example', sipDomain: 'example' }
        })
      )
      expect(r.summary).toMatch(/^[A-Z].*[.!]$/)
      expect(r.summary).not.toMatch(/undefined|null|\$\{/)
      expect(r.remedy.length).toBeGreaterThan(10)
      expect(r.detail).toBe('technical')
    }
  })

  it('names the certificate names on a host mismatch', () => {
    const r = toTrustReason({
      code: 'hostname-mismatch',
      severity: 'error',
      certIndex: 0,
      certSubject: null,
      detail: '',
      ctx: { host: 'sip.example.com', names: ['a.example.net', 'b.example.net'] }
    })
    expect(r.summary).toBe(
      'The server could not prove that it is sip.example.com; its certificate is for a.example.net, b.example.net.'
    )
  })
})
