import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toLogEntry } from '../../../../electron/main/sip/sip-log'
import type { OwnPresenceState, PresenceState } from '../../../../shared/types/presence'
import type { Lab } from '../../../lab/lab'
import { linphoneUnavailable, type Linphone, type LinphonePresence } from '../../../lab/linphone'
import { RawSipClient } from '../../../lab/raw-sip'
import { SipLab, waitFor, type Probe } from './lab-kit'

/**
 * TrustLine and Linphone (linphonec 5.1 on liblinphone) through the lab's Kamailio over verified
 * TLS: IM both ways with CPIM off and on, delivery and read receipts both ways, every 415 with
 * one Accept, and presence both ways as the README's table says.
 */
const unavailable = linphoneUnavailable()
if (unavailable) console.log(`[linphone.test] SKIPPED — ${unavailable}`)

const kit = new SipLab()
let lab: Lab | null = null
const agents: Linphone[] = []

beforeAll(async () => {
  if (unavailable) return
  // user1 is Linphone in the presence test: a presentity nobody published for before (Kamailio
  // merges every live publication of an address, and a stopped agent's may still be there).
  await kit.start('linphone', { stopOnExit: true, extraUsers: 1 })
  if (!kit.lab) throw new Error(kit.skipReason ?? 'the lab did not start')
  lab = kit.lab
}, 90_000)

afterAll(async () => {
  for (const a of agents) await a.stop()
  await kit.stop()
}, 30_000)

async function linphone(
  user: 'bob' | 'carol' | 'dave',
  extra: Parameters<typeof import('../../../lab/linphone').startLabLinphone>[2] = {}
): Promise<Linphone> {
  const { startLabLinphone } = await import('../../../lab/linphone')
  const agent = await startLabLinphone(lab!, user, extra)
  agents.push(agent)
  await agent.waitRegistered()
  return agent
}

async function trustline(name: string, user: 'alice' | 'carol', contacts: string[] = []) {
  const probe = await kit.session(name)
  probe.session.setContacts(contacts)
  const state = await probe.session.signIn({
    aor: lab!.users[user].uri,
    password: lab!.users[user].password
  })
  expect(state.status).toBe('registered')
  return probe
}

const stateOf = (p: Probe, id: string) => [...p.updates].reverse().find((u) => u.id === id)?.state

/** What went out or came in on TrustLine's wire: the SIP log and the ladder show the same. */
const wireMessages = (p: Probe, direction: 'in' | 'out') =>
  p.wire
    .filter((w) => w.startsWith(`${direction} MESSAGE `))
    .map((w) => w.slice(direction.length + 1))

/** The helpdesk ladder's entries for TrustLine's wire, as the SIP log makes them. */
const ladder = (p: Probe) =>
  p.wire.map((w, i) => {
    const direction = w.startsWith('in ') ? 'in' : 'out'
    return toLogEntry(i, direction, w.slice(direction.length + 1))
  })

/** TrustLine refused nothing Linphone sent (no 415, no 400). */
const refusals = (p: Probe) => p.wire.filter((w) => /^out SIP\/2\.0 (415|400) /.test(w))

