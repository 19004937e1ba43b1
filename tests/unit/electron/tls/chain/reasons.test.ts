import { describe, expect, it } from 'vitest'
import { toTrustReason } from '../../../../../electron/main/tls/chain/reasons'
import { trustReasonCodeSchema, trustReasonSchema } from '../../../../../shared/types/trust'

describe('toTrustReason', () => {
  it.each(trustReasonCodeSchema.options)('turns a %s finding into code + facts', (code) => {
    const at = new Date(Date.UTC(2026, 0, 10))
    const date = new Date(Date.UTC(2026, 0, 5))
    const r = trustReasonSchema.parse(
      toTrustReason({
        code,
        severity: 'error',
        certIndex: 0,
        certSubject: 'CN=x',
        detail: 'technical',
        ctx: { role: 'leaf', at, date, host: 'h.example', names: ['a.example'], extra: { n: 3 } }
      })
    )
    expect(r).toEqual({
      code,
      severity: 'error',
      certIndex: 0,
      certSubject: 'CN=x',
      params: {
        n: 3,
        host: 'h.example',
        date: '2026-01-05T00:00:00.000Z',
        at: '2026-01-10T00:00:00.000Z',
        names: ['a.example'],
        role: 'leaf'
      },
      detail: 'technical'
    })
  })

  it('carries no sentence across IPC', () => {
    const r = toTrustReason({
      code: 'hostname-mismatch',
      severity: 'error',
      certIndex: 0,
      certSubject: null,
      detail: '',
      ctx: { host: 'sip.example.com', names: ['a.example.net', 'b.example.net'] }
    })
    expect(Object.keys(r).sort()).toEqual(
      ['certIndex', 'certSubject', 'code', 'detail', 'params', 'severity'].sort()
    )
  })
})
