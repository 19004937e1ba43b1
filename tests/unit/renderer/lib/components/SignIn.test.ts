import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import SignIn from '../../../../../renderer/src/lib/components/SignIn.svelte'
import DomainQuestion from '../../../../../renderer/src/lib/components/DomainQuestion.svelte'
import { connection, nav, policy, session, signInForm } from '../../../../../renderer/src/lib/state'
import { answer, refuse, resetApi } from '../../api-mock'
import { makePolicy } from '../../fixtures'
import { i18n } from '../../../../../renderer/src/lib/i18n/i18n.svelte'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

afterEach(() => cleanup())

describe('SignIn', () => {
  beforeEach(() => {
    resetApi()
    session.state = { status: 'signed-out' }
    session.error = null
    session.saved = null
    session.vault = null
    policy.policy = null
    connection.info = null
    connection.answered = null
    signInForm.clear()
  })

  /** Types the form's fields the way a person would. */
  async function type(fields: Record<string, string | RegExp>, label?: string): Promise<void> {
    for (const [text, value] of Object.entries(fields)) {
      await fireEvent.input(screen.getByLabelText(label ?? text), { target: { value } })
    }
  }

  it('validates before asking the core, and points at the field', async () => {
    const signIn = answer('session', 'signIn', { status: 'registered' })
    render(SignIn)
    await fireEvent.click(screen.getByTestId('signin-submit'))
    expect(signIn).not.toHaveBeenCalled()
    expect(screen.getByLabelText('SIP address').getAttribute('aria-invalid')).toBe('true')
    expect(screen.getByText(/Enter a SIP address like/)).toBeTruthy()
  })

  it('adds the sip: scheme and sends the overrides, client certificate and remember me', async () => {
    const signIn = answer('session', 'signIn', { status: 'registered' })
    render(SignIn)
    await fireEvent.input(screen.getByLabelText('SIP address'), {
      target: { value: 'alice@lab.trustline.test' }
    })
    await fireEvent.input(screen.getByLabelText('Password'), { target: { value: 's3cret' } })
    await fireEvent.input(screen.getByLabelText(/^Server/), { target: { value: '127.0.0.1' } })
    await fireEvent.input(screen.getByLabelText('Port'), { target: { value: '5071' } })
    await fireEvent.change(screen.getByLabelText('Transport'), { target: { value: 'tls' } })
    const file = new File([new Uint8Array([1, 2, 3])], 'alice.p12')
    // jsdom's File has no arrayBuffer(); the component reads the bytes through it.
    Object.defineProperty(file, 'arrayBuffer', {
      value: () => Promise.resolve(new Uint8Array([1, 2, 3]).buffer)
    })
    const input = screen.getByLabelText(/^Client certificate/)
    Object.defineProperty(input, 'files', { value: [file] })
    await fireEvent.change(input)
    await fireEvent.input(screen.getByLabelText('Certificate passphrase'), {
      target: { value: 'alice-p12' }
    })
    await fireEvent.click(screen.getByLabelText(/^Remember me/))
    await vi.waitFor(async () => {
      await fireEvent.click(screen.getByTestId('signin-submit'))
      expect(signIn).toHaveBeenCalledWith({
        aor: 'sip:alice@lab.trustline.test',
        password: 's3cret',
        server: { host: '127.0.0.1', port: 5071 },
        transport: 'tls',
        clientCertificate: {
          fileName: 'alice.p12',
          format: 'pkcs12',
          dataBase64: 'AQID',
          passphrase: 'alice-p12'
        },
        remember: true
      })
    })
  })

  it('refuses a port out of range before asking the core', async () => {
    const signIn = answer('session', 'signIn', { status: 'registered' })
    render(SignIn)
    await fireEvent.input(screen.getByLabelText('SIP address'), { target: { value: 'a@b.c' } })
    await fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'x' } })
    await fireEvent.input(screen.getByLabelText('Port'), { target: { value: '70000' } })
    await fireEvent.click(screen.getByTestId('signin-submit'))
    expect(signIn).not.toHaveBeenCalled()
    expect(screen.getByText(/Enter a port from 1 to 65535/)).toBeTruthy()
  })

  it('offers the remembered account and says why passwords cannot be kept', async () => {
    answer('account', 'getSaved', {
      account: { aor: 'sip:alice@lab.trustline.test', hasSavedPassword: true },
      vault: { available: false, reason: 'browser-host' }
    })
    answer('session', 'getState', { status: 'signed-out' })
    await session.start()
    const saved = answer('account', 'signInSaved', { status: 'registered' })
    render(SignIn)
    expect(screen.getByLabelText<HTMLInputElement>('SIP address').value).toBe(
      'sip:alice@lab.trustline.test'
    )
    expect(screen.getByText(/only be kept by the desktop app/)).toBeTruthy()
    await fireEvent.click(screen.getByText('Sign in with the remembered account'))
    expect(saved).toHaveBeenCalledWith({ aor: 'sip:alice@lab.trustline.test' })
  })

  it.each([
    ['wrong-password', 'The password is not correct'],
    ['unknown-user', 'does not know this SIP address'],
    ['network', 'could not be reached'],
    ['timeout', 'did not answer in time'],
    ['untrusted', 'server could not be trusted']
  ] as const)('explains a %s failure in plain words', (code, text) => {
    session.state = { status: 'failed', failure: { code, reason: 'x' } }
    render(SignIn)
    const failure = screen.getByTestId('signin-failure')
    expect(failure.getAttribute('role')).toBe('alert')
    expect(failure.textContent).toContain(text)
  })

  it('shows the headline finding in words and a way to the reasons', async () => {
    session.state = {
      status: 'failed',
      failure: {
        code: 'untrusted',
        reason: 'certificate expired',
        finding: {
          code: 'certificate-changed',
          severity: 'error',
          certIndex: 0,
          certSubject: null,
          params: { host: 'sip.example.org', port: 5061, acceptedAt: '2026-01-05T00:00:00.000Z' },
          detail: 'pins AA, presented BB'
        }
      }
    }
    render(SignIn)
    expect(screen.getByTestId('signin-headline').textContent).toContain(
      'sip.example.org:5061 now presents a different certificate from the one you accepted as an exception on 5 January 2026'
    )
    i18n.setLanguage('zh-CN')
    await vi.waitFor(() =>
      expect(screen.getByTestId('signin-headline').textContent).toContain('2026年1月5日')
    )
    i18n.setLanguage('en')
    await fireEvent.click(screen.getByTestId('signin-why'))
    expect(nav.view).toBe('connection')
    nav.go('home')
  })

  it('shows an unwired core as a translated error, not a crash', async () => {
    render(SignIn)
    await fireEvent.input(screen.getByLabelText('SIP address'), {
      target: { value: 'sip:alice@lab.trustline.test' }
    })
    await fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'x' } })
    await fireEvent.click(screen.getByTestId('signin-submit'))
    await vi.waitFor(() =>
      expect(screen.getByTestId('signin-error').textContent).toContain('cannot do this yet')
    )
  })

  it('follows the policy: a locked server is shown and not sent, other domains are refused', async () => {
    policy.policy = makePolicy({
      server: { host: 'sip.corp.example', port: 5061 },
      allowedSipDomains: ['corp.example']
    })
    const signIn = answer('session', 'signIn', { status: 'registered' })
    render(SignIn)
    expect(screen.getByTestId('server-locked').textContent).toContain('sip.corp.example:5061')
    expect(screen.getByLabelText<HTMLInputElement>(/^Server/).readOnly).toBe(true)
    await fireEvent.input(screen.getByLabelText('SIP address'), {
      target: { value: 'alice@other.example' }
    })
    await fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'x' } })
    await fireEvent.click(screen.getByTestId('signin-submit'))
    expect(signIn).not.toHaveBeenCalled()
    expect(screen.getByText(/only allows these SIP domains: corp.example/)).toBeTruthy()
    await fireEvent.input(screen.getByLabelText('SIP address'), {
      target: { value: 'alice@corp.example' }
    })
    await fireEvent.click(screen.getByTestId('signin-submit'))
    expect(signIn).toHaveBeenCalledWith({ aor: 'sip:alice@corp.example', password: 'x' })
  })

  // The form reads the domain with the core's own parser (shared parseAor), so it never refuses
  // what the core would let through: an IDN typed in Unicode, in any case.
  it.each(['alice@Bücher.Example', 'sip:alice@XN--BCHER-KVA.example'])(
    'takes the domain of %s as the policy spells it',
    async (typed) => {
      policy.policy = makePolicy({ allowedSipDomains: ['xn--bcher-kva.example'] })
      const signIn = answer('session', 'signIn', { status: 'registered' })
      render(SignIn)
      await fireEvent.input(screen.getByLabelText('SIP address'), { target: { value: typed } })
      await fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'x' } })
      await fireEvent.click(screen.getByTestId('signin-submit'))
      expect(screen.queryByText(/only allows these SIP domains/)).toBeNull()
      expect(signIn).toHaveBeenCalledTimes(1)
    }
  )

  it('asks for a WebSocket path only for wss, checks it, and sends it with the server', async () => {
    const signIn = answer('session', 'signIn', { status: 'registered' })
    render(SignIn)
    expect(screen.queryByLabelText('WebSocket path')).toBeNull()
    await fireEvent.input(screen.getByLabelText('SIP address'), { target: { value: 'a@b.c' } })
    await fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'x' } })
    await fireEvent.input(screen.getByLabelText(/^Server/), { target: { value: '127.0.0.1' } })
    await fireEvent.input(screen.getByLabelText('Port'), { target: { value: '8443' } })
    await fireEvent.change(screen.getByLabelText('Transport'), { target: { value: 'wss' } })
    await fireEvent.input(screen.getByLabelText('WebSocket path'), { target: { value: 'ws' } })
    await fireEvent.click(screen.getByTestId('signin-submit'))
    expect(signIn).not.toHaveBeenCalled()
    expect(screen.getByText(/A path starts with \//)).toBeTruthy()
    await fireEvent.input(screen.getByLabelText('WebSocket path'), { target: { value: '/ws' } })
    await fireEvent.click(screen.getByTestId('signin-submit'))
    expect(signIn).toHaveBeenCalledWith({
      aor: 'sip:a@b.c',
      password: 'x',
      server: { host: '127.0.0.1', port: 8443, path: '/ws' },
      transport: 'wss'
    })
  })

  it('keeps what was typed, except the password, when it is shown again', async () => {
    render(SignIn)
    await type({ 'SIP address': 'alice@lab.trustline.test', Password: 's3cret' })
    await type({ 'Display name (optional)': 'Alice' })
    // jsdom does not open <details> on a click: open it as the browser would.
    const options = screen.getByText('Server and certificate options').closest('details')!
    options.open = true
    await fireEvent(options, new Event('toggle'))
    await fireEvent.input(screen.getByLabelText(/^Server/), { target: { value: '127.0.0.1' } })
    await type({ Port: '5071' })
    await fireEvent.change(screen.getByLabelText('Transport'), { target: { value: 'tls' } })
    // "Why is this server not trusted?" and back: the form is made anew.
    cleanup()
    render(SignIn)
    const value = (label: string | RegExp) =>
      screen.getByLabelText<HTMLInputElement | HTMLSelectElement>(label).value
    expect(value('SIP address')).toBe('alice@lab.trustline.test')
    expect(value('Display name (optional)')).toBe('Alice')
    expect(value(/^Server/)).toBe('127.0.0.1')
    expect(value('Port')).toBe('5071')
    expect(value('Transport')).toBe('tls')
    expect(screen.getByText('Server and certificate options').closest('details')?.open).toBe(true)
    expect(value('Password')).toBe('')
  })

  describe('the DNS-hijack question', () => {
    const question = {
      sipDomain: 'hijack.example',
      serverHost: 'sip.other.example',
      port: 5061,
      certificateNames: ['DNS:sip.other.example']
    }
    const request = { aor: 'sip:alice@hijack.example', password: 's3cret' }

    /** The connection as the core shows it while the question is open. */
    const asking = (attemptId: string) => ({
      attemptId,
      sipDomain: 'hijack.example',
      server: null,
      transport: 'tls' as const,
      trace: [],
      question
    })

    /** The core asks the question while it answers the attempt that met it. */
    function askThenAnswer() {
      let attempts = 0
      return answer('session', 'signIn', {}).mockImplementation(() => {
        attempts++
        if (attempts > 1) return Promise.resolve({ ok: true, value: { status: 'registered' } })
        connection.info = asking('a1')
        return Promise.resolve({
          ok: true,
          value: { status: 'failed', failure: { code: 'untrusted', reason: 'DNS sent it away' } }
        })
      })
    }

    it('goes on with the same attempt once the user trusts the server: no password again', async () => {
      const signIn = askThenAnswer()
      const decide = answer('trust', 'decideDomain', {
        ...question,
        allow: true,
        decidedAt: '2026-11-28T12:00:00Z'
      })
      render(SignIn)
      await type({ 'SIP address': 'alice@hijack.example', Password: 's3cret' })
      await fireEvent.click(screen.getByTestId('signin-submit'))
      await vi.waitFor(() => expect(screen.getByTestId('domain-question')).toBeTruthy())
      expect(screen.getByTestId('signin-failure')).toBeTruthy()
      await fireEvent.click(screen.getByRole('button', { name: /^Trust this server/ }))
      expect(decide).toHaveBeenCalledWith({
        sipDomain: 'hijack.example',
        serverHost: 'sip.other.example',
        allow: true
      })
      await vi.waitFor(() => expect(signIn).toHaveBeenCalledTimes(2))
      expect(signIn).toHaveBeenLastCalledWith(request)
      await vi.waitFor(() => expect(session.state.status).toBe('registered'))
      // The alert of the attempt that asked is gone; the answer is said.
      expect(screen.queryByTestId('signin-failure')).toBeNull()
      expect(screen.getByTestId('domain-answered').textContent).toContain('trusted')
    })

    it('answered from the connection panel, it goes on the same way', async () => {
      const signIn = askThenAnswer()
      answer('trust', 'decideDomain', { ...question, allow: true, decidedAt: '2026-11-28' })
      await session.signIn(request)
      render(DomainQuestion, { props: { question } })
      await fireEvent.click(screen.getByRole('button', { name: /^Trust this server/ }))
      await vi.waitFor(() => expect(signIn).toHaveBeenCalledTimes(2))
      expect(signIn).toHaveBeenLastCalledWith(request)
    })

    it('does not sign in when the user refuses, and keeps no password for later', async () => {
      const signIn = askThenAnswer()
      answer('trust', 'decideDomain', { ...question, allow: false, decidedAt: '2026-11-28' })
      await session.signIn(request)
      render(DomainQuestion, { props: { question } })
      await fireEvent.click(screen.getByRole('button', { name: 'Do not connect' }))
      await vi.waitFor(() => expect(connection.answered).toBe('refused'))
      expect(signIn).toHaveBeenCalledTimes(1)
      // A later "trust" (the question asked again elsewhere) has no attempt to go on with.
      connection.info = asking('a2')
      answer('trust', 'decideDomain', { ...question, allow: true, decidedAt: '2026-11-28' })
      await session.answerQuestion(true)
      expect(signIn).toHaveBeenCalledTimes(1)
    })

    it('drops the kept attempt when another one starts', async () => {
      const signIn = askThenAnswer()
      answer('trust', 'decideDomain', { ...question, allow: true, decidedAt: '2026-11-28' })
      await session.signIn(request)
      refuse('session', 'signIn', 'unavailable')
      await session.signIn({ aor: 'sip:bob@example.org', password: 'other' })
      connection.info = asking('a2')
      answer('session', 'signIn', { status: 'registered' })
      await session.answerQuestion(true)
      // The first attempt (and its password) was dropped when the second started.
      expect(signIn).toHaveBeenCalledTimes(2)
      expect(signIn).toHaveBeenLastCalledWith({ aor: 'sip:bob@example.org', password: 'other' })
    })
  })

  it('a new attempt clears the alerts of the last one while it runs', async () => {
    session.state = { status: 'failed', failure: { code: 'wrong-password', reason: 'Forbidden' } }
    connection.answered = 'refused'
    let finish: (value: unknown) => void = () => undefined
    answer('session', 'signIn', {}).mockImplementation(
      () => new Promise((resolve) => (finish = resolve))
    )
    render(SignIn)
    expect(screen.getByTestId('signin-failure')).toBeTruthy()
    await type({ 'SIP address': 'alice@lab.trustline.test', Password: 'again' })
    await fireEvent.click(screen.getByTestId('signin-submit'))
    expect(screen.queryByTestId('signin-failure')).toBeNull()
    expect(screen.queryByTestId('domain-answered')).toBeNull()
    finish({ ok: true, value: { status: 'registered' } })
    await vi.waitFor(() => expect(session.state.status).toBe('registered'))
  })
})
