import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { ImMessage } from '../../../../../shared/types/im'
import { answer, calls, refuse, resetApi } from '../../api-mock'
import { im, presence } from '../../../../../renderer/src/lib/state'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

const bob = 'sip:bob@lab.trustline.test'
const dora = 'sip:dora@elsewhere.test'
const erin = 'sip:erin@elsewhere.test'
const msg = (conversation: string, id: string, sentAt: string): ImMessage => ({
  id,
  conversation,
  direction: 'in',
  body: `hello from ${conversation}`,
  sentAt,
  state: 'received'
})

describe('im state: conversations kept in history', () => {
  beforeEach(() => {
    resetApi()
    im.close()
    im.conversations = {}
    im.otherUnread = {}
    presence.contacts = [
      { uri: bob, presence: { state: 'available' }, subscription: { status: 'active' }, unread: 2 }
    ]
  })

  it('shows chats with people outside the roster again after a restart, newest first', async () => {
    answer('im', 'listConversations', [
      { conversation: erin, last: msg(erin, 'e9', '2026-11-30T10:00:00Z'), unread: 0 },
      { conversation: bob, last: msg(bob, 'b1', '2026-11-29T10:00:00Z'), unread: 2 },
      { conversation: dora, last: msg(dora, 'd3', '2026-11-28T10:00:00Z'), unread: 3 },
      { conversation: 'sip:empty@elsewhere.test', unread: 0 }
    ])
    await im.loadConversations()
    expect(calls['im']!['listConversations']).toHaveBeenCalledTimes(1)
    expect(im.others).toEqual([
      { uri: erin, unread: 0 },
      { uri: dora, unread: 3 }
    ])
    // Contacts keep the unread count the core gives with the roster.
    expect(presence.contacts[0]?.unread).toBe(2)
    expect(im.otherUnread[bob]).toBeUndefined()
  })

  it("drops the previous account's conversations when another account's data is shown", async () => {
    im.showProfile('sip:alice@lab.trustline.test')
    answer('im', 'listConversations', [
      { conversation: dora, last: msg(dora, 'd3', '2026-11-28T10:00:00Z'), unread: 3 }
    ])
    await im.loadConversations()
    await im.open(dora)
    expect(im.others).toEqual([{ uri: dora, unread: 3 }])
    // The same account again (a window reload, a reconnect): nothing is dropped.
    im.showProfile('sip:alice@lab.trustline.test')
    expect(im.others).toHaveLength(1)
    im.showProfile('sip:carol@lab.trustline.test')
    expect([im.others, im.active, im.conversations]).toEqual([[], null, {}])
    answer('im', 'listConversations', [])
    await im.loadConversations()
    expect(im.others).toEqual([])
  })

  it("drops a list asked for one account that arrives after another's data is shown", async () => {
    im.showProfile('sip:alice@lab.trustline.test')
    answer('im', 'listConversations', [
      { conversation: dora, last: msg(dora, 'd3', '2026-11-28T10:00:00Z'), unread: 3 }
    ])
    const loading = im.loadConversations()
    im.showProfile('sip:carol@lab.trustline.test')
    await loading
    expect([im.others, im.conversations]).toEqual([[], {}])
  })

  it('keeps a conversation already loaded and survives a core that cannot list', async () => {
    im.conversations = { [dora]: [msg(dora, 'd1', 't1'), msg(dora, 'd2', 't2')] }
    answer('im', 'listConversations', [
      { conversation: dora, last: msg(dora, 'd2', 't2'), unread: 1 }
    ])
    // A message counted while the list was on its way: the window's count is newer.
    im.otherUnread = { [dora]: 2 }
    await im.loadConversations()
    expect(im.conversations[dora]?.map((m) => m.id)).toEqual(['d1', 'd2'])
    expect(im.otherUnread[dora]).toBe(2)
    refuse('im', 'listConversations', 'unavailable')
    await im.loadConversations()
    expect(im.others).toEqual([{ uri: dora, unread: 2 }])
    expect(im.error).toBeNull()
  })
})
