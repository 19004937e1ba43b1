import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { flushSync } from 'svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import CertificateViewer from '../../../../../renderer/src/lib/components/CertificateViewer.svelte'
import { i18n } from '../../../../../renderer/src/lib/i18n/i18n.svelte'
import { intermediate, leaf, makeCert, root } from '../../fixtures'

const day = 86_400_000
/** "Now" for these tests: relative times are measured from it. */
const now = Date.parse('2026-11-28T12:00:00Z')
const daysFromNow = (days: number) => new Date(now + days * day).toISOString()

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(now)
})
afterEach(() => {
  cleanup()
  vi.useRealTimers()
  i18n.setLanguage('en')
})

/** The heading of the section an element sits in. */
function headingOf(element: Element): string | undefined {
  return element.closest('section')?.querySelector('h4')?.textContent ?? undefined
}

// jsdom's Blob has no text(); FileReader reads it the old way.
function readBlob(blob: Blob): Promise<string> {
  return new Promise((resolve) => {
    const reader = new FileReader()
    reader.onload = () => resolve(reader.result as string)
    reader.readAsText(blob)
  })
}

describe('CertificateViewer', () => {
  it('has one ARIA tab per certificate, arrow keys and Home/End move the selection', async () => {
    render(CertificateViewer, { props: { certs: [leaf, intermediate, root] } })
    const tabs = screen.getAllByRole('tab')
    expect(tabs).toHaveLength(3)
    expect(tabs[0]?.getAttribute('aria-selected')).toBe('true')
    expect(tabs[1]?.getAttribute('tabindex')).toBe('-1')
    const panel = screen.getByRole('tabpanel')
    expect(panel.getAttribute('aria-labelledby')).toBe(tabs[0]?.id)

    await fireEvent.keyDown(tabs[0]!, { key: 'ArrowRight' })
    expect(screen.getAllByRole('tab')[1]?.getAttribute('aria-selected')).toBe('true')
    expect(document.activeElement).toBe(screen.getAllByRole('tab')[1])
    expect(screen.getByTestId('cert-subject').textContent).toBe(intermediate.subject)

    await fireEvent.keyDown(tabs[1]!, { key: 'End' })
    expect(screen.getByTestId('cert-subject').textContent).toBe(root.subject)
    await fireEvent.keyDown(tabs[2]!, { key: 'ArrowRight' })
    expect(screen.getByTestId('cert-subject').textContent).toBe(leaf.subject)
    await fireEvent.keyDown(tabs[0]!, { key: 'ArrowLeft' })
    expect(screen.getByTestId('cert-subject').textContent).toBe(root.subject)
    await fireEvent.keyDown(tabs[2]!, { key: 'Home' })
    expect(screen.getByTestId('cert-subject').textContent).toBe(leaf.subject)
  })

  it('shows the fields a helpdesk needs, critical extensions marked', () => {
    render(CertificateViewer, { props: { certs: [leaf] } })
    expect(screen.getByTestId('cert-sha256').textContent).toBe(leaf.sha256)
    expect(screen.getByTestId('cert-serial').textContent).toBe('81ca')
    expect(screen.getByTestId('cert-days-left').textContent).toContain('expires in 1 month')
    expect(screen.getByTestId('cert-sans').textContent).toContain('127.0.0.1')
    const ext = screen.getByTestId('cert-extensions')
    expect(ext.querySelectorAll('.critical')).toHaveLength(1)
    expect(screen.getByText('P-256')).toBeTruthy()
  })

  it.each([
    [-2164, 'expired 5 years ago', '5年前已过期'],
    [-1, 'expired 1 day ago', '1天前已过期'],
    [100, 'expires in 3 months', '3个月后到期'],
    [800, 'expires in 2 years', '2年后到期']
  ])('says how far away the end of validity is (%i days)', (days, en, zh) => {
    render(CertificateViewer, { props: { certs: [makeCert({ notAfter: daysFromNow(days) })] } })
    const text = () => screen.getByTestId('cert-days-left').textContent
    expect(text()).toContain(en)
    i18n.setLanguage('zh-CN')
    flushSync()
    expect(text()).toContain(zh)
  })

  it('shows every time in local time with the exact UTC value on hover', () => {
    render(CertificateViewer, {
      props: { certs: [makeCert({ notBefore: daysFromNow(2), notAfter: daysFromNow(400) })] }
    })
    const times = [...document.querySelectorAll('time')]
    expect(times.map((t) => t.getAttribute('title'))).toEqual([
      daysFromNow(2).replace('.000Z', 'Z'),
      daysFromNow(400).replace('.000Z', 'Z')
    ])
    // Local time, not the ISO string.
    expect(times[0]?.textContent).not.toContain('T12:00')
    expect(screen.getByTestId('cert-not-yet-valid').textContent).toContain('starts in 2 days')
  })

  it('puts each field under its own heading', () => {
    render(CertificateViewer, { props: { certs: [leaf] } })
    expect(headingOf(screen.getByTestId('cert-serial'))).toBe('Serial number and signature')
    expect(headingOf(screen.getByText('ecdsa-with-SHA256'))).toBe('Serial number and signature')
    const basics = [...document.querySelectorAll('section')].find(
      (s) => s.querySelector('h4')?.textContent === 'Basic constraints'
    )
    expect(basics?.textContent).toContain('Certificate authority')
    expect(basics?.textContent).not.toMatch(/Signature algorithm|Serial number|Key usage/)
    expect(headingOf(screen.getByText('TLS server authentication'))).toBe('Permitted uses')
  })

  it('shows each extension decoded, in the chosen language, names and URLs verbatim', () => {
    const cert = makeCert({
      extensions: [
        {
          oid: '2.5.29.31',
          name: 'crlDistributionPoints',
          critical: false,
          value: {
            kind: 'crl-distribution-points',
            points: [
              {
                names: { names: [{ type: 'uri', value: 'http://pki.lab/int.crl' }], more: 0 },
                relativeName: null,
                reasons: null,
                crlIssuer: { names: [], more: 0 }
              }
            ]
          }
        },
        {
          oid: '1.3.6.1.5.5.7.1.1',
          name: 'authorityInfoAccess',
          critical: false,
          value: {
            kind: 'info-access',
            entries: [
              {
                method: 'ocsp',
                methodOid: '1.3.6.1.5.5.7.48.1',
                location: { type: 'uri', value: 'http://ocsp.lab' }
              }
            ]
          }
        },
        {
          oid: '2.5.29.32',
          name: 'certificatePolicies',
          critical: false,
          value: {
            kind: 'certificate-policies',
            policies: [{ oid: '2.23.140.1.2.1', known: 'domain-validated', cps: [], notices: [] }]
          }
        },
        {
          oid: '1.3.6.1.4.1.11129.2.4.2',
          name: 'ctPrecertScts',
          critical: false,
          value: {
            kind: 'sct-list',
            scts: [{ version: 0, logId: 'AQEB', timestamp: '2026-01-02T03:04:05.000Z' }]
          }
        },
        {
          oid: '1.2.3.4',
          name: '1.2.3.4',
          critical: false,
          value: { kind: 'raw', length: 49, hex: '302f' }
        }
      ]
    })
    render(CertificateViewer, { props: { certs: [cert] } })
    const ext = (oid: string) =>
      screen.getByTestId('cert-extensions').querySelector(`[data-oid="${oid}"]`)?.textContent ?? ''
    expect(ext('2.5.29.31')).toContain('CRL distribution points')
    expect(ext('2.5.29.31')).toContain('http://pki.lab/int.crl')
    expect(ext('2.5.29.31')).not.toMatch(/bytes/)
    expect(ext('1.3.6.1.5.5.7.1.1')).toContain('OCSP responder: http://ocsp.lab')
    expect(ext('2.5.29.32')).toContain('Domain validated (DV)')
    expect(ext('1.3.6.1.4.1.11129.2.4.2')).toContain('AQEB')
    expect(ext('1.2.3.4')).toContain('Not decoded by TrustLine (49 bytes)')
    i18n.setLanguage('zh-CN')
    flushSync()
    expect(ext('2.5.29.31')).toContain('CRL 分发点')
    expect(ext('1.3.6.1.5.5.7.1.1')).toContain('OCSP 响应程序')
    expect(ext('2.5.29.32')).toContain('域名验证（DV）')
    expect(ext('1.2.3.4')).toContain('TrustLine 未解码（49 字节）')
  })

  it('copies the fingerprint and downloads PEM through a Blob link', async () => {
    const writeText = vi.fn(() => Promise.resolve())
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    const created: Blob[] = []
    URL.createObjectURL = vi.fn((b: Blob) => {
      created.push(b)
      return 'blob:x'
    })
    URL.revokeObjectURL = vi.fn()
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    render(CertificateViewer, { props: { certs: [leaf, intermediate] } })
    await fireEvent.click(screen.getByTestId('copy-sha256'))
    expect(writeText).toHaveBeenCalledWith(leaf.sha256)
    await fireEvent.click(screen.getByTestId('download-chain'))
    expect(click).toHaveBeenCalled()
    expect(await readBlob(created[0]!)).toBe(`${leaf.pem.trim()}\n${intermediate.pem.trim()}\n`)
  })
})
