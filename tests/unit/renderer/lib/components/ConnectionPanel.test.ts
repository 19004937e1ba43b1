import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushSync } from 'svelte'
import ConnectionPanel from '../../../../../renderer/src/lib/components/ConnectionPanel.svelte'
import { connection, policy, trust } from '../../../../../renderer/src/lib/state'
import { i18n } from '../../../../../renderer/src/lib/i18n/i18n.svelte'
import { answer, resetApi } from '../../api-mock'
import { makeCert, makePolicy, makeReport, makeUntrustedReport } from '../../fixtures'
import type { TrustReport } from '../../../../../shared/types/trust'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

afterEach(() => cleanup())

describe('ConnectionPanel', () => {
  beforeEach(() => {
    resetApi()
    i18n.setLanguage('en')
    trust.report = null
    trust.exceptions = []
    trust.error = null
    trust.exceptionError = null
    connection.info = null
    policy.policy = null
  })

  it('says there is no connection before any report', () => {
    render(ConnectionPanel)
    expect(screen.getByTestId('verdict-sentence').textContent).toContain('no connection yet')
  })

  it('shows server, port, TLS version, cipher and verdict of a trusted connection', () => {
    trust.report = makeReport()
    render(ConnectionPanel)
    expect(screen.getByTestId('conn-host').textContent).toBe('lab.trustline.test')
    expect(screen.getByTestId('conn-port').textContent).toBe('5061')
    expect(screen.getByTestId('conn-tls').textContent).toBe('TLSv1.3')
    expect(screen.getByTestId('conn-cipher').textContent).toBe('TLS_AES_256_GCM_SHA384')
    expect(screen.getByTestId('conn-verdict').textContent).toBe('Trusted')
    expect(screen.queryByTestId('exception-form')).toBeNull()
  })

  it('says where the revocation answer came from, as text', () => {
    trust.report = makeReport()
    render(ConnectionPanel)
    expect(screen.queryByTestId('revocation-detail')).toBeNull()
    cleanup()
    const detail = 'OCSP response cached from 2026-11-30T10:00:00Z, valid until <b>then</b>'
    trust.report = {
      ...makeReport(),
      revocation: { mode: 'soft-fail', status: 'good', source: 'ocsp', detail }
    }
    render(ConnectionPanel)
    // Technical text as the engine wrote it: folded away, shown on demand, never as HTML.
    const folded = screen.getByTestId('revocation-detail')
    expect(folded.tagName).toBe('DETAILS')
    expect(folded.querySelector('[translate="no"]')?.textContent).toBe(detail)
  })

  it('explains every reason: sentence, remedy, technical detail on demand', () => {
    trust.report = makeUntrustedReport()
    render(ConnectionPanel)
    const reasons = screen.getAllByTestId('trust-reason')
    expect(reasons.map((r) => r.dataset['code'])).toEqual(['self-signed', 'extra-certificates'])
    const first = reasons[0]!
    expect(first.textContent).toContain('The certificate is self-signed')
    expect(first.textContent).toContain('nobody vouches for its identity')
    expect(first.textContent).toContain('confirm its fingerprint with the administrator')
    // The headline is named above the details, in words.
    expect(screen.getByTestId('verdict-headline').dataset['code']).toBe('self-signed')
    const details = first.querySelector('details')!
    expect(details.open).toBe(false)
    expect(within(details).getByText(/Subject equals issuer/)).toBeTruthy()
  })

  it('translates reason sentences to Chinese and keeps the technical detail', () => {
    trust.report = makeUntrustedReport()
    i18n.setLanguage('zh-CN')
    render(ConnectionPanel)
    const first = screen.getAllByTestId('trust-reason')[0]!
    expect(first.textContent).toContain('证书是自签名的')
    expect(first.textContent).toContain('Subject equals issuer')
    i18n.setLanguage('en')
  })

  it('marks duplicate and extra certificates in the sent chain', () => {
    trust.report = makeUntrustedReport()
    render(ConnectionPanel)
    const sent = screen.getByTestId('chain-sent').querySelectorAll('li')
    expect([...sent].map((li) => li.dataset['marks'])).toEqual(['', 'duplicate', 'extra'])
  })

  it('marks a missing intermediate and a fetched one in the built chain', () => {
    const report = makeReport()
    trust.report = { ...report, sentChain: [report.sentChain[0]!] }
    const { unmount } = render(ConnectionPanel)
    expect(
      [...screen.getByTestId('chain-built').querySelectorAll('li')].map((li) => li.dataset['marks'])
    ).toEqual(['', 'missing', 'anchor'])
    unmount()
    trust.report = {
      ...report,
      sentChain: [report.sentChain[0]!],
      chainNotes: { ...report.chainNotes, fetched: [{ certIndex: 1, url: 'http://x/i.der' }] }
    }
    render(ConnectionPanel)
    expect(screen.getByTestId('chain-built').textContent).toContain(
      'downloaded from http://x/i.der'
    )
  })

  it('accepts an exception only after the explicit confirmation', async () => {
    const report = makeUntrustedReport()
    trust.report = report
    const accept = answer('trust', 'acceptException', {
      host: report.host,
      port: report.port,
      sha256: report.sentChain[0]!.sha256,
      subject: report.sentChain[0]!.subject,
      acceptedAt: '2026-11-28T12:00:00Z'
    })
    render(ConnectionPanel)
    expect(screen.getByTestId('exception-sha256').textContent).toBe(report.sentChain[0]!.sha256)
    expect(screen.getByTestId('exception-server').textContent).toBe('lab.trustline.test:5061')
    const button = screen.getByTestId<HTMLButtonElement>('exception-accept')
    expect(button.disabled).toBe(true)
    await fireEvent.click(screen.getByTestId('exception-confirm'))
    expect(button.disabled).toBe(false)
    await fireEvent.click(button)
    await vi.waitFor(() => expect(screen.getByTestId('exception-accepted')).toBeTruthy())
    expect(accept).toHaveBeenCalledWith({
      host: report.host,
      port: report.port,
      sha256: report.sentChain[0]!.sha256,
      confirm: true
    })
  })

  it('warns loudly when the core says a pinned certificate changed, as the headline', () => {
    const report = makeUntrustedReport()
    const changed: TrustReport['reasons'][number] = {
      code: 'certificate-changed',
      severity: 'error',
      certIndex: 0,
      certSubject: null,
      params: {
        host: report.host,
        port: report.port,
        acceptedSha256: 'OLD:PIN',
        presentedSha256: report.sentChain[0]!.sha256,
        acceptedAt: '2026-02-03T00:00:00.000Z'
      },
      detail: ''
    }
    trust.report = { ...report, headline: changed, reasons: [changed, ...report.reasons] }
    render(ConnectionPanel)
    const warning = screen.getByTestId('cert-changed')
    expect(warning.getAttribute('role')).toBe('alert')
    expect(warning.textContent).toContain('OLD:PIN')
    expect(screen.getByTestId('verdict-headline').textContent).toContain(
      'now presents a different certificate'
    )
  })

  it('says exceptions are not allowed when the policy forbids them', () => {
    policy.policy = makePolicy({ allowTrustExceptions: false })
    trust.report = { ...makeUntrustedReport(), exceptionOffer: 'forbidden-by-policy' }
    render(ConnectionPanel)
    expect(screen.getByTestId('exception-forbidden').textContent).toContain('does not allow')
    expect(screen.queryByTestId('exception-accept')).toBeNull()
    expect(screen.queryByTestId('exception-form')).toBeNull()
  })

  it('offers no exception where the core says none could help (revoked)', () => {
    trust.report = { ...makeUntrustedReport(), exceptionOffer: 'not-applicable' }
    render(ConnectionPanel)
    expect(screen.queryByTestId('exception-form')).toBeNull()
  })

  it('shows the discovery trace and the DNS-hijack question, and answers it', async () => {
    const decide = answer('trust', 'decideDomain', {
      sipDomain: 'hijack.example',
      serverHost: 'sip.other.example',
      allow: false,
      decidedAt: '2026-11-28T12:00:00Z'
    })
    connection.info = {
      attemptId: 'feedfacecafebeef',
      sipDomain: 'hijack.example',
      server: null,
      transport: 'tls',
      trace: [
        {
          kind: 'srv',
          name: '_sips._tcp.hijack.example',
          result: {
            type: 'srv',
            records: [{ target: 'sip.other.example', port: 5061, priority: 0, weight: 10 }]
          },
          ok: true
        }
      ],
      question: {
        sipDomain: 'hijack.example',
        serverHost: 'sip.other.example',
        port: 5061,
        certificateNames: ['DNS:sip.other.example']
      }
    }
    render(ConnectionPanel)
    expect(screen.getByTestId('discovery-trace').textContent).toContain('SRV _sips._tcp')
    await fireEvent.click(screen.getByRole('button', { name: 'Do not connect' }))
    expect(decide).toHaveBeenCalledWith({
      sipDomain: 'hijack.example',
      serverHost: 'sip.other.example',
      allow: false
    })
    await vi.waitFor(() => expect(screen.queryByTestId('domain-question')).toBeNull())
    expect(connection.answered).toBe('refused')
  })

  it('words every discovery step in the chosen language from its data', () => {
    connection.info = {
      attemptId: null,
      sipDomain: 'example.org',
      server: null,
      transport: 'tls',
      trace: [
        {
          kind: 'configured',
          name: '127.0.0.1',
          result: { type: 'configured', host: '127.0.0.1', port: 5071 },
          ok: true
        },
        { kind: 'naptr', name: 'example.org', result: { type: 'no-tls-service' }, ok: false },
        {
          kind: 'srv',
          name: '_sips._tcp.example.org',
          result: {
            type: 'srv',
            records: [{ target: 'sip.example.org', port: 5061, priority: 0, weight: 10 }]
          },
          ok: true
        },
        {
          kind: 'aaaa',
          name: 'sip.example.org',
          result: { type: 'dns-unreachable', code: 'ETIMEOUT' },
          ok: false
        },
        { kind: 'a', name: 'sip.example.org', result: { type: 'no-record' }, ok: false }
      ],
      question: null
    }
    render(ConnectionPanel)
    const steps = () =>
      [...screen.getByTestId('discovery-trace').querySelectorAll('li')].map((li) =>
        li.textContent?.replace(/\s+/g, ' ').trim()
      )
    expect(steps()).toEqual([
      'Configured server → 127.0.0.1:5071',
      'NAPTR example.org → no SIP over TLS service',
      'SRV _sips._tcp.example.org → sip.example.org:5061 (priority 0, weight 10)',
      'AAAA sip.example.org → the DNS server did not answer (ETIMEOUT)',
      'A sip.example.org → no record'
    ])
    i18n.setLanguage('zh-CN')
    flushSync()
    expect(steps()).toEqual([
      '已配置的服务器 → 127.0.0.1:5071',
      'NAPTR example.org → 没有基于 TLS 的 SIP 服务',
      'SRV _sips._tcp.example.org → sip.example.org:5061（优先级 0，权重 10）',
      'AAAA sip.example.org → DNS 服务器没有应答（ETIMEOUT）',
      'A sip.example.org → 无记录'
    ])
  })

  it('starts a fresh, unconfirmed exception form when the certificate changes', async () => {
    const report = makeUntrustedReport()
    trust.report = report
    render(ConnectionPanel)
    await fireEvent.click(screen.getByTestId('exception-confirm'))
    expect(screen.getByTestId<HTMLInputElement>('exception-confirm').checked).toBe(true)
    const other = makeCert({
      sha256: Array.from({ length: 32 }, () => '99').join(':'),
      selfSigned: true
    })
    trust.report = { ...report, sentChain: [other], builtChain: [other] }
    await vi.waitFor(() =>
      expect(screen.getByTestId('exception-sha256').textContent).toBe(other.sha256)
    )
    expect(screen.getByTestId<HTMLInputElement>('exception-confirm').checked).toBe(false)
  })
})
