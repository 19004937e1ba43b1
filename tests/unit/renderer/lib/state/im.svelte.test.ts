import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { ImMessage } from '../../../../../shared/types/im'
import { answer, calls, emit, resetApi } from '../../api-mock'
import { im, presence } from '../../../../../renderer/src/lib/state'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

const bob = 'sip:bob@lab.trustline.test'
const msg = (over: Partial<ImMessage>): ImMessage => ({
  id: 'm1',
  conversation: bob,
  direction: 'in',
  body: 'hi',
  sentAt: '2026-11-28T12:00:00Z',
  state: 'received',
  ...over
})

describe('im state', () => {
  beforeEach(() => {
    resetApi()
    im.start()
    im.close()
    im.conversations = {}
    presence.contacts = [
      {
        uri: bob,
        presence: { state: 'available' },
        subscription: { status: 'active' },
        unread: 0
      }
    ]
  })

  it('counts unread for a conversation that is not open', () => {
    emit('im', 'onReceived', msg({}))
    expect(presence.contacts[0]?.unread).toBe(1)
  })

  it('opening loads history and marks read', async () => {
    answer('im', 'history', {
      conversation: bob,
      messages: [msg({})],
      unread: 1,
      recoveredTornLine: false,
      hasOlder: false
    })
    answer('im', 'markRead', { unread: 0 })
    presence.setUnread(bob, 3)
    await im.open(bob)
    expect(im.messages).toHaveLength(1)
    expect(calls['im']!['markRead']).toHaveBeenCalledWith({ conversation: bob })
    expect(presence.contacts[0]?.unread).toBe(0)
  })

  it('sends, then follows delivery updates to failed with the reason', async () => {
    answer('im', 'history', {
      conversation: bob,
      messages: [],
      unread: 0,
      recoveredTornLine: false,
      hasOlder: false
    })
    answer('im', 'markRead', { unread: 0 })
    answer('im', 'typing', { sent: true })
    const sent = msg({ id: 'o1', direction: 'out', state: 'sending', body: 'hello' })
    const send = answer('im', 'send', sent)
    await im.open(bob)
    expect(await im.send('  hello  ')).toBe(true)
    expect(send).toHaveBeenCalledWith({ to: bob, body: 'hello' })
    emit('im', 'onMessageUpdated', {
      ...sent,
      state: 'failed',
      failure: { status: 480, reason: 'Temporarily Unavailable' }
    })
    expect(im.messages.map((m) => m.state)).toEqual(['failed'])
  })

  it('shows the peer typing and clears it when their message arrives', async () => {
    answer('im', 'history', {
      conversation: bob,
      messages: [],
      unread: 0,
      recoveredTornLine: false,
      hasOlder: false
    })
    answer('im', 'markRead', { unread: 0 })
    await im.open(bob)
    emit('im', 'onTypingChanged', { conversation: bob, active: true })
    expect(im.peerTyping).toBe(true)
    emit('im', 'onReceived', msg({ id: 'm2' }))
    expect(im.peerTyping).toBe(false)
  })
})

describe('im state: people who are not contacts', () => {
  it('keeps their conversation apart with its own unread count', async () => {
    resetApi()
    im.start()
    im.close()
    im.conversations = {}
    presence.contacts = []
    const stranger = 'sip:erin@lab.trustline.test'
    emit('im', 'onReceived', msg({ id: 's1', conversation: stranger }))
    emit('im', 'onReceived', msg({ id: 's2', conversation: stranger }))
    expect(im.others).toEqual([{ uri: stranger, unread: 2 }])
    answer('im', 'history', {
      conversation: stranger,
      messages: [],
      unread: 2,
      recoveredTornLine: false,
      hasOlder: false
    })
    answer('im', 'markRead', { unread: 0 })
    await im.open(stranger)
    expect(im.others).toEqual([{ uri: stranger, unread: 0 }])
    presence.contacts = [
      {
        uri: stranger,
        presence: { state: 'unknown' },
        subscription: { status: 'pending' },
        unread: 0
      }
    ]
    expect(im.others).toEqual([])
  })
})

describe('im state: our typing indicator', () => {
  it('says "typing" once per burst and "stopped" when the message is sent', async () => {
    resetApi()
    const bob = 'sip:bob@lab.trustline.test'
    answer('im', 'history', {
      conversation: bob,
      messages: [],
      unread: 0,
      recoveredTornLine: false,
      hasOlder: false
    })
    answer('im', 'markRead', { unread: 0 })
    answer('im', 'send', msg({ id: 'o9', direction: 'out', state: 'sending', body: 'x' }))
    const typing = answer('im', 'typing', { sent: true })
    await im.open(bob)
    im.composing()
    im.composing()
    im.composing()
    expect(typing).toHaveBeenCalledTimes(1)
    expect(typing).toHaveBeenLastCalledWith({ conversation: bob, active: true })
    await im.send('x')
    expect(typing).toHaveBeenLastCalledWith({ conversation: bob, active: false })
    expect(typing).toHaveBeenCalledTimes(2)
  })

  it('opens with the newest page and pages back with the oldest id as cursor', async () => {
    const page = (ids: string[], hasOlder: boolean) => ({
      conversation: bob,
      messages: ids.map((id) => msg({ id })),
      unread: 0,
      recoveredTornLine: false,
      hasOlder
    })
    const history = answer('im', 'history', page(['m3', 'm4'], true))
    answer('im', 'markRead', { unread: 0 })
    await im.open(bob)
    expect(history).toHaveBeenLastCalledWith({ conversation: bob, limit: 100 })
    expect(im.hasOlder).toBe(true)
    // A message that arrived meanwhile stays; one the page repeats is not shown twice.
    emit('im', 'onReceived', msg({ id: 'm5' }))
    answer('im', 'history', page(['m1', 'm2', 'm3'], false))
    await im.loadOlder()
    expect(calls['im']!['history']).toHaveBeenLastCalledWith({
      conversation: bob,
      limit: 100,
      before: 'm3'
    })
    expect(im.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5'])
    expect(im.hasOlder).toBe(false)
    await im.loadOlder()
    expect(calls['im']!['history']).toHaveBeenCalledTimes(2)
  })
})
