import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import ServerCheck from '../../../../../renderer/src/lib/components/ServerCheck.svelte'
import { trust } from '../../../../../renderer/src/lib/state'
import { serverCheckForm } from '../../../../../renderer/src/lib/state/helpdesk-forms.svelte'
import { answer, resetApi } from '../../api-mock'
import { makeReport, makeUntrustedReport } from '../../fixtures'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

afterEach(() => cleanup())

describe('ServerCheck', () => {
  beforeEach(() => {
    resetApi()
    trust.checked = null
    trust.checkError = null
    serverCheckForm.clear()
  })

  it('keeps what was typed when the helpdesk is left and opened again', async () => {
    const first = render(ServerCheck)
    await fireEvent.input(screen.getByLabelText('Server address'), {
      target: { value: '192.0.2.7' }
    })
    await fireEvent.input(screen.getByLabelText('Server name (optional)'), {
      target: { value: 'sip.example.org' }
    })
    first.unmount()
    render(ServerCheck)
    expect(screen.getByLabelText<HTMLInputElement>('Server address').value).toBe('192.0.2.7')
    expect(screen.getByLabelText<HTMLInputElement>('Server name (optional)').value).toBe(
      'sip.example.org'
    )
  })

  it('checks an address with a separate certificate name, SIP domain and revocation mode', async () => {
    const check = answer('trust', 'checkServer', makeUntrustedReport())
    render(ServerCheck)
    await fireEvent.input(screen.getByLabelText('Server address'), {
      target: { value: ' 127.0.0.1 ' }
    })
    await fireEvent.input(screen.getByLabelText('Port'), { target: { value: '5062' } })
    await fireEvent.input(screen.getByLabelText('Server name (optional)'), {
      target: { value: 'lab.trustline.test' }
    })
    await fireEvent.input(screen.getByLabelText('SIP domain (optional)'), {
      target: { value: 'lab.trustline.test' }
    })
    await fireEvent.change(screen.getByLabelText('Revocation checking'), {
      target: { value: 'hard-fail' }
    })
    await fireEvent.click(screen.getByTestId('check-server'))
    expect(check).toHaveBeenCalledWith({
      host: '127.0.0.1',
      port: 5062,
      servername: 'lab.trustline.test',
      sipDomain: 'lab.trustline.test',
      revocation: 'hard-fail'
    })
    await vi.waitFor(() => expect(screen.getByTestId('check-result')).toBeTruthy())
    expect(screen.getAllByTestId('trust-reason')).toHaveLength(2)
    expect(screen.getByTestId('cert-viewer')).toBeTruthy()
  })

  it('sends a client certificate with its passphrase', async () => {
    const check = answer('trust', 'checkServer', makeReport())
    render(ServerCheck)
    await fireEvent.input(screen.getByLabelText('Server address'), {
      target: { value: 'sip.example.org' }
    })
    const bytes = new Uint8Array([0x30, 0x82, 0x01])
    const file = new File([bytes], 'alice.p12')
    // jsdom's File has no arrayBuffer(); the component reads the bytes through it.
    Object.defineProperty(file, 'arrayBuffer', { value: () => Promise.resolve(bytes.buffer) })
    const input = screen.getByTestId('check-cert')
    Object.defineProperty(input, 'files', { value: [file], configurable: true })
    await fireEvent.change(input)
    await fireEvent.input(screen.getByLabelText('Certificate passphrase'), {
      target: { value: 's3cret' }
    })
    // One click right after choosing the file: the check waits for the file to be read.
    await fireEvent.click(screen.getByTestId('check-server'))
    await vi.waitFor(() =>
      expect(check).toHaveBeenCalledWith(
        expect.objectContaining({
          clientCertificate: {
            fileName: 'alice.p12',
            format: 'pkcs12',
            dataBase64: 'MIIB',
            passphrase: 's3cret'
          }
        })
      )
    )
    expect(check).toHaveBeenCalledTimes(1)
  })

  it("shows the server's own certificate next to a failed mutual-TLS connection", async () => {
    const report = makeReport()
    const refused: (typeof report.reasons)[number] = {
      code: 'client-cert-required',
      severity: 'error',
      certIndex: null,
      certSubject: null,
      params: { host: 'sip.example.org', port: 5061, caNames: ['CN=Client CA'] },
      detail: 'certificate_required'
    }
    answer('trust', 'checkServer', {
      ...report,
      verdict: 'no-verdict',
      serverCertificate: 'trusted',
      headline: refused,
      reasons: [refused]
    })
    render(ServerCheck)
    await fireEvent.input(screen.getByLabelText('Server address'), {
      target: { value: 'sip.example.org' }
    })
    await fireEvent.click(screen.getByTestId('check-server'))
    await vi.waitFor(() => expect(screen.getByTestId('check-result')).toBeTruthy())
    expect(screen.getByTestId('conn-server-certificate').textContent).toContain(
      "passed TrustLine's checks"
    )
    expect(screen.getByTestId('trust-reason').textContent).toContain(
      'it accepts certificates issued by CN=Client CA'
    )
    expect(screen.getByTestId('cert-viewer')).toBeTruthy()
  })

  it('exports the tested report, not the connection', async () => {
    answer('trust', 'checkServer', makeReport())
    const exported = answer('trust', 'exportReport', {
      filename: 'r.txt',
      mime: 'text/plain',
      content: 'x'
    })
    render(ServerCheck)
    await fireEvent.input(screen.getByLabelText('Server address'), {
      target: { value: 'sip.example.org' }
    })
    await fireEvent.click(screen.getByTestId('check-server'))
    await vi.waitFor(() => expect(screen.getByTestId('check-save-text')).toBeTruthy())
    await fireEvent.click(screen.getByTestId('check-save-text'))
    expect(exported).toHaveBeenCalledWith({ format: 'text', source: 'server-check' })
  })

  it('refuses an empty host and shows core errors translated', async () => {
    render(ServerCheck)
    await fireEvent.input(screen.getByLabelText('Server address'), { target: { value: '' } })
    await fireEvent.click(screen.getByTestId('check-server'))
    expect(screen.getByRole('alert').textContent).toContain('Enter a server address')
    await fireEvent.input(screen.getByLabelText('Server address'), {
      target: { value: 'x.invalid' }
    })
    await fireEvent.click(screen.getByTestId('check-server'))
    await vi.waitFor(() =>
      expect(screen.getByTestId('check-error').dataset['code']).toBe('unavailable')
    )
  })
})
