// Figure 3: MESSAGE round trip between two cores (im:send → `accepted`), then a 1,000-message
// burst checked for order and loss on the receiver (events and stored history).
import { performance } from 'node:perf_hooks'
import type { Lab } from '../tests/lab/lab'
import { makeCore, type BenchCore } from './lib/core-client'
import { summarize, type Summary } from './lib/stats'

export interface ImResult {
  roundTrip: Summary
  burst: {
    messages: number
    /** First im:send → last `accepted` on the sender. */
    allAcceptedMs: number
    /** First im:send → last im:received on the receiver. */
    allReceivedMs: number
    accepted: number
    failed: number
    received: number
    inOrderEvents: boolean
    inOrderHistory: boolean
    historyCount: number
    /** First position where the receiver's order differs from the send order, if any. */
    firstOutOfOrder: number | null
  }
}

async function signIn(c: BenchCore, lab: Lab, user: 'bob' | 'dave'): Promise<void> {
  const u = lab.users[user]
  const s = await c.call('session:sign-in', {
    aor: u.uri,
    password: u.password,
    server: { host: '127.0.0.1', port: lab.ports.tls.good }
  })
  if (s.status !== 'registered') throw new Error(`${user}: ${JSON.stringify(s)}`)
}

export async function benchIm(
  lab: Lab,
  baseDir: string,
  opts: { rounds: number; burst: number }
): Promise<ImResult> {
  const a = makeCore(lab, baseDir)
  const b = makeCore(lab, baseDir)
  const to = lab.users.dave.uri
  try {
    await signIn(a, lab, 'bob')
    await signIn(b, lab, 'dave')
    const rtt: number[] = []
    for (let i = -10; i < opts.rounds; i++) {
      const t0 = performance.now()
      const sent = await a.call('im:send', { to, body: `rtt ${i}` })
      await a.waitEvent(
        'im:message-updated',
        (m) => m.id === sent.id && (m.state === 'accepted' || m.state === 'failed'),
        10_000
      )
      if (i >= 0) rtt.push(performance.now() - t0)
    }

    // Burst: every send invoked at once, as a paste of many lines or a script would.
    const n = opts.burst
    const bodies = Array.from({ length: n }, (_, i) => `burst ${String(i).padStart(5, '0')}`)
    const want = new Set(bodies)
    const got: string[] = []
    let tLastReceived = 0
    let tLastAccepted = 0
    let accepted = 0
    let failed = 0
    let finish = () => undefined as void
    const done = new Promise<void>((resolve) => (finish = resolve))
    const check = () => {
      if (got.length >= n && accepted + failed >= n) finish()
    }
    const offRx = b.on('im:received', (m) => {
      if (!want.has(m.body)) return
      got.push(m.body)
      tLastReceived = performance.now()
      check()
    })
    const ids = new Set<string>()
    const offTx = a.on('im:message-updated', (m) => {
      if (!ids.has(m.id)) return
      if (m.state === 'accepted') accepted++
      else if (m.state === 'failed') failed++
      else return
      tLastAccepted = performance.now()
      check()
    })
    const t0 = performance.now()
    const sends = await Promise.all(bodies.map((body) => a.call('im:send', { to, body })))
    for (const s of sends) ids.add(s.id)
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      done,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 120_000)
      })
    ]).finally(() => clearTimeout(timer))
    offRx()
    offTx()
    const firstOutOfOrder = got.findIndex((body, i) => body !== bodies[i])
    const history = await b.call('im:history', { conversation: lab.users.bob.uri, limit: 10_000 })
    const stored = history.messages.map((m) => m.body).filter((body) => want.has(body))
    return {
      roundTrip: summarize(rtt),
      burst: {
        messages: n,
        allAcceptedMs: tLastAccepted - t0,
        allReceivedMs: tLastReceived - t0,
        accepted,
        failed,
        received: got.length,
        inOrderEvents: got.length === n && firstOutOfOrder < 0,
        inOrderHistory: stored.length === n && stored.every((body, i) => body === bodies[i]),
        historyCount: stored.length,
        firstOutOfOrder: firstOutOfOrder < 0 ? null : firstOutOfOrder
      }
    }
  } finally {
    await a.call('session:sign-out').catch(() => undefined)
    await b.call('session:sign-out').catch(() => undefined)
    await a.dispose()
    await b.dispose()
  }
}
