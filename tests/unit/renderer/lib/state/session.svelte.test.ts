import { beforeEach, describe, expect, it, vi } from 'vitest'
import { answer, emit, refuse, resetApi } from '../../api-mock'
import { session } from '../../../../../renderer/src/lib/state'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

describe('session state', () => {
  beforeEach(() => {
    resetApi()
    session.state = { status: 'signed-out' }
    session.error = null
    session.saved = null
  })

  it('signs in and follows state events', async () => {
    const request = {
      aor: 'sip:alice@lab.trustline.test',
      password: 'pw',
      server: { host: '127.0.0.1', port: 5061 },
      remember: true
    }
    const signIn = answer('session', 'signIn', {
      status: 'registered',
      aor: 'sip:alice@lab.trustline.test'
    })
    await session.start()
    await session.signIn(request)
    expect(signIn).toHaveBeenCalledWith(request)
    expect(session.active).toBe(true)
    emit('session', 'onStateChanged', { status: 'reconnecting', attempt: 1 })
    expect(session.state.status).toBe('reconnecting')
    expect(session.active).toBe(true)
  })

  it('a failed sign-in is state, not an IPC error', async () => {
    answer('session', 'signIn', {
      status: 'failed',
      failure: { code: 'wrong-password', status: 403, reason: 'Forbidden' }
    })
    await session.signIn({ aor: 'sip:a@b.c', password: 'x' })
    expect(session.state.failure?.code).toBe('wrong-password')
    expect(session.error).toBeNull()
  })

  it('an unwired core leaves the session signed out with the error kept', async () => {
    refuse('session', 'signIn', 'unavailable', 'not wired')
    await session.signIn({ aor: 'sip:a@b.c', password: 'x' })
    expect(session.state.status).toBe('signed-out')
    expect(session.error?.code).toBe('unavailable')
    expect(session.busy).toBe(false)
  })

  it('loads the remembered account, signs in with it and forgets it', async () => {
    const account = { aor: 'sip:alice@lab.trustline.test', hasSavedPassword: true }
    answer('account', 'getSaved', { account, vault: { available: true, reason: null } })
    answer('session', 'getState', { status: 'signed-out' })
    const saved = answer('account', 'signInSaved', { status: 'registered' })
    answer('account', 'forget', { forgotten: true })
    await session.start()
    expect(session.saved).toEqual(account)
    await session.signInSaved()
    expect(saved).toHaveBeenCalledWith({ aor: account.aor })
    expect(session.state.status).toBe('registered')
    await session.forgetSaved()
    expect(session.saved).toBeNull()
    emit('account', 'onSavedChanged', account)
    expect(session.saved).toEqual(account)
  })
})
