import { createRequire } from 'node:module'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startRelay, type Relay } from '../../../lab/relay'
import { SipLab, waitFor } from './lab-kit'

// Flow liveness (RFC 5626 §4.4.1) against the real lab: a TCP relay between TrustLine and
// Kamailio that stops forwarding without a FIN, as a vanished NAT binding or network does.

const kit = new SipLab()
const relays: Relay[] = []
beforeAll(() => kit.start('flow-lab'), 90_000)
afterAll(async () => {
  for (const r of relays) await r.close()
  await kit.stop()
}, 30_000)

// JsSIP's Timer F (64*T1 = 32 s) read at run time from its timers module; shortened here so a
// transaction times out in seconds rather than half a minute.
const jssipTimers = createRequire(import.meta.url)('jssip/lib/Timers') as { TIMER_F: number }
const timerF = jssipTimers.TIMER_F
afterEach(() => {
  jssipTimers.TIMER_F = timerF
})

async function relayToLab(): Promise<Relay> {
  const relay = await startRelay(kit.lab!.ports.tls.good)
  relays.push(relay)
  return relay
}

describe('a silently dead connection', () => {
  it('is found within 30 s while idle with the default timers; reconnecting meanwhile, presence not live', async (ctx) => {
    const lab = kit.lab
    if (!lab) return ctx.skip(kit.skipReason ?? 'no lab')
    const relay = await relayToLab()
    const alice = await kit.session('alice-idle')
    const carol = await kit.session(
      'carol-idle',
      kit.connectorTo(() => relay.port)
    )
    carol.session.setContacts([lab.users.alice.uri])
    await alice.session.signIn({ aor: lab.users.alice.uri, password: lab.users.alice.password })
    await carol.session.signIn({ aor: lab.users.carol.uri, password: lab.users.carol.password })
    await waitFor(
      'alice watched',
      () => carol.presence.get(lab.users.alice.uri)?.subscription.status === 'active'
    )
    // Let the sign-in traffic settle: from here on the connection is idle.
    await new Promise((r) => setTimeout(r, 500))
    relay.blackHole()
    // The bound is 30 s of silence; 1 s more for timers firing late on a loaded machine.
    await waitFor('reconnecting', () => carol.session.state.status === 'reconnecting', 31_000)
    expect(carol.presence.get(lab.users.alice.uri)?.subscription.status).not.toBe('active')
    await waitFor('registered again', () => carol.session.state.status === 'registered', 30_000)
    expect(relay.accepted).toBeGreaterThanOrEqual(2)
    await carol.session.signOut()
    await alice.session.signOut()
  }, 90_000)

  it('is checked at once when a MESSAGE times out: reconnect, then the message is delivered once', async (ctx) => {
    const lab = kit.lab
    if (!lab) return ctx.skip(kit.skipReason ?? 'no lab')
    jssipTimers.TIMER_F = 1_500
    const relay = await relayToLab()
    const bob = await kit.session('bob-timeout')
    const dave = await kit.session(
      'dave-timeout',
      kit.connectorTo(() => relay.port),
      {
        // Idle keep-alives far away: only the transaction timeout can find the dead flow.
        keepAliveIntervalMs: 600_000,
        flowTimeoutMs: 2_000,
        reconnectBaseMs: 100,
        reconnectMaxMs: 500
      }
    )
    await bob.session.signIn({ aor: lab.users.bob.uri, password: lab.users.bob.password })
    await dave.session.signIn({ aor: lab.users.dave.uri, password: lab.users.dave.password })
    relay.blackHole()
    const sent = await dave.session.im.send(lab.users.bob.uri, 'into the void and back')
    await waitFor('reconnecting', () => dave.session.state.status === 'reconnecting', 20_000)
    await waitFor(
      'delivered',
      () => dave.updates.some((u) => u.id === sent.id && u.state === 'accepted'),
      30_000
    )
    await waitFor('received', () => bob.received.length > 0)
    await new Promise((r) => setTimeout(r, 300))
    expect(bob.received.map((m) => m.body)).toEqual(['into the void and back'])
    expect(dave.updates.filter((u) => u.id === sent.id).map((u) => u.state)).not.toContain('failed')
    await dave.session.signOut()
    await bob.session.signOut()
  }, 90_000)
})
