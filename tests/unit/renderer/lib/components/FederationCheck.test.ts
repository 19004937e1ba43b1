import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import FederationCheck from '../../../../../renderer/src/lib/components/FederationCheck.svelte'
import { i18n } from '../../../../../renderer/src/lib/i18n/i18n.svelte'
import { federation, parseServer } from '../../../../../renderer/src/lib/state'
import { federationForm } from '../../../../../renderer/src/lib/state/helpdesk-forms.svelte'
import { formatTime, utcText } from '../../../../../renderer/src/lib/time'
import { answer, refuse, resetApi } from '../../api-mock'
import { sampleFederationReport } from '../../../../fixtures/sample-dtos'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

afterEach(() => {
  cleanup()
  i18n.setLanguage('en')
})

async function fillIn(server = ''): Promise<void> {
  await fireEvent.input(screen.getByLabelText('Partner SIP domain'), {
    target: { value: ' partner.example ' }
  })
  const file = new File([new Uint8Array([1, 2, 3])], 'edge.p12')
  // jsdom's File has no arrayBuffer(); the component reads the bytes through it.
  Object.defineProperty(file, 'arrayBuffer', {
    value: () => Promise.resolve(new Uint8Array([1, 2, 3]).buffer)
  })
  const input = screen.getByLabelText('Your edge certificate')
  Object.defineProperty(input, 'files', { value: [file], configurable: true })
  await fireEvent.change(input)
  await fireEvent.input(screen.getByLabelText('Passphrase of the certificate file'), {
    target: { value: 'pw' }
  })
  await fireEvent.input(screen.getByLabelText('Partner server (optional)'), {
    target: { value: server }
  })
}

describe('FederationCheck', () => {
  beforeEach(() => {
    resetApi()
    federation.report = null
    federation.error = null
    federationForm.clear()
  })

  it('keeps the partner domain and server when the tool is left and opened again', async () => {
    const first = render(FederationCheck)
    await fireEvent.input(screen.getByLabelText('Partner SIP domain'), {
      target: { value: 'partner.example' }
    })
    await fireEvent.input(screen.getByLabelText('Partner server (optional)'), {
      target: { value: 'edge.partner.example:5062' }
    })
    first.unmount()
    render(FederationCheck)
    expect(screen.getByLabelText<HTMLInputElement>('Partner SIP domain').value).toBe(
      'partner.example'
    )
    expect(screen.getByLabelText<HTMLInputElement>('Partner server (optional)').value).toBe(
      'edge.partner.example:5062'
    )
  })

  it('sends the domain, the certificate file, the server and the revocation mode', async () => {
    const check = answer('federation', 'check', sampleFederationReport)
    render(FederationCheck)
    await fillIn('edge.partner.example:5062')
    await fireEvent.change(screen.getByLabelText('Revocation checking'), {
      target: { value: 'hard-fail' }
    })
    await vi.waitFor(async () => {
      await fireEvent.click(screen.getByTestId('federation-submit'))
      expect(check).toHaveBeenCalled()
    })
    expect(check).toHaveBeenCalledWith({
      partnerDomain: 'partner.example',
      clientCertificate: {
        fileName: 'edge.p12',
        format: 'pkcs12',
        dataBase64: 'AQID',
        passphrase: 'pw'
      },
      server: { host: 'edge.partner.example', port: 5062 },
      revocation: 'hard-fail'
    })
  })

  it('shows the verdict, the headline and every finding in the chosen language', async () => {
    answer('federation', 'check', sampleFederationReport)
    render(FederationCheck)
    await fillIn()
    await vi.waitFor(async () => {
      await fireEvent.click(screen.getByTestId('federation-submit'))
      expect(screen.getByTestId('federation-result')).toBeTruthy()
    })
    expect(screen.getByTestId('federation-verdict').textContent).toContain('Not ready to federate')
    expect(screen.getByTestId('federation-headline').dataset['code']).toBe(
      'own-cert-public-ca-no-client-auth'
    )
    expect(screen.getByTestId('federation-headline-summary').textContent).toMatch(
      /since 2026-06-15 public CAs issue server certificates with serverAuth only/
    )
    expect(screen.getAllByTestId('federation-finding').map((f) => f.dataset['code'])).toEqual([
      'own-cert-public-ca-no-client-auth',
      'handshake-alert'
    ])
    expect(screen.getByTestId('federation-ca-names').textContent).toContain('CN=Public TLS CA')
    // The app's one time format: local time, the exact UTC value on hover.
    const times = [...screen.getByTestId('federation-result').querySelectorAll('time')]
    expect(times.length).toBeGreaterThan(0)
    for (const time of times)
      expect(time.getAttribute('title')).toBe(utcText(time.getAttribute('datetime') ?? ''))
    expect(times.map((time) => time.textContent)).toEqual(
      times.map((time) => formatTime(time.getAttribute('datetime') ?? '', 'en'))
    )
    i18n.setLanguage('zh-CN')
    await vi.waitFor(() =>
      expect(screen.getByTestId('federation-verdict').textContent).toContain('尚不能联合')
    )
    expect(screen.getByTestId('federation-headline-summary').textContent).toContain('2026-06-15')
    expect(screen.getByTestId('federation-headline-summary').textContent).toContain('公共 CA')
    // The revocation mode is worded, not shown as its code.
    const result = screen.getByTestId('federation-result').textContent ?? ''
    expect(result).toContain('软失败')
    expect(result).not.toContain('soft-fail')
  })

  it('refuses a bad domain, a missing certificate, a bad server, and shows core errors', async () => {
    const check = refuse('federation', 'check', 'client-cert-bad-passphrase')
    render(FederationCheck)
    await fireEvent.input(screen.getByLabelText('Partner SIP domain'), {
      target: { value: 'not a domain' }
    })
    await fireEvent.click(screen.getByTestId('federation-submit'))
    expect(screen.getByText(/Enter a domain name/)).toBeTruthy()
    expect(screen.getByText(/Choose your edge certificate file/)).toBeTruthy()
    expect(check).not.toHaveBeenCalled()
    await fillIn('bad host:99999')
    await fireEvent.click(screen.getByTestId('federation-submit'))
    expect(screen.getByText(/optionally with :port/)).toBeTruthy()
    expect(check).not.toHaveBeenCalled()
    await fireEvent.input(screen.getByLabelText('Partner server (optional)'), {
      target: { value: '' }
    })
    await vi.waitFor(async () => {
      await fireEvent.click(screen.getByTestId('federation-submit'))
      expect(screen.getByTestId('federation-error').dataset['code']).toBe(
        'client-cert-bad-passphrase'
      )
    })
    expect(screen.getByTestId('federation-error').textContent).toMatch(/passphrase is wrong/)
  })
})

describe('parseServer', () => {
  it.each([
    ['', undefined],
    ['edge.example', { host: 'edge.example' }],
    ['edge.example:5061', { host: 'edge.example', port: 5061 }],
    ['[2001:db8::1]:5061', { host: '2001:db8::1', port: 5061 }],
    ['edge.example:0', null],
    ['edge example', null]
  ])('%s', (text, parsed) => {
    expect(parseServer(text)).toEqual(parsed)
  })
})
