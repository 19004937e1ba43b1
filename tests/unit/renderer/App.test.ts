import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '../../../renderer/src/App.svelte'
import { nav, presence, profile, session } from '../../../renderer/src/lib/state'
import { emit } from './api-mock'
import { answer, refuse, resetApi } from './api-mock'

vi.mock('../../../renderer/src/lib/api', async () => (await import('./api-mock')).apiModule)

afterEach(() => cleanup())

const info = {
  name: 'TrustLine',
  version: '0.1.0',
  platform: 'linux',
  arch: 'x64',
  host: 'browser',
  nodeVersion: '24.0.0',
  electronVersion: null,
  tlsLibrary: 'OpenSSL 3.5',
  startedAt: '2026-11-28T12:00:00Z'
}

describe('App', () => {
  beforeEach(() => {
    resetApi()
    nav.go('home')
    session.state = { status: 'signed-out' }
    presence.contacts = []
    profile.view = null
  })

  it('shows the core error when it cannot be reached', async () => {
    refuse('app', 'getInfo', 'unauthorized', 'The token is wrong.')
    render(App)
    await vi.waitFor(() =>
      expect(screen.getByTestId('app-error').textContent).toContain('The token is wrong.')
    )
  })

  it('opens on sign-in; the badge opens the connection panel', async () => {
    answer('app', 'getInfo', info)
    answer('session', 'getState', { status: 'signed-out' })
    render(App)
    await vi.waitFor(() => expect(screen.getByTestId('sign-in')).toBeTruthy())
    await fireEvent.click(screen.getByTestId('trust-badge'))
    expect(screen.getByTestId('connection-panel')).toBeTruthy()
    expect(screen.getByTestId('nav-connection').getAttribute('aria-current')).toBe('page')
  })

  it('shows the main screen while reconnecting, with why and when', async () => {
    answer('app', 'getInfo', info)
    answer('session', 'getState', {
      status: 'reconnecting',
      attempt: 2,
      nextRetryAt: '2026-11-28T12:01:00Z',
      failure: { code: 'network', reason: 'ECONNRESET' }
    })
    render(App)
    const banner = await vi.waitFor(() => screen.getByTestId('reconnect-info'))
    expect(banner.textContent).toContain('Connection lost')
    expect(banner.textContent).toContain('could not be reached')
    expect(banner.textContent).toContain('Attempt 2')
    expect(screen.getByTestId('contact-list')).toBeTruthy()
  })

  it('puts the unread total in the window title', async () => {
    answer('app', 'getInfo', info)
    render(App)
    presence.contacts = [
      {
        uri: 'sip:bob@example.org',
        presence: { state: 'available' },
        subscription: { status: 'active' },
        unread: 3
      }
    ]
    await vi.waitFor(() => expect(document.title).toBe('(3) TrustLine'))
  })

  it('shows who is signed in: display name, SIP address and presence; another account replaces it', async () => {
    answer('app', 'getInfo', info)
    answer('session', 'getState', { status: 'registered', aor: 'sip:alice@example.org' })
    answer('profile', 'get', { aor: 'sip:alice@example.org', displayName: 'Alice Example' })
    answer('presence', 'get', { state: 'busy' })
    render(App)
    // By test id: getByRole walks the accessibility tree of the whole main screen (slow in jsdom).
    const me = await vi.waitFor(() => screen.getByTestId('signed-in-as'))
    expect([me.getAttribute('role'), me.getAttribute('aria-label')]).toEqual([
      'group',
      'Signed-in account'
    ])
    await vi.waitFor(() => expect(me.textContent).toContain('Your status: Busy'))
    expect(screen.getByTestId('me-name').textContent).toBe('Alice Example')
    expect(screen.getByTestId('me-aor').textContent).toBe('sip:alice@example.org')
    emit('profile', 'onChanged', { aor: 'sip:carol@example.org' })
    await vi.waitFor(() =>
      expect(screen.getByTestId('me-aor').textContent).toBe('sip:carol@example.org')
    )
    expect(screen.queryByTestId('me-name')).toBeNull()
    expect(screen.getByTestId('signed-in-as').textContent).not.toContain('Alice')
  })

  it('shows no account in the header while signed out', async () => {
    answer('app', 'getInfo', info)
    answer('session', 'getState', { status: 'signed-out' })
    answer('profile', 'get', { aor: 'sip:alice@example.org' })
    render(App)
    await vi.waitFor(() => expect(screen.getByTestId('sign-in')).toBeTruthy())
    expect(screen.queryByTestId('signed-in-as')).toBeNull()
  })
})
