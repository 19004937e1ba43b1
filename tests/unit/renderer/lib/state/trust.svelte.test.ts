import { beforeEach, describe, expect, it, vi } from 'vitest'
import { answer, calls, emit, refuse, resetApi } from '../../api-mock'
import { makeReport, makeUntrustedReport } from '../../fixtures'
import { trust } from '../../../../../renderer/src/lib/state'
import type { TrustReport } from '../../../../../shared/types/trust'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

describe('trust state', () => {
  beforeEach(() => {
    resetApi()
    trust.report = null
    trust.exceptions = []
    trust.decisions = []
    trust.error = null
  })

  it('keeps a translated-code error when the core is not wired, and stays not-connected', async () => {
    await trust.start()
    expect(trust.badge).toBe('not-connected')
    expect(trust.error?.code).toBe('unavailable')
  })

  it('loads the report and follows report-changed events', async () => {
    answer('trust', 'getReport', makeReport())
    answer('trust', 'listExceptions', [])
    answer('trust', 'listDomainDecisions', [])
    await trust.start()
    expect(trust.badge).toBe('trusted')
    emit('trust', 'onReportChanged', makeUntrustedReport())
    expect(trust.badge).toBe('untrusted')
    expect(trust.errors.map((r) => r.code)).toEqual(['self-signed'])
  })

  it('accepts an exception by repeating host, port, fingerprint and confirm: true', async () => {
    const report = makeUntrustedReport()
    const sha256 = report.sentChain[0]!.sha256
    const entry = {
      host: report.host,
      port: report.port,
      sha256,
      subject: 'CN=x',
      acceptedAt: 'now'
    }
    const accept = answer('trust', 'acceptException', entry)
    expect(await trust.acceptException(report.host, report.port, sha256)).toBe(true)
    expect(accept).toHaveBeenCalledWith({
      host: report.host,
      port: report.port,
      sha256,
      confirm: true
    })
    expect(trust.exceptions).toEqual([entry])
  })

  it('reports a failed acceptance instead of pretending', async () => {
    refuse('trust', 'acceptException', 'bad-request', 'fingerprint does not match')
    expect(await trust.acceptException('h', 5061, 'AA')).toBe(false)
    expect(trust.exceptionError?.message).toBe('fingerprint does not match')
  })

  it('revokes and forgets through the contract and updates the lists', async () => {
    trust.exceptions = [
      { host: 'a', port: 1, sha256: 'X', subject: 's', acceptedAt: 't' },
      { host: 'b', port: 2, sha256: 'Y', subject: 's', acceptedAt: 't' }
    ]
    trust.decisions = [{ sipDomain: 'd', serverHost: 'h', allow: true, decidedAt: 't' }]
    answer('trust', 'revokeException', { revoked: true })
    answer('trust', 'forgetDomainDecision', { forgotten: true })
    await trust.revokeException('a', 1)
    await trust.forgetDecision('d', 'h')
    expect(calls['trust']!['revokeException']).toHaveBeenCalledWith({ host: 'a', port: 1 })
    expect(trust.exceptions.map((e) => e.host)).toEqual(['b'])
    expect(trust.decisions).toEqual([])
  })
})

describe('trust state: the core says the certificate changed', () => {
  it("shows the warning from the core's finding alone, whatever exceptions are loaded", () => {
    const report = makeUntrustedReport()
    const changed: TrustReport['reasons'][number] = {
      code: 'certificate-changed',
      severity: 'error',
      certIndex: 0,
      certSubject: null,
      params: {
        host: report.host,
        port: report.port,
        acceptedSha256: 'AA:AA',
        presentedSha256: 'BB:BB',
        acceptedAt: '2026-01-01T00:00:00.000Z'
      },
      detail: 'pinned AA, got BB'
    }
    // Stored exceptions that would "agree" change nothing: the renderer does not re-decide.
    trust.exceptions = [
      { host: report.host, port: report.port, sha256: 'BB:BB', subject: 's', acceptedAt: 't' }
    ]
    trust.report = { ...report, headline: changed, reasons: [changed] }
    expect(trust.changed).toEqual({
      host: report.host,
      port: report.port,
      acceptedSha256: 'AA:AA',
      presentedSha256: 'BB:BB',
      acceptedAt: '2026-01-01T00:00:00.000Z'
    })
    trust.report = report
    expect(trust.changed).toBeNull()
  })

  it('forgets the report when the core says there is none (new attempt, signed out)', () => {
    trust.report = makeUntrustedReport()
    expect(trust.badge).toBe('untrusted')
    trust.report = null
    expect(trust.badge).toBe('not-connected')
  })
})
