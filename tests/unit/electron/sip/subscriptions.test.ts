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

describe('SubscriptionManager pacing', () => {
  function paced(window: number, contacts: number) {
    const timers = new ManualTimers()
    const deferred: Array<() => void> = []
    const subs: Array<{ target: string; ev: SubscriptionEvents; terminated: boolean }> = []
    const mgr = new SubscriptionManager({
      timers,
      random: () => 0.5,
      window,
      defer: (fn) => deferred.push(fn)
    })
    const uris = Array.from({ length: contacts }, (_, i) => `sip:u${i}@x.org`)
    mgr.setContacts(uris)
    const subscribe = (target: string, ev: SubscriptionEvents) => {
      const s = { target, ev, terminated: false }
      subs.push(s)
      return { terminate: () => (s.terminated = true) }
    }
    /** Runs what was deferred to a later turn, as the event loop would. */
    const turn = () => deferred.splice(0).forEach((fn) => fn())
    const notify = (i: number) =>
      subs[i]!.ev.onNotify(buildPidf(subs[i]!.target, 'available'), 'application/pidf+xml')
    return { timers, mgr, subs, subscribe, turn, notify, uris, deferred }
  }

  it('keeps at most `window` SUBSCRIBEs outstanding and sends the next on a later turn', () => {
    const t = paced(3, 10)
    t.mgr.attach(t.subscribe)
    expect(t.subs.map((s) => s.target)).toEqual(t.uris.slice(0, 3))
    expect(t.mgr.pacing).toEqual({ outstanding: 3, queued: 7, window: 3 })
    // Everyone waiting is shown as pending, not as unsubscribed.
    expect(t.mgr.get(t.uris[9]!)?.subscription.status).toBe('pending')
    t.notify(0)
    t.notify(1)
    // Not inside the NOTIFY handler: the socket gets read first.
    expect(t.subs).toHaveLength(3)
    expect(t.deferred).toHaveLength(1)
    t.turn()
    expect(t.subs.map((s) => s.target)).toEqual(t.uris.slice(0, 5))
    // A second NOTIFY of the same subscription does not free another slot.
    t.notify(0)
    t.turn()
    expect(t.subs).toHaveLength(5)
    for (let i = 2; i < 10; i++) {
      t.notify(i)
      t.turn()
    }
    expect(t.subs.map((s) => s.target)).toEqual(t.uris)
    expect(t.mgr.pacing).toEqual({ outstanding: 0, queued: 0, window: 3 })
    expect(t.mgr.list().every((c) => c.presence.state === 'available')).toBe(true)
  })

  it('frees a slot when a subscription ends, fails at once or is removed', () => {
    const t = paced(2, 6)
    let calls = 0
    t.mgr.attach((target, ev) => {
      calls++
      if (target === 'sip:u1@x.org') throw new Error('socket closed')
      return t.subscribe(target, ev)
    })
    // u1 threw synchronously: its slot was given back, so u2 went out in the same attach.
    expect(calls).toBe(3)
    expect(t.mgr.get('sip:u1@x.org')?.subscription).toMatchObject({ status: 'error' })
    expect(t.mgr.pacing.outstanding).toBe(2)
    t.subs[0]!.ev.onTerminated({ reason: 'Forbidden', status: 403 })
    t.turn()
    expect(t.subs.map((s) => s.target)).toEqual(['sip:u0@x.org', 'sip:u2@x.org', 'sip:u3@x.org'])
    // A contact removed while still waiting is never subscribed.
    t.mgr.remove('sip:u4@x.org')
    t.mgr.remove('sip:u2@x.org')
    expect(t.subs[1]!.terminated).toBe(true)
    t.turn()
    expect(t.subs.map((s) => s.target)).toContain('sip:u5@x.org')
    expect(t.subs.map((s) => s.target)).not.toContain('sip:u4@x.org')
    expect(t.mgr.pacing).toMatchObject({ outstanding: 2, queued: 0 })
  })

  it('frees a slot on a NOTIFY without a body (reported only as pending or active)', () => {
    const t = paced(2, 4)
    t.mgr.attach(t.subscribe)
    t.subs[0]!.ev.onActive()
    t.subs[1]!.ev.onPending()
    t.turn()
    expect(t.subs.map((s) => s.target)).toEqual(t.uris)
    // The later NOTIFY with a body and the state change after it free nothing more.
    t.notify(0)
    t.subs[1]!.ev.onActive()
    expect(t.mgr.pacing).toMatchObject({ outstanding: 2, queued: 0 })
  })

  it('frees a slot on the 2xx, and after 32 s without any answer (Timer N)', async () => {
    const t = paced(2, 4)
    t.mgr.attach(t.subscribe)
    t.subs[0]!.ev.onAccepted?.()
    t.turn()
    expect(t.subs.map((s) => s.target)).toEqual(t.uris.slice(0, 3))
    // u1 and u2 got no answer at all (a NOTIFY that overtook the 200 was refused with 481, say):
    // the roster does not wait for their refresh minutes later.
    await t.timers.advance(31_000)
    t.turn()
    expect(t.subs).toHaveLength(3)
    await t.timers.advance(1_000)
    t.turn()
    expect(t.subs.map((s) => s.target)).toEqual(t.uris)
    // Their later NOTIFYs still count as presence, and free nothing twice.
    t.notify(1)
    expect(t.mgr.pacing.outstanding).toBe(1)
    expect(t.mgr.get(t.uris[1]!)?.presence.state).toBe('available')
  })

  it('forgets the queue on detach and starts over on the next attach', () => {
    const t = paced(2, 5)
    t.mgr.attach(t.subscribe)
    t.mgr.detach('connection lost')
    expect(t.mgr.pacing).toEqual({ outstanding: 0, queued: 0, window: 2 })
    t.turn()
    expect(t.subs).toHaveLength(2)
    expect(t.mgr.list().every((c) => c.subscription.status === 'error')).toBe(true)
    t.mgr.attach(t.subscribe)
    expect(t.subs.slice(2).map((s) => s.target)).toEqual(['sip:u0@x.org', 'sip:u1@x.org'])
    // Callbacks of the first connection's subscriptions neither count nor free slots.
    t.notify(0)
    t.turn()
    expect(t.subs).toHaveLength(4)
    expect(t.mgr.pacing).toMatchObject({ outstanding: 2, queued: 3 })
  })

  it('paces re-subscriptions after a deactivated NOTIFY through the same window', async () => {
    const t = paced(1, 2)
    t.mgr.attach(t.subscribe)
    t.notify(0)
    t.turn()
    expect(t.subs.map((s) => s.target)).toEqual(['sip:u0@x.org', 'sip:u1@x.org'])
    t.subs[0]!.ev.onTerminated({ reason: 'deactivated' })
    await t.timers.advance(0)
    // u1 still holds the only slot: u0's new SUBSCRIBE waits for it.
    expect(t.subs).toHaveLength(2)
    t.notify(1)
    t.turn()
    expect(t.subs.map((s) => s.target)).toEqual(['sip:u0@x.org', 'sip:u1@x.org', 'sip:u0@x.org'])
  })
})

