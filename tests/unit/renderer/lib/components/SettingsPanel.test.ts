import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import SettingsPanel from '../../../../../renderer/src/lib/components/SettingsPanel.svelte'
import { policy, theme, trust } from '../../../../../renderer/src/lib/state'
import { i18n } from '../../../../../renderer/src/lib/i18n/i18n.svelte'
import { answer, calls, resetApi } from '../../api-mock'
import { makePolicy } from '../../fixtures'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

afterEach(() => cleanup())

const exception = {
  host: 'lab.trustline.test',
  port: 5061,
  sha256: Array.from({ length: 32 }, () => 'AB').join(':'),
  subject: 'CN=lab.trustline.test',
  acceptedAt: '2026-11-28T12:00:00Z'
}

describe('SettingsPanel', () => {
  beforeEach(() => {
    resetApi()
    i18n.setLanguage('en')
  })

  it('switches to Simplified Chinese, re-renders and remembers the choice', async () => {
    render(SettingsPanel)
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Settings')
    await fireEvent.change(screen.getByTestId('language-select'), { target: { value: 'zh-CN' } })
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('设置')
    expect(localStorage.getItem('trustline.language')).toBe('zh-CN')
    expect(document.documentElement.lang).toBe('zh-CN')
    i18n.setLanguage('en')
  })

  it('applies and remembers the theme', async () => {
    render(SettingsPanel)
    await fireEvent.click(screen.getByTestId('theme-dark'))
    expect(document.documentElement.dataset['theme']).toBe('dark')
    expect(localStorage.getItem('trustline.theme')).toBe('dark')
    theme.set('system')
    expect(document.documentElement.dataset['theme']).toBeUndefined()
  })

  it('lists exceptions and domain decisions and revokes / forgets them', async () => {
    answer('trust', 'listExceptions', [exception])
    answer('trust', 'listDomainDecisions', [
      {
        sipDomain: 'hijack.trustline.test',
        serverHost: 'lab.trustline.test',
        allow: true,
        decidedAt: '2026-11-28T12:00:00Z'
      }
    ])
    answer('trust', 'revokeException', { revoked: true })
    answer('trust', 'forgetDomainDecision', { forgotten: true })
    render(SettingsPanel)
    await vi.waitFor(() => expect(screen.getAllByTestId('exception-entry')).toHaveLength(1))
    expect(screen.getByText(/is trusted for hijack.trustline.test/)).toBeTruthy()
    await fireEvent.click(
      screen.getByRole('button', { name: 'Revoke the exception for lab.trustline.test:5061' })
    )
    expect(calls['trust']!['revokeException']).toHaveBeenCalledWith({
      host: 'lab.trustline.test',
      port: 5061
    })
    await vi.waitFor(() => expect(screen.queryAllByTestId('exception-entry')).toHaveLength(0))
    await fireEvent.click(screen.getByRole('button', { name: /Forget the answer/ }))
    await vi.waitFor(() => expect(trust.decisions).toHaveLength(0))
  })

  it('shows a translated error when the lists cannot be loaded', async () => {
    render(SettingsPanel)
    await vi.waitFor(() =>
      expect(screen.getByTestId('settings-error').dataset['code']).toBe('unavailable')
    )
  })

  it('turns read receipts off; a policy that locks them shows why and disables the switch', async () => {
    policy.policy = makePolicy()
    const set = answer('policy', 'set', {
      ...makePolicy(),
      settings: {
        ...makePolicy().settings,
        sendReadReceipts: { value: false, locked: false, lockedBy: null, origin: 'user' }
      }
    })
    render(SettingsPanel)
    const box = screen.getByTestId<HTMLInputElement>('read-receipts')
    expect(box.checked).toBe(true)
    expect(box.disabled).toBe(false)
    await fireEvent.click(box)
    expect(set).toHaveBeenCalledWith({ sendReadReceipts: false })
    await vi.waitFor(() => expect(policy.readReceipts.value).toBe(false))
    cleanup()
    policy.policy = makePolicy({ sendReadReceipts: false })
    render(SettingsPanel)
    const locked = screen.getByTestId<HTMLInputElement>('read-receipts')
    expect(locked.disabled).toBe(true)
    expect(locked.checked).toBe(false)
    expect(screen.getByTestId('privacy').textContent).toContain(
      "Set by your organisation's policy (/etc/trustline/policy.json)"
    )
  })

  it('lists what the organisation locked and reads the policy again on request', async () => {
    policy.policy = makePolicy({ allowTrustExceptions: false, revocation: 'hard-fail' })
    const reload = answer('policy', 'reload', makePolicy())
    render(SettingsPanel)
    const section = screen.getByTestId('policy')
    expect(section.textContent).toContain('Certificate exceptions allowed')
    expect(section.textContent).toContain('hard-fail')
    await fireEvent.click(screen.getByRole('button', { name: 'Read the policy again' }))
    expect(reload).toHaveBeenCalled()
    await vi.waitFor(() =>
      expect(screen.getByTestId('policy-status').textContent).toContain('No organisation policy')
    )
  })
})
