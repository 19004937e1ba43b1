import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { ContactView } from '../../../../../shared/types/presence'
import { answer, emit, resetApi } from '../../api-mock'
import { isStale, presence } from '../../../../../renderer/src/lib/state'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

const bob: ContactView = {
  uri: 'sip:bob@lab.trustline.test',
  displayName: 'Bob',
  presence: { state: 'unknown' },
  subscription: { status: 'pending' },
  unread: 0
}

describe('presence state', () => {
  beforeEach(() => {
    resetApi()
    presence.contacts = []
  })

  it('loads the roster and applies presence:changed by normalized address', async () => {
    answer('presence', 'get', { state: 'available' })
    answer('contacts', 'list', [bob])
    await presence.start()
    emit('presence', 'onChanged', {
      uri: 'SIP:bob@LAB.trustline.test',
      presence: { state: 'busy', note: 'In a meeting' },
      subscription: { status: 'active', lastUpdate: new Date().toISOString() }
    })
    expect(presence.contacts[0]?.presence).toEqual({ state: 'busy', note: 'In a meeting' })
    expect(isStale(presence.contacts[0]!)).toBe(false)
  })

  it('marks pending, terminated, error and long-quiet subscriptions stale', () => {
    const now = Date.parse('2026-11-28T12:00:00Z')
    const at = (status: ContactView['subscription']['status'], lastUpdate?: string) =>
      isStale({ subscription: { status, ...(lastUpdate ? { lastUpdate } : {}) } }, now)
    expect(at('pending')).toBe(true)
    expect(at('terminated')).toBe(true)
    expect(at('error')).toBe(true)
    expect(at('active', '2026-11-28T11:59:00Z')).toBe(false)
    expect(at('active', '2026-11-28T06:00:00Z')).toBe(true)
    expect(at('none')).toBe(false)
  })

  it('adds and removes contacts, and sets own presence with a trimmed note', async () => {
    answer('contacts', 'add', bob)
    answer('contacts', 'remove', { removed: true })
    const set = answer('presence', 'set', { state: 'away', note: 'lunch' })
    expect(await presence.add({ uri: bob.uri })).toBe(true)
    expect(presence.contacts).toHaveLength(1)
    await presence.remove(bob.uri)
    expect(presence.contacts).toHaveLength(0)
    await presence.setOwn('away', '  lunch ')
    expect(set).toHaveBeenCalledWith({ state: 'away', note: 'lunch' })
    expect(presence.own.state).toBe('away')
  })
})