describe('SubscriptionManager change reports', () => {
  it('reports each contact once per turn, with its final state, and nothing for removed ones', async () => {
    const seen: Array<[string, string, string]> = []
    const subs: SubscriptionEvents[] = []
    const mgr = new SubscriptionManager({
      timers: new ManualTimers(),
      onChange: (c) => seen.push([c.uri, c.subscription.status, c.presence.state])
    })
    mgr.setContacts(['sip:a@x.org', 'sip:b@x.org', 'sip:c@x.org'])
    mgr.attach((_target, ev) => {
      subs.push(ev)
      return { terminate: () => undefined }
    })
    mgr.remove('sip:c@x.org')
    expect(seen).toEqual([])
    await Promise.resolve()
    // Added (none) and then pending in the same turn: one report each, the last state.
    expect(seen).toEqual([
      ['sip:a@x.org', 'pending', 'unknown'],
      ['sip:b@x.org', 'pending', 'unknown']
    ])
    seen.length = 0
    // One NOTIFY: JsSIP says "active" and then hands over the body, in one call.
    subs[0]!.onActive()
    subs[0]!.onNotify(buildPidf('sip:a@x.org', 'busy'), 'application/pidf+xml')
    await Promise.resolve()
    expect(seen).toEqual([['sip:a@x.org', 'active', 'busy']])
  })
})
