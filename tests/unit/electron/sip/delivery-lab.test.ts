import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImMessage } from '../../../../shared/types/im'
import { RawSipClient } from '../../../lab/raw-sip'
import { SipLab, waitFor, type Probe } from './lab-kit'

// Delivery under faults against the real lab: Kamailio killed and restarted while messages are in
// flight, and copies of one MESSAGE arriving twice. Slow by nature (a 60 s outage is a 60 s
// outage); every wait is bounded.

const kit = new SipLab()
beforeAll(() => kit.start('delivery-lab'), 90_000)
afterAll(() => kit.stop(), 30_000)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The last update of every outgoing message, by id. */
function finalStates(probe: Probe): Map<string, ImMessage> {
  const last = new Map<string, ImMessage>()
  for (const u of probe.updates) last.set(u.id, u)
  return last
}

describe('message delivery against the lab', () => {
  it('shows a MESSAGE resent with the same Call-ID and CSeq once, answering 200 to every copy', async (ctx) => {
    const lab = kit.lab
    if (!lab) return ctx.skip(kit.skipReason ?? 'no lab')
    const bob = await kit.session('bob-dedupe')
    await bob.session.signIn({ aor: lab.users.bob.uri, password: lab.users.bob.password })
    const alice = new RawSipClient({
      port: lab.ports.tls.good,
      ca: await readFile(lab.pki.rootCa),
      username: 'alice',
      password: lab.users.alice.password,
      domain: lab.domain
    })
    await alice.connect()
    try {
      expect((await alice.register()).status).toBe(200)
      const same = { callId: 'resent-1@lab', cseq: 7 }
      const first = await alice.message(lab.users.bob.uri, 'once only', 'text/plain', same)
      const copy = await alice.message(lab.users.bob.uri, 'once only', 'text/plain', same)
      expect([first.status, copy.status]).toEqual([200, 200])
      // Not the same request: another CSeq in the same Call-ID, and another Call-ID.
      const next = { callId: 'resent-1@lab', cseq: 8 }
      expect((await alice.message(lab.users.bob.uri, 'once only', 'text/plain', next)).status).toBe(
        200
      )
      const other = { callId: 'resent-2@lab', cseq: 7 }
      expect(
        (await alice.message(lab.users.bob.uri, 'once only', 'text/plain', other)).status
      ).toBe(200)
      await waitFor('three messages', () => bob.received.length >= 3)
      await sleep(200)
      expect(bob.received.map((m) => m.body)).toEqual(['once only', 'once only', 'once only'])
      const stored = await bob.history.history(lab.users.alice.uri)
      expect(stored.messages).toHaveLength(3)
    } finally {
      alice.close()
      await bob.session.signOut()
    }
  })

  it.for([
    ['carol', 'dave', 5_000],
    ['alice', 'bob', 60_000]
  ] as const)(
    'Kamailio down while %s sends %s 200 messages (%i ms outage): none lost, none twice, none failed',
    { timeout: 300_000 },
    async ([from, to, outageMs], ctx) => {
      const lab = kit.lab
      if (!lab) return ctx.skip(kit.skipReason ?? 'no lab')
      // The sender comes back first (as in the reported runs): it resends while the recipient
      // is still backing off, and the server answers 480 until the recipient is registered.
      // The recipient's reconnect waits at a gate the test opens once that has happened, so
      // every run meets it, whatever the two back-offs draw.
      const sender = await kit.session(`${from}-outage`, undefined, {
        reconnectBaseMs: 200,
        reconnectMaxMs: 2_000
      })
      let gate: Promise<void> = Promise.resolve()
      let openGate = () => undefined as void
      const direct = kit.connectorTo(() => lab.ports.tls.good)
      const recipient = await kit.session(
        `${to}-outage`,
        async (target) => {
          await gate
          return direct(target)
        },
        { reconnectBaseMs: 200, reconnectMaxMs: 2_000 }
      )
      const fromUser = lab.users[from]
      const toUser = lab.users[to]
      expect(
        (await recipient.session.signIn({ aor: toUser.uri, password: toUser.password })).status
      ).toBe('registered')
      expect(
        (await sender.session.signIn({ aor: fromUser.uri, password: fromUser.password })).status
      ).toBe('registered')

      const bodies = Array.from({ length: 200 }, (_, i) => `message ${i} of 200 ✓`)
      const ids: string[] = []
      // Paced over about 5 s, so that most are sent while the server is down: queued, or on
      // the wire when it dies.
      const sending = (async () => {
        for (const body of bodies) {
          ids.push((await sender.session.im.send(toUser.uri, body)).id)
          await sleep(25)
        }
      })()
      const accepted = () =>
        [...finalStates(sender).values()].filter((m) => m.state === 'accepted').length
      const count = (probe: Probe, prefix: string) =>
        probe.wire.filter((line) => line.startsWith(prefix)).length
      await waitFor('the first messages accepted', () => accepted() >= 20, 30_000)
      gate = new Promise((resolve) => (openGate = resolve))
      await lab.stopKamailio()
      await sleep(outageMs)
      await lab.startKamailio()
      await waitFor('the sender back', () => sender.session.state.status === 'registered', 30_000)
      await waitFor('a 480: the recipient is not back', () => count(sender, 'in SIP/2.0 480') > 0)
      openGate()
      await sending
      const done = () => {
        const last = finalStates(sender)
        return ids.every((id) => ['accepted', 'failed'].includes(last.get(id)?.state ?? ''))
      }
      await waitFor('every message accepted or failed', done, 150_000)

      const last = finalStates(sender)
      const failed = ids.map((id) => last.get(id)!).filter((m) => m.state === 'failed')
      expect(failed.map((m) => `${m.body}: ${JSON.stringify(m.failure)}`)).toEqual([])
      const shown = new Map<string, number>()
      for (const m of recipient.received) shown.set(m.body, (shown.get(m.body) ?? 0) + 1)
      expect(bodies.filter((b) => !shown.has(b))).toEqual([])
      expect([...shown].filter(([, n]) => n > 1)).toEqual([])
      const stored = await recipient.history.history(fromUser.uri)
      expect(stored.messages.filter((m) => m.direction === 'in')).toHaveLength(200)
      console.log(
        `[delivery-lab] ${outageMs} ms outage: ${count(sender, 'out MESSAGE')} MESSAGEs sent ` +
          `for 200 messages, ${count(sender, 'in SIP/2.0 480')} answered 480; the recipient ` +
          `got ${count(recipient, 'in MESSAGE')} and showed 200`
      )
      await sender.session.signOut()
      await recipient.session.signOut()
    }
  )
})
