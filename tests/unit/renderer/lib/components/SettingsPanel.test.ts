import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import SettingsPanel from '../../../../../renderer/src/lib/components/SettingsPanel.svelte'
import { policy, profile, theme, trust } from '../../../../../renderer/src/lib/state'
import { i18n } from '../../../../../renderer/src/lib/i18n/i18n.svelte'
import { answer, calls, refuse, resetApi } from '../../api-mock'
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

/** A picked file; jsdom's File has no arrayBuffer(), which the panel reads the bytes through. */
function fileOf(text: string, name: string): File {
  const file = new File([text], name)
  const bytes = new TextEncoder().encode(text)
  Object.defineProperty(file, 'arrayBuffer', { value: () => Promise.resolve(bytes.buffer) })
  return file
}

describe("SettingsPanel: the account's own CA certificates", () => {
  const aor = 'sip:alice@example.org'
  const ca = {
    sha256: Array.from({ length: 32 }, () => 'C4').join(':'),
    subject: 'CN=Example Corp Root CA, O=Example Corp',
    fileName: 'corp-root.pem',
    addedAt: '2026-11-28T12:00:00Z'
  }
  beforeEach(() => {
    resetApi()
    i18n.setLanguage('en')
    profile.cas = null
    profile.error = null
    profile.lastAdded = null
  })

  it('lists each with subject, fingerprint and where it came from, and removes one', async () => {
    answer('profile', 'listCas', { aor, cas: [ca], locked: null })
    const remove = answer('profile', 'removeCa', { aor, cas: [], locked: null })
    render(SettingsPanel)
    const entry = await vi.waitFor(() => screen.getByTestId('cas-entry'))
    expect(screen.getByTestId('cas-subject').textContent).toBe(ca.subject)
    expect(screen.getByTestId('cas-sha256').textContent).toBe(ca.sha256)
    expect(screen.getByTestId('cas-source').textContent).toContain('Added from corp-root.pem on')
    expect(entry.textContent).toContain('SHA-256 fingerprint')
    expect(screen.getByLabelText('Add a CA certificate file (PEM or DER)')).toBeTruthy()
    await fireEvent.click(
      screen.getByRole('button', { name: `Remove the CA certificate ${ca.subject}` })
    )
    expect(remove).toHaveBeenCalledWith({ sha256: ca.sha256 })
    await vi.waitFor(() => expect(screen.getByTestId('cas-empty')).toBeTruthy())
  })

  it('adds the file picked, and says why a file was refused', async () => {
    answer('profile', 'listCas', { aor, cas: [], locked: null })
    const add = answer('profile', 'addCa', { aor, cas: [ca], locked: null })
    render(SettingsPanel)
    const input = await vi.waitFor(() => screen.getByTestId('cas-file'))
    const file = fileOf('-----BEGIN CERTIFICATE-----', 'corp-root.pem')
    await fireEvent.change(input, { target: { files: [file] } })
    await vi.waitFor(() =>
      expect(screen.getByTestId('cas-added').textContent).toBe(
        `Added 1 CA certificate(s) for ${aor}.`
      )
    )
    expect(add).toHaveBeenCalledWith({
      fileName: 'corp-root.pem',
      dataBase64: btoa('-----BEGIN CERTIFICATE-----')
    })
    refuse('profile', 'addCa', 'ca-file-not-ca', 'server.pem (CN=sip.example.org) is not a CA')
    await fireEvent.change(input, { target: { files: [fileOf('x', 'server.pem')] } })
    const error = await vi.waitFor(() => screen.getByTestId('cas-error'))
    expect(error.textContent).toContain('is not a certificate authority (CA)')
    expect(error.textContent).toContain('server.pem (CN=sip.example.org)')
  })

  it.each([
    ['policy-sets-cas', /sets the trusted CAs \(trustedCaFiles\)/],
    ['policy-forbids-exceptions', /does not let users trust servers themselves/]
  ] as const)(
    'is locked, with the reason and the policy file, when the policy says %s',
    async (reason, sentence) => {
      answer('profile', 'listCas', {
        aor,
        cas: [ca],
        locked: { reason, by: '/etc/trustline/policy.json' }
      })
      render(SettingsPanel)
      const note = await vi.waitFor(() => screen.getByTestId('cas-locked'))
      expect(note.textContent).toMatch(sentence)
      expect(note.textContent).toContain('/etc/trustline/policy.json')
      expect(screen.queryByTestId('cas-file')).toBeNull()
      expect(screen.queryByTestId('cas-remove')).toBeNull()
      // What the user added earlier is still listed, so nothing seems lost.
      expect(screen.getByTestId('cas-subject').textContent).toBe(ca.subject)
    }
  )

  it('asks to sign in first when no account is shown, and says exceptions are per server', async () => {
    answer('profile', 'listCas', { aor: null, cas: [], locked: null })
    render(SettingsPanel)
    await vi.waitFor(() => expect(screen.getByTestId('cas-no-account')).toBeTruthy())
    expect(screen.queryByTestId('cas-file')).toBeNull()
    expect(screen.getByTestId('exceptions-scope').textContent).toContain(
      'belong to this computer and one server (host and port)'
    )
  })
})
