import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import ServerCheck from '../../../../../renderer/src/lib/components/ServerCheck.svelte'
import { trust } from '../../../../../renderer/src/lib/state'
import { answer, resetApi } from '../../api-mock'
import { makeUntrustedReport } from '../../fixtures'

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
  })

  it('checks host:port (and SIP domain) and shows the full report with its reasons', async () => {
    const check = answer('trust', 'checkServer', makeUntrustedReport())
    render(ServerCheck)
    await fireEvent.input(screen.getByLabelText('Server'), { target: { value: ' 127.0.0.1 ' } })
    await fireEvent.input(screen.getByLabelText('Port'), { target: { value: '5062' } })
    await fireEvent.input(screen.getByLabelText('SIP domain (optional)'), {
      target: { value: 'lab.trustline.test' }
    })
    await fireEvent.click(screen.getByTestId('check-server'))
    expect(check).toHaveBeenCalledWith({
      host: '127.0.0.1',
      port: 5062,
      sipDomain: 'lab.trustline.test'
    })
    await vi.waitFor(() => expect(screen.getByTestId('check-result')).toBeTruthy())
    expect(screen.getAllByTestId('trust-reason')).toHaveLength(2)
    expect(screen.getByTestId('cert-viewer')).toBeTruthy()
  })

  it('refuses an empty host and shows core errors translated', async () => {
    render(ServerCheck)
    await fireEvent.input(screen.getByLabelText('Server'), { target: { value: '' } })
    await fireEvent.click(screen.getByTestId('check-server'))
    expect(screen.getByRole('alert').textContent).toContain('Enter a server name')
    await fireEvent.input(screen.getByLabelText('Server'), { target: { value: 'x.invalid' } })
    await fireEvent.click(screen.getByTestId('check-server'))
    await vi.waitFor(() =>
      expect(screen.getByTestId('check-error').dataset['code']).toBe('unavailable')
    )
  })
})
