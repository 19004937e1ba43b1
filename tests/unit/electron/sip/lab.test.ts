import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SipConnector } from '../../../../electron/main/sip/session'
import { SipLab, waitFor } from './lab-kit'

/** Integration against the real lab: Kamailio over TLS on 127.0.0.1 (see lab-kit.ts). */
const kit = new SipLab()
let lab: SipLab['lab'] = null
let skipReason: string | null = null

beforeAll(async () => {
  await kit.start('lab-sip')
  lab = kit.lab
  skipReason = kit.skipReason
}, 90_000)

afterAll(() => kit.stop(), 30_000)

const connectorTo = kit.connectorTo.bind(kit)
const makeSession = kit.session.bind(kit)

describe('SipSession against the lab (Kamailio over TLS)', () => {
  it('registers alice with digest auth over TLS', async (ctx) => {
    if (!lab) return ctx.skip(skipReason ?? 'no lab')
    const a = await makeSession('alice1')
    const state = await a.session.signIn({
      aor: lab.users.alice.uri,
      password: lab.users.alice.password
    })
    expect(state).toMatchObject({ status: 'registered', aor: lab.users.alice.uri })
    expect(Date.parse(state.registeredUntil!)).toBeGreaterThan(Date.now())
    await a.session.signOut()
    expect(a.session.state.status).toBe('signed-out')
  })

  it('reports a wrong password as failed with the SIP status', async (ctx) => {
    if (!lab) return ctx.skip(skipReason ?? 'no lab')
    const a = await makeSession('alice-bad')
    const state = await a.session.signIn({ aor: lab.users.alice.uri, password: 'not-the-password' })
    expect(state.status).toBe('failed')
    expect(state.failure?.code).toBe('wrong-password')
    expect([401, 403, 407]).toContain(state.failure?.status)
  })

  it('reports an unknown user as failed with the SIP status', async (ctx) => {
    if (!lab) return ctx.skip(skipReason ?? 'no lab')
    const m = await makeSession('mallory')
    const state = await m.session.signIn({ aor: `sip:mallory@${lab.domain}`, password: 'whatever' })
    // The lab's registrar answers 404 for a user that does not exist (auth_check's -3).
    expect(state).toMatchObject({
      status: 'failed',
      failure: { code: 'unknown-user', status: 404 }
    })
  })

  it('refuses to sign in on a connection the connector reports untrusted', async (ctx) => {
    if (!lab) return ctx.skip(skipReason ?? 'no lab')
    const a = await makeSession(
      'alice-untrusted',
      connectorTo(() => lab!.ports.tls.selfSigned)
    )
    const state = await a.session.signIn({
      aor: lab.users.alice.uri,
      password: lab.users.alice.password
    })
    expect(state).toMatchObject({ status: 'failed', failure: { code: 'untrusted' } })
  })

  it('exchanges presence both ways and MESSAGEs with multi-byte UTF-8 bodies', async (ctx) => {
    if (!lab) return ctx.skip(skipReason ?? 'no lab')
    const alice = await makeSession('alice2')
    const bob = await makeSession('bob2')
    const aliceUri = lab.users.alice.uri
    const bobUri = lab.users.bob.uri
    alice.session.setContacts([bobUri])
    bob.session.setContacts([aliceUri])
    expect(
      (await alice.session.signIn({ aor: aliceUri, password: lab.users.alice.password })).status
    ).toBe('registered')
    expect(
      (await bob.session.signIn({ aor: bobUri, password: lab.users.bob.password })).status
    ).toBe('registered')

    await alice.session.setPresence('busy', 'In a meeting — 会議中 📅')
    await waitFor(
      'bob to see alice busy',
      () => bob.presence.get(aliceUri)?.presence.state === 'busy'
    )
    expect(bob.presence.get(aliceUri)).toMatchObject({
      presence: { state: 'busy', note: 'In a meeting — 会議中 📅' },
      subscription: { status: 'active' }
    })

    await bob.session.setPresence('away', 'back at 3')
    await waitFor(
      'alice to see bob away',
      () => alice.presence.get(bobUri)?.presence.state === 'away'
    )
    expect(alice.presence.get(bobUri)?.presence.note).toBe('back at 3')

    await alice.session.setPresence('do-not-disturb')
    await waitFor(
      'bob to see alice dnd',
      () => bob.presence.get(aliceUri)?.presence.state === 'do-not-disturb'
    )

    const text = 'Grüße aus Köln 👋 — 日本語のメッセージ ✓ ∑ 🇩🇪'
    const sent = await alice.session.im.send(bobUri, text)
    await waitFor('bob to receive', () => bob.received.length > 0)
    expect(bob.received[0]).toMatchObject({ conversation: aliceUri, direction: 'in', body: text })
    await waitFor('alice message accepted', () =>
      alice.updates.some((u) => u.id === sent.id && u.state === 'accepted')
    )

    const reply = 'Ça marche! Привет 🙂'
    const back = await bob.session.im.send(aliceUri, reply)
    await waitFor('alice to receive', () => alice.received.length > 0)
    expect(alice.received[0]).toMatchObject({ conversation: bobUri, body: reply })
    await waitFor('bob reply accepted', () =>
      bob.updates.some((u) => u.id === back.id && u.state === 'accepted')
    )

    // Typing indication goes through too (the peer is an RFC 3994-aware TrustLine).
    expect(await alice.session.im.setTyping(bobUri, true)).toBe('sent')

    // Messages to an unknown user and to a known-but-offline user fail with the server's status.
    const unknown = await alice.session.im.send(`sip:nobody@${lab.domain}`, 'hello?')
    const offline = await alice.session.im.send(lab.users.carol.uri, 'hello carol')
    await waitFor('failures', () =>
      [unknown.id, offline.id].every((id) =>
        alice.updates.some((u) => u.id === id && u.state === 'failed')
      )
    )
    const fail = (id: string) => alice.updates.filter((u) => u.id === id).pop()?.failure
    expect(fail(unknown.id)?.status).toBe(404)
    expect(fail(offline.id)?.status).toBe(480)

    // Signing out removes alice's publication; bob's view must not keep "do not disturb".
    await alice.session.signOut()
    await waitFor(
      'bob to see alice offline',
      () => bob.presence.get(aliceUri)?.presence.state === 'offline'
    )
    await bob.session.signOut()
  })

  it('reconnects after the TLS connection is cut and delivers a queued message', async (ctx) => {
    if (!lab) return ctx.skip(skipReason ?? 'no lab')
    const sockets: import('node:tls').TLSSocket[] = []
    const base = connectorTo(() => lab!.ports.tls.good)
    const tracking: SipConnector = async (target) => {
      const c = await base(target)
      if (c.socket) sockets.push(c.socket as import('node:tls').TLSSocket)
      return c
    }
    const dave = await makeSession('dave', tracking)
    const bob = await makeSession('bob3')
    dave.session.setContacts([lab.users.bob.uri])
    await bob.session.signIn({ aor: lab.users.bob.uri, password: lab.users.bob.password })
    await dave.session.signIn({ aor: lab.users.dave.uri, password: lab.users.dave.password })
    sockets[0]!.destroy()
    await waitFor('dave reconnecting', () => dave.session.state.status === 'reconnecting')
    const queued = await dave.session.im.send(lab.users.bob.uri, 'sent during the outage ⚡')
    expect(queued.state).toBe('queued')
    await waitFor('dave registered again', () => dave.session.state.status === 'registered', 20_000)
    expect(sockets.length).toBeGreaterThanOrEqual(2)
    await waitFor('bob to receive the queued message', () =>
      bob.received.some((m) => m.body === 'sent during the outage ⚡')
    )
    await waitFor('queued message accepted', () =>
      dave.updates.some((u) => u.id === queued.id && u.state === 'accepted')
    )
    // Re-subscribed on the new connection: a change after the reconnect reaches dave.
    await waitFor(
      'dave re-subscribed',
      () => dave.presence.get(lab!.users.bob.uri)?.subscription.status === 'active'
    )
    await bob.session.setPresence('away', 'after the outage')
    await waitFor(
      'dave to see bob away after reconnect',
      () => dave.presence.get(lab!.users.bob.uri)?.presence.state === 'away'
    )
    await dave.session.signOut()
    await bob.session.signOut()
  })

  it('refreshes its publication with SIP-If-Match before it expires (real presence server)', async (ctx) => {
    if (!lab) return ctx.skip(skipReason ?? 'no lab')
    const alice = await makeSession('alice-refresh', undefined, { publishExpires: 10 })
    const bob = await makeSession('bob-refresh')
    bob.session.setContacts([lab.users.alice.uri])
    await bob.session.signIn({ aor: lab.users.bob.uri, password: lab.users.bob.password })
    await alice.session.signIn({ aor: lab.users.alice.uri, password: lab.users.alice.password })
    await alice.session.setPresence('busy', 'long meeting')
    const aliceUri = lab.users.alice.uri
    await waitFor(
      'bob to see alice busy',
      () => bob.presence.get(aliceUri)?.presence.state === 'busy'
    )
    const seen = new Set<string>()
    const etags = new Set<string>()
    const timer = setInterval(() => {
      seen.add(bob.presence.get(aliceUri)?.presence.state ?? '')
      const p = alice.session.publication
      if (p.kind === 'published') etags.add(p.etag)
      else etags.add(`not published: ${JSON.stringify(p)}`)
    }, 100)
    // A 10 s publication (Kamailio's min_expires) refreshed every 5 s, watched for longer than
    // its lifetime plus the server's 10 s clean period: without working SIP-If-Match refreshes
    // the state would lapse and bob would see alice go offline.
    await new Promise((r) => setTimeout(r, 21_000))
    clearInterval(timer)
    expect(seen).toEqual(new Set(['busy']))
    expect([...etags].filter((e) => e.startsWith('not'))).toEqual([])
    expect(etags.size).toBeGreaterThanOrEqual(4)
    await alice.session.signOut()
    await bob.session.signOut()
  }, 40_000)

  it('keeps the connection with CRLF keep-alives that Kamailio answers', async (ctx) => {
    if (!lab) return ctx.skip(skipReason ?? 'no lab')
    const carol = await makeSession(
      'carol',
      connectorTo(() => lab!.ports.tls.good),
      {
        keepAliveIntervalMs: 100
      }
    )
    await carol.session.signIn({ aor: lab.users.carol.uri, password: lab.users.carol.password })
    await new Promise((r) => setTimeout(r, 1000))
    expect(carol.session.state.status).toBe('registered')
    await carol.session.signOut()
  })

  it('interoperates with baresip: our presence, UTF-8 MESSAGE both ways, 415 typing back-off', async (ctx) => {
    if (!lab) return ctx.skip(skipReason ?? 'no lab')
    let startLabBaresip: typeof import('../../../lab/baresip').startLabBaresip
    try {
      ;({ startLabBaresip } = await import('../../../lab/baresip'))
    } catch (error) {
      console.log(`[lab.test] baresip helper unavailable: ${String(error)}`)
      return ctx.skip('baresip helper unavailable')
    }
    const aliceUri = lab.users.alice.uri
    const daveUri = lab.users.dave.uri
    const dave = await startLabBaresip(lab, 'dave', { contacts: [aliceUri] })
    try {
      await dave.waitRegistered()
      const logs: string[] = []
      const alice = await makeSession('alice-baresip', undefined, { log: (m) => logs.push(m) })
      alice.session.setContacts([daveUri])
      expect(
        (await alice.session.signIn({ aor: aliceUri, password: lab.users.alice.password })).status
      ).toBe('registered')

      // baresip 1.0 publishes <basic>unknown</basic> and, in this lab, no PUBLISH follows its
      // presence_online/offline commands, so only the subscription's health is checked here;
      // presence from a PUBLISHing peer is covered by the two-session test above.
      await waitFor(
        'alice subscribed to dave',
        () => alice.presence.get(daveUri)?.subscription.status === 'active'
      )

      await alice.session.setPresence('available', 'hello from TrustLine')
      const shown = await (async () => {
        const deadline = Date.now() + 5000
        for (;;) {
          const text = await dave.contactsStatus()
          if (/online/i.test(text) || Date.now() > deadline) return text
          await new Promise((r) => setTimeout(r, 100))
        }
      })()
      console.log(`[lab.test] baresip contacts view: ${shown.replace(/\s+/g, ' ').trim()}`)
      expect(shown).toMatch(/online/i)

      const text = 'Grüße 👋 日本語 ✓'
      const sent = await alice.session.im.send(daveUri, text)
      const got = await dave.waitMessage((m) => m.text.includes('Gr'), 5000)
      expect(got.text).toBe(text)
      await waitFor('accepted by baresip', () =>
        alice.updates.some((u) => u.id === sent.id && u.state === 'accepted')
      )

      await dave.sendMessage(aliceUri, 'Привет from baresip ☕')
      await waitFor('alice to receive from baresip', () =>
        alice.received.some((m) => m.conversation === daveUri)
      )
      expect(alice.received.find((m) => m.conversation === daveUri)?.body).toBe(
        'Привет from baresip ☕'
      )

      expect(await alice.session.im.setTyping(daveUri, true)).toBe('sent')
      // baresip does not implement RFC 3994 and answers 415: TrustLine stops sending it typing.
      await waitFor('the 415 back-off', () => logs.some((l) => /paused: 415/.test(l)))
      expect(await alice.session.im.setTyping(daveUri, false)).toBe('skipped')
      expect(await alice.session.im.setTyping(daveUri, true)).toBe('skipped')
      await alice.session.signOut()
    } finally {
      await dave.stop()
    }
  })

  it('works over secure WebSocket (RFC 7118) on the trusted TLS socket: MESSAGE and presence', async (ctx) => {
    if (!lab) return ctx.skip(skipReason ?? 'no lab')
    const overWs = connectorTo(() => lab!.ports.wss, { transport: 'wss', wsPath: '/ws' })
    const targets: string[] = []
    const alice = await makeSession('alice-wss', (target) => {
      targets.push(target.transport)
      return overWs(target)
    })
    const bob = await makeSession('bob-tls')
    const aliceUri = lab.users.alice.uri
    const bobUri = lab.users.bob.uri
    bob.session.setContacts([aliceUri])
    alice.session.setContacts([bobUri])
    const state = await alice.session.signIn({
      aor: aliceUri,
      password: lab.users.alice.password,
      transport: 'wss'
    })
    expect(state.status).toBe('registered')
    expect(targets).toEqual(['wss'])
    expect(
      (await bob.session.signIn({ aor: bobUri, password: lab.users.bob.password })).status
    ).toBe('registered')
    await alice.session.setPresence('be-right-back', 'WebSocket ☕')
    await waitFor(
      'bob to see alice brb',
      () => bob.presence.get(aliceUri)?.presence.state === 'be-right-back'
    )
    await bob.session.setPresence('busy')
    await waitFor(
      'alice (ws) to see bob busy',
      () => alice.presence.get(bobUri)?.presence.state === 'busy'
    )
    const m = await alice.session.im.send(bobUri, 'über WebSocket 🚀')
    await waitFor('bob to receive', () => bob.received.some((r) => r.body === 'über WebSocket 🚀'))
    await waitFor('accepted', () =>
      alice.updates.some((u) => u.id === m.id && u.state === 'accepted')
    )
    await bob.session.im.send(aliceUri, 'zurück über TLS ✓')
    await waitFor('alice (ws) to receive', () =>
      alice.received.some((r) => r.body === 'zurück über TLS ✓')
    )
    await alice.session.signOut()
    await bob.session.signOut()
  })

  it('reports per-contact subscription health (known and unknown contacts)', async (ctx) => {
    if (!lab) return ctx.skip(skipReason ?? 'no lab')
    const carol = await makeSession('carol-health')
    const nobody = `sip:nobody@${lab.domain}`
    carol.session.setContacts([lab.users.alice.uri, nobody])
    await carol.session.signIn({ aor: lab.users.carol.uri, password: lab.users.carol.password })
    await waitFor('published', () => carol.session.publication.kind === 'published')
    await waitFor('subscriptions settled', () =>
      [lab!.users.alice.uri, nobody].every((u) =>
        ['active', 'terminated', 'error'].includes(carol.presence.get(u)?.subscription.status ?? '')
      )
    )
    console.log(
      `[lab.test] subscription health: ${JSON.stringify([...carol.presence.values()].map((c) => [c.uri, c.presence.state, c.subscription.status, c.subscription.reason ?? '']))}`
    )
    expect(carol.presence.get(lab.users.alice.uri)?.subscription.status).toBe('active')
    expect(carol.presence.get(lab.users.alice.uri)?.subscription.lastUpdate).toBeDefined()
    await carol.session.signOut()
  })
})