describe.skipIf(unavailable)('TrustLine and Linphone', () => {
  it('IM both ways with CPIM off: Linphone receipts move our message to Delivered, then Read', async () => {
    const l = lab!
    const bob = await linphone('bob', { contacts: [l.users.alice.uri] })
    const alice = await trustline('alice-plain', 'alice')

    const text = 'Hallo Linphone ☕ 你好 👋'
    const sent = await alice.session.im.send(l.users.bob.uri, text)
    expect(await bob.waitMessage((m) => m.text === text)).toBeTruthy()
    await waitFor('Delivered to Bob', () => stateOf(alice, sent.id) === 'delivered')
    // Linphone's receipt for a plain MESSAGE quotes its Call-ID: TrustLine's message id.
    expect(await bob.waitHistory(l.users.alice.uri, (e) => e.dir === 'in')).toMatchObject({
      id: sent.id,
      text,
      type: expect.stringMatching(/^text\/plain/) as unknown
    })
    await bob.markRead(l.users.alice.uri)
    await waitFor('Read', () => stateOf(alice, sent.id) === 'displayed')
    // The receipts came deflate-compressed, unwrapped: the log shows them decoded.
    const receipts = wireMessages(alice, 'in').filter((t) => /message\/imdn\+xml/i.test(t))
    expect(receipts.length).toBeGreaterThanOrEqual(2)
    expect(receipts.join('\n')).toMatch(/<displayed\/>/)
    // The ladder names both receipts, for TrustLine's message id.
    expect(
      ladder(alice)
        .filter((e) => e.receipt)
        .map((e) => [e.direction, e.receipt])
    ).toEqual([
      ['in', { kind: 'delivery', status: 'delivered', messageId: sent.id }],
      ['in', { kind: 'display', status: 'displayed', messageId: sent.id }]
    ])

    bob.sendMessage(l.users.alice.uri, 'plain from Linphone ✓')
    await waitFor('alice to receive', () =>
      alice.received.some((m) => m.body === 'plain from Linphone ✓')
    )
    expect(alice.received.at(-1)).toMatchObject({
      conversation: l.users.bob.uri,
      state: 'received'
    })
    expect(refusals(alice)).toEqual([])
    await alice.session.signOut()
    await bob.stop()
  })

  it('IM both ways with CPIM on: the text shown, TrustLine receipts shown in Linphone, CPIM back', async () => {
    const l = lab!
    const carol = await linphone('carol', { cpim: true, contacts: [l.users.alice.uri] })
    const alice = await trustline('alice-cpim', 'alice')

    carol.sendMessage(l.users.alice.uri, 'wrapped from Linphone ☕')
    await waitFor('alice to receive', () => alice.received.length > 0)
    const got = alice.received[0]!
    expect(got.body).toBe('wrapped from Linphone ☕')
    expect(got.writtenAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(got.displayReceipt?.messageId).toBeTruthy()
    expect(wireMessages(alice, 'in')[0]).toMatch(/Content-Type: message\/cpim/i)

    const out = await carol.waitHistory(l.users.alice.uri, (e) => e.state === 'DeliveredToUser')
    expect(out).toMatchObject({ dir: 'out', id: got.displayReceipt!.messageId })
    await alice.session.im.markSeen(l.users.carol.uri)
    await carol.waitHistory(l.users.alice.uri, (e) => e.dir === 'out' && e.state === 'Displayed')
    const receipts = wireMessages(alice, 'out').filter((t) => /message\/imdn\+xml/.test(t))
    expect(receipts.map((t) => /<(delivered|displayed)\/>/.exec(t)?.[1])).toEqual([
      'delivered',
      'displayed'
    ])

    // Carol showed she speaks CPIM: TrustLine now writes to her in CPIM with receipt requests.
    const sent = await alice.session.im.send(l.users.carol.uri, 'CPIM back ✓')
    await carol.waitMessage((m) => m.text === 'CPIM back ✓')
    const request = wireMessages(alice, 'out').find((t) => t.includes('CPIM back'))
    expect(request).toMatch(/imdn\.Disposition-Notification: positive-delivery, display/)
    await waitFor('Delivered to Carol', () => stateOf(alice, sent.id) === 'delivered')
    await carol.markRead(l.users.alice.uri)
    await waitFor('Read by Carol', () => stateOf(alice, sent.id) === 'displayed')
    // The ladder shows the whole IMDN exchange: Carol's request, TrustLine's two receipts for
    // it, TrustLine's request and Carol's two receipts back.
    const entries = ladder(alice)
    const asked = entries.filter((e) => e.receiptsRequested)
    expect(asked.map((e) => [e.direction, e.receiptsRequested])).toEqual([
      ['in', ['positive-delivery', 'negative-delivery', 'display']],
      ['out', ['positive-delivery', 'display']]
    ])
    expect(
      entries
        .filter((e) => e.receipt)
        .map((e) => [e.direction, e.receipt?.kind, e.receipt?.messageId])
    ).toEqual([
      ['out', 'delivery', got.displayReceipt!.messageId],
      ['out', 'display', got.displayReceipt!.messageId],
      ['in', 'delivery', sent.id],
      ['in', 'display', sent.id]
    ])
    expect(refusals(alice)).toEqual([])
    await alice.session.signOut()
    await carol.stop()
  })

  it('answers every 415 with exactly one Accept, listing what TrustLine takes', async () => {
    const l = lab!
    const alice = await trustline('alice-415', 'alice')
    const raw = new RawSipClient({
      port: l.ports.tls.good,
      ca: await readFile(l.pki.rootCa),
      username: 'dave',
      password: l.users.dave.password,
      domain: l.domain
    })
    await raw.connect()
    expect((await raw.register()).status).toBe(200)
    const png =
      'From: <sip:dave@lab.trustline.test>\r\n\r\nContent-Type: image/png\r\n\r\n\u0089PNG'
    for (const [type, body] of [
      ['application/x-unknown', 'x'],
      ['message/cpim', png]
    ]) {
      const answer = await raw.message(l.users.alice.uri, body!, type)
      expect(answer.status).toBe(415)
      expect(answer.headerAll('accept')).toEqual([
        'text/plain, message/cpim, message/imdn+xml, application/im-iscomposing+xml'
      ])
    }
    // A coding TrustLine cannot undo: 415 naming the codings it takes, and still one Accept.
    const coded = await raw.request(
      'MESSAGE',
      l.users.alice.uri,
      ['Content-Type: text/plain', 'Content-Encoding: br'],
      'xx'
    )
    expect(coded.status).toBe(415)
    expect(coded.headerAll('accept-encoding')).toEqual(['identity, deflate, gzip'])
    expect(coded.headerAll('accept')).toEqual([
      'text/plain, message/cpim, message/imdn+xml, application/im-iscomposing+xml'
    ])
    raw.close()
    await alice.session.signOut()
  })

  it('maps presence both ways as the README table says', async () => {
    const l = lab!
    const { startLabBaresip } = await import('../../../lab/baresip')
    const { startLinphone } = await import('../../../lab/linphone')
    const user1 = l.extraUsers[0]!
    const bob = await startLinphone({
      runDir: l.runDir,
      user: user1.username,
      password: user1.password,
      domain: l.domain,
      proxyPort: l.ports.tls.good,
      caFile: l.pki.rootCa,
      contacts: [l.users.alice.uri]
    })
    agents.push(bob)
    await bob.waitRegistered()
    const dave = await startLabBaresip(l, 'dave', { contacts: [l.users.alice.uri] })
    try {
      await dave.waitRegistered()
      const alice = await trustline('alice-presence', 'alice', [user1.uri])
      const baresipSees = async () =>
        /^\S*\s*(\S+)\s+alice/m.exec((await dave.contactsStatus()).replace(/^>/gm, ''))?.[1]

      // TrustLine → Linphone (apps: consolidated; linphonec: status) and baresip.
      const published: Array<[OwnPresenceState, string, string, string]> = [
        ['busy', 'busy', 'Busy', 'Busy'],
        ['do-not-disturb', 'dnd', 'Busy', 'Busy'],
        ['be-right-back', 'busy', 'Be right back', 'Online'],
        ['away', 'busy', 'Away', 'Offline'],
        ['offline', 'offline', 'Offline', 'Offline'],
        ['available', 'online', 'Online', 'Online']
      ]
      for (const [state, consolidated, status, baresip] of published) {
        await alice.session.setPresence(state, `note for ${state}`)
        const seen = await bob.waitFriend(
          l.users.alice.uri,
          (p) => p.consolidated === consolidated && p.status === status
        )
        if (state !== 'offline') expect(seen.note).toBe(`note for ${state}`)
        expect(seen.activities.some((a) => a.startsWith('other'))).toBe(false)
        const deadline = Date.now() + 10_000
        let shown = await baresipSees()
        while (shown !== baresip && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100))
          shown = await baresipSees()
        }
        expect([state, shown]).toEqual([state, baresip])
      }

      // Linphone → TrustLine.
      const read: Array<[LinphonePresence, PresenceState]> = [
        ['busy', 'away'],
        ['dnd', 'do-not-disturb'],
        ['offline', 'offline'],
        ['online', 'available']
      ]
      for (const [state, expected] of read) {
        await bob.setPresence(state, `Linphone ${state}`)
        await waitFor(
          `TrustLine to read Linphone ${state} as ${expected}`,
          () => alice.presence.get(user1.uri)?.presence.state === expected,
          15_000
        ).catch((e: Error) => {
          const notify = alice.wire.filter((w) => w.startsWith('in NOTIFY ')).at(-1)
          throw new Error(
            `${e.message}: ${JSON.stringify(alice.presence.get(user1.uri))}\n${notify}`
          )
        })
        expect(alice.presence.get(user1.uri)?.presence.note).toBe(`Linphone ${state}`)
      }
      await alice.session.signOut()
    } finally {
      await dave.stop()
    }
  })
})
