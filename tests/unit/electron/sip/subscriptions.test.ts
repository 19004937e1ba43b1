import { describe, expect, it } from 'vitest'
import {
  SubscriptionManager,
  type SubscriptionEvents
} from '../../../../electron/main/sip/subscriptions'
import { buildPidf } from '../../../../electron/main/sip/pidf'
import { ManualTimers } from './fake-timers'

function setup() {
  const timers = new ManualTimers()
  const subs: Array<{ target: string; ev: SubscriptionEvents; terminated: boolean }> = []
  const mgr = new SubscriptionManager({ timers, random: () => 0.5 })
  const subscribe = (target: string, ev: SubscriptionEvents) => {
    const s = { target, ev, terminated: false }
    subs.push(s)
    return { terminate: () => (s.terminated = true) }
  }
  const last = () => subs[subs.length - 1]!
  return { timers, subs, mgr, subscribe, last }
}

describe('SubscriptionManager', () => {
  it('subscribes on attach and tracks pending → active → presence from NOTIFY', () => {
    const t = setup()
    t.mgr.setContacts(['sip:bob@x.org'])
    expect(t.mgr.get('sip:bob@x.org')?.subscription.status).toBe('none')
    t.mgr.attach(t.subscribe)
    expect(t.subs.map((s) => s.target)).toEqual(['sip:bob@x.org'])
    t.last().ev.onPending()
    expect(t.mgr.get('sip:bob@x.org')?.subscription.status).toBe('pending')
    t.last().ev.onNotify(undefined, undefined)
    t.last().ev.onActive()
    t.last().ev.onNotify(buildPidf('sip:bob@x.org', 'busy', 'call'), 'application/pidf+xml')
    expect(t.mgr.get('sip:bob@x.org')).toMatchObject({
      presence: { state: 'busy', note: 'call' },
      subscription: { status: 'active' }
    })
  })

  it('keeps health and gives unknown for a garbage NOTIFY body, without throwing', () => {
    const t = setup()
    t.mgr.setContacts(['sip:bob@x.org'])
    t.mgr.attach(t.subscribe)
    t.last().ev.onActive()
    t.last().ev.onNotify('<presence><broken', 'application/pidf+xml')
    expect(t.mgr.get('sip:bob@x.org')?.presence.state).toBe('unknown')
    expect(t.mgr.get('sip:bob@x.org')?.subscription.status).toBe('active')
  })

  it('re-subscribes at once after deactivated/timeout', async () => {
    const t = setup()
    t.mgr.setContacts(['sip:bob@x.org'])
    t.mgr.attach(t.subscribe)
    t.last().ev.onTerminated({ reason: 'timeout' })
    await t.timers.advance(0)
    expect(t.subs).toHaveLength(2)
  })

  it('does not come back after rejected, and reports refusals as error with status', () => {
    const t = setup()
    t.mgr.setContacts(['sip:a@x.org', 'sip:b@x.org'])
    t.mgr.attach(t.subscribe)
    t.subs[0]!.ev.onTerminated({ reason: 'rejected' })
    t.subs[1]!.ev.onTerminated({ reason: 'Forbidden', status: 403 })
    expect(t.mgr.get('sip:a@x.org')?.subscription).toMatchObject({
      status: 'terminated',
      reason: 'rejected'
    })
    expect(t.mgr.get('sip:b@x.org')?.subscription).toMatchObject({
      status: 'error',
      reason: '403 Forbidden'
    })
    expect(t.timers.pending.size).toBe(0)
  })

  it('backs off on server errors, honouring Retry-After', async () => {
    const t = setup()
    t.mgr.setContacts(['sip:bob@x.org'])
    t.mgr.attach(t.subscribe)
    t.last().ev.onTerminated({ reason: 'Service Unavailable', status: 503, retryAfter: 90 })
    expect(t.timers.nextDelay()).toBe(90_000)
    await t.timers.advance(90_000)
    t.last().ev.onTerminated({ reason: 'timeout', transport: true })
    expect(t.timers.nextDelay()).toBeGreaterThan(30_000)
    expect(t.mgr.get('sip:bob@x.org')?.subscription.status).toBe('error')
  })

  it('marks subscriptions down on detach and re-subscribes on attach', () => {
    const t = setup()
    t.mgr.setContacts(['sip:bob@x.org'])
    t.mgr.attach(t.subscribe)
    t.last().ev.onActive()
    t.mgr.detach()
    expect(t.mgr.get('sip:bob@x.org')?.subscription).toMatchObject({
      status: 'error',
      reason: 'connection lost'
    })
    // Callbacks of the dead subscription are ignored.
    t.subs[0]!.ev.onActive()
    expect(t.mgr.get('sip:bob@x.org')?.subscription.status).toBe('error')
    t.mgr.attach(t.subscribe)
    expect(t.subs).toHaveLength(2)
  })

  it('unsubscribes removed contacts and everyone on terminateAll', () => {
    const t = setup()
    t.mgr.attach(t.subscribe)
    t.mgr.add('sip:a@x.org')
    t.mgr.add('sip:b@x.org')
    t.mgr.remove('sip:a@x.org')
    expect(t.subs[0]!.terminated).toBe(true)
    t.mgr.terminateAll()
    expect(t.subs[1]!.terminated).toBe(true)
    expect(t.mgr.list().map((c) => c.uri)).toEqual(['sip:b@x.org'])
  })
})
