import { describe, expect, it } from 'vitest'
import type { IncomingMessage } from '../../../../electron/main/sip/agent'
import {
  deliveryFailure,
  ImService,
  isComposingBody,
  ISCOMPOSING_CONTENT_TYPE,
  TEXT_CONTENT_TYPE,
  type OutgoingMessage,
  type SendOutcome
} from '../../../../electron/main/sip/im'
import type { ImMessage, Typing } from '../../../../shared/types/im'
import { flush, ManualTimers } from './fake-timers'
import { MemoryHistory } from './memory-history'

function setup(outcomes: SendOutcome[] = [], deliveryTimeoutMs = 60_000) {
  const timers = new ManualTimers()
  const history = new MemoryHistory()
  const updates: ImMessage[] = []
  const received: ImMessage[] = []
  const typing: Typing[] = []
  const logs: string[] = []
  let n = 0
  const im = new ImService({
    history,
    timers,
    // No jitter: the retry delays are the back-off ceilings halved, 1 s, 2 s, 4 s...
    random: () => 0,
    deliveryTimeoutMs,
    retry: { baseMs: 2000, maxMs: 16_000 },
    newId: () => `m${++n}`,
    onUpdated: (m) => updates.push(m),
    onReceived: (m) => received.push(m),
    onTyping: (t) => typing.push(t),
    log: (m) => logs.push(m)
  })
  const sent: OutgoingMessage[] = []
  const transport = {
    sendMessage: async (message: OutgoingMessage): Promise<SendOutcome> => {
      await Promise.resolve()
      sent.push(message)
      return outcomes.shift() ?? { kind: 'response', status: 200, reason: 'OK' }
    }
  }
  return { im, timers, history, updates, received, typing, logs, sent, transport }
}

/** An incoming MESSAGE as the SIP stack hands it over. */
function incoming(over: Partial<IncomingMessage> & { body: string }): IncomingMessage {
  return {
    from: 'sip:bob@example.org',
    fromTag: 'b1',
    callId: 'call-1',
    cseq: 1,
    contentType: 'text/plain;charset=UTF-8',
    header: () => undefined,
    ...over
  }
}

const offline: SendOutcome = { kind: 'response', status: 480, reason: 'Temporarily Unavailable' }
const dropped: SendOutcome = { kind: 'transport-error', reason: 'connection lost' }

describe('ImService', () => {
  it('sends text/plain UTF-8 and ends accepted on 2xx', async () => {
    const t = setup()
    t.im.attach(t.transport)
    const m = await t.im.send('sip:bob@Example.org', 'héllo 👋')
    await flush()
    expect(m.state).toBe('sending')
    expect(t.sent).toMatchObject([
      { to: 'sip:bob@example.org', body: 'héllo 👋', contentType: TEXT_CONTENT_TYPE }
    ])
    expect(t.history.byId.get('m1')?.state).toBe('accepted')
    expect(t.updates.map((u) => u.state)).toEqual(['sending', 'accepted'])
  })

  it.each([
    [404, 'Not Found', 'not-found'],
    [604, 'Does Not Exist Anywhere', 'not-found'],
    [480, 'Temporarily Unavailable', 'offline'],
    [486, 'Busy Here', 'busy'],
    [603, 'Decline', 'declined'],
    [415, 'Unsupported Media Type', 'unsupported'],
    [413, 'Request Entity Too Large', 'too-large'],
    [403, 'Forbidden', 'forbidden'],
    [407, 'Proxy Authentication Required', 'not-authorized'],
    [408, 'Request Timeout', 'no-answer'],
    [503, 'Service Unavailable', 'server-error'],
    [500, 'Server Internal Error', 'server-error'],
    [420, 'Bad Extension', 'refused']
  ] as const)(
    'on a healthy connection %i fails at once, as code %s with the status line',
    async (status, reason, code) => {
      const t = setup([{ kind: 'response', status, reason }])
      t.im.attach(t.transport)
      await t.im.send('sip:nobody@example.org', 'x')
      await flush()
      expect(t.history.byId.get('m1')).toMatchObject({
        state: 'failed',
        failure: { code, status, reason }
      })
      expect(t.sent).toHaveLength(1)
    }
  )

  it('queues while offline and delivers on reconnect', async () => {
    const t = setup()
    const m = await t.im.send('sip:bob@example.org', 'later')
    expect(m.state).toBe('queued')
    expect(t.im.queued).toHaveLength(1)
    await t.timers.advance(10_000)
    t.im.attach(t.transport)
    await flush()
    expect(t.sent).toHaveLength(1)
    expect(t.history.events).toEqual(['m1:queued', 'm1:sending', 'm1:accepted'])
    await t.timers.advance(120_000)
    expect(t.history.byId.get('m1')?.state).toBe('accepted')
  })

  it('fails a message that found no connection within the delivery time, saying so', async () => {
    const t = setup()
    await t.im.send('sip:bob@example.org', 'never')
    await t.timers.advance(59_999)
    expect(t.history.byId.get('m1')?.state).toBe('queued')
    await t.timers.advance(1)
    expect(t.history.byId.get('m1')?.failure).toMatchObject({
      code: 'no-connection',
      params: { seconds: 60 }
    })
    expect(t.im.queued).toHaveLength(0)
  })

  it('resends after a dropped connection with the same Call-ID, From tag and CSeq', async () => {
    const t = setup([dropped])
    t.im.attach(t.transport)
    await t.im.send('sip:bob@example.org', 'flaky')
    await flush()
    t.im.detach()
    expect(t.history.byId.get('m1')?.state).toBe('queued')
    t.im.attach(t.transport)
    await flush()
    expect(t.history.byId.get('m1')?.state).toBe('accepted')
    expect(t.sent).toHaveLength(2)
    expect(t.sent[0]?.identity).toBeDefined()
    expect(t.sent[1]?.identity).toEqual(t.sent[0]?.identity)
    // Another message is another request.
    await t.im.send('sip:bob@example.org', 'next')
    await flush()
    expect(t.sent[2]?.identity?.callId).not.toBe(t.sent[0]?.identity?.callId)
  })

  it('retries 480, 408 and 503 for a message that met an outage, with back-off, until delivered', async () => {
    const t = setup([
      dropped,
      offline,
      { kind: 'response', status: 408, reason: 'Request Timeout' },
      { kind: 'response', status: 503, reason: 'Service Unavailable' }
    ])
    t.im.attach(t.transport)
    await t.im.send('sip:bob@example.org', 'through the storm')
    await flush()
    t.im.detach()
    t.im.attach(t.transport)
    await flush()
    expect(t.sent).toHaveLength(2)
    await t.timers.advance(999)
    expect(t.sent).toHaveLength(2)
    await t.timers.advance(1)
    expect(t.sent).toHaveLength(3)
    await t.timers.advance(2000)
    expect(t.sent).toHaveLength(4)
    await t.timers.advance(4000)
    expect(t.sent).toHaveLength(5)
    expect(t.history.byId.get('m1')?.state).toBe('accepted')
    expect(new Set(t.sent.map((s) => JSON.stringify(s.identity))).size).toBe(1)
    expect(t.updates.map((u) => u.state)).not.toContain('failed')
  })

  it('honours Retry-After on 503', async () => {
    const t = setup([dropped, { kind: 'response', status: 503, reason: 'Busy', retryAfter: 20 }])
    t.im.attach(t.transport)
    await t.im.send('sip:bob@example.org', 'wait for it')
    await flush()
    t.im.detach()
    t.im.attach(t.transport)
    await flush()
    await t.timers.advance(19_999)
    expect(t.sent).toHaveLength(2)
    await t.timers.advance(1)
    expect(t.sent).toHaveLength(3)
    expect(t.history.byId.get('m1')?.state).toBe('accepted')
  })

  it('gives up on a queued message after the delivery time: "offline" with the last status', async () => {
    const t = setup(Array.from({ length: 50 }, () => offline))
    await t.im.send('sip:bob@example.org', 'anyone?')
    t.im.attach(t.transport)
    await flush()
    await t.timers.advance(60_000)
    expect(t.history.byId.get('m1')).toMatchObject({
      state: 'failed',
      failure: { code: 'offline', status: 480, reason: 'Temporarily Unavailable' }
    })
    const attempts = t.sent.length
    expect(attempts).toBeGreaterThan(3)
    expect(attempts).toBeLessThan(12)
    await t.timers.advance(120_000)
    expect(t.sent).toHaveLength(attempts)
  })

  it('retries a timed-out MESSAGE (the connection is being checked) and delivers it', async () => {
    const t = setup([{ kind: 'timeout' }])
    t.im.attach(t.transport)
    await t.im.send('sip:bob@example.org', 'slow')
    await flush()
    await t.timers.advance(1000)
    expect(t.sent).toHaveLength(2)
    expect(t.history.byId.get('m1')?.state).toBe('accepted')
  })

  it('waits for the connection when a retry comes up while disconnected', async () => {
    const t = setup([{ kind: 'timeout' }])
    t.im.attach(t.transport)
    await t.im.send('sip:bob@example.org', 'hold on')
    await flush()
    t.im.detach()
    await t.timers.advance(5000)
    expect(t.sent).toHaveLength(1)
    expect(t.im.queued).toHaveLength(1)
    t.im.attach(t.transport)
    await flush()
    expect(t.history.byId.get('m1')?.state).toBe('accepted')
  })

  it('fails queued messages on sign-out with the given code instead of dropping them', async () => {
    const t = setup()
    await t.im.send('sip:bob@example.org', 'a')
    await t.im.failQueued({ code: 'signed-out', reason: 'signed out before delivery' })
    expect(t.history.byId.get('m1')).toMatchObject({
      state: 'failed',
      failure: { code: 'signed-out' }
    })
    await t.timers.advance(120_000)
    expect(t.updates.filter((u) => u.state === 'failed')).toHaveLength(1)
  })

  it('a failed write of the accepted state is logged and reported, never an unhandled rejection', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const t = setup()
      const update = t.history.updateState.bind(t.history)
      t.history.updateState = async (c, id, state, f) => {
        if (state === 'accepted') throw new Error('ENOSPC: no space left on device')
        return update(c, id, state, f)
      }
      t.im.attach(t.transport)
      await t.im.send('sip:bob@example.org', 'x')
      await flush()
      await new Promise((r) => setTimeout(r, 20))
      expect(unhandled).toEqual([])
      // The server did accept it: that is what the user sees; the log says it was not recorded.
      expect(t.updates.at(-1)?.state).toBe('accepted')
      expect(t.logs.join('\n')).toMatch(/could not record message m1 as accepted: .*ENOSPC/)
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('receives text, and refuses unknown content types with 415 and Accept', async () => {
    const t = setup()
    expect(await t.im.receive(incoming({ body: 'ça va ? 日本' }))).toEqual({ status: 200 })
    expect(t.received[0]).toMatchObject({
      direction: 'in',
      state: 'received',
      body: 'ça va ? 日本',
      dedupeKey: 'sip:bob@example.org call-1 1'
    })
    const refused = await t.im.receive(
      incoming({ body: '<b/>', contentType: 'text/html', callId: 'call-2' })
    )
    expect(refused).toMatchObject({
      status: 415,
      headers: [`Accept: text/plain, ${ISCOMPOSING_CONTENT_TYPE}`]
    })
    expect(t.received).toHaveLength(1)
  })

  it('answers 200 to a copy (same sender, Call-ID and CSeq) but shows the message once', async () => {
    const t = setup()
    const copy = incoming({ body: 'once', callId: 'c9', cseq: 4 })
    // Two copies at the same time, and one more later.
    const both = await Promise.all([t.im.receive(copy), t.im.receive(copy)])
    expect(both).toEqual([{ status: 200 }, { status: 200 }])
    expect(await t.im.receive({ ...copy, fromTag: 'other-tag' })).toEqual({ status: 200 })
    expect(t.received.map((m) => m.body)).toEqual(['once'])
    // Not copies: another CSeq, another Call-ID, another sender.
    await t.im.receive({ ...copy, cseq: 5 })
    await t.im.receive({ ...copy, callId: 'c10' })
    await t.im.receive({ ...copy, from: 'sip:carol@example.org' })
    expect(t.received).toHaveLength(4)
    expect([...t.history.byId.values()].filter((m) => m.direction === 'in')).toHaveLength(4)
  })

  it('lets a copy be stored when storing the first one failed', async () => {
    const t = setup()
    const append = t.history.append.bind(t.history)
    let fail = true
    t.history.append = async (m) => {
      if (fail) {
        fail = false
        throw new Error('EIO')
      }
      return append(m)
    }
    const copy = incoming({ body: 'second chance' })
    await expect(t.im.receive(copy)).rejects.toThrow('EIO')
    expect(await t.im.receive(copy)).toEqual({ status: 200 })
    expect(t.received.map((m) => m.body)).toEqual(['second chance'])
  })

  it('shows remote typing and clears it on idle, on a message, or after refresh', async () => {
    const t = setup()
    const composing = (active: boolean) =>
      incoming({ body: isComposingBody(active), contentType: ISCOMPOSING_CONTENT_TYPE })
    await t.im.receive(composing(true))
    await t.im.receive(composing(false))
    await t.im.receive(composing(true))
    await t.im.receive(incoming({ body: 'hi', contentType: 'text/plain' }))
    await t.im.receive(composing(true))
    await t.timers.advance(60_000)
    expect(t.typing.map((x) => x.active)).toEqual([true, false, true, false, true, false])
    await t.im.receive(incoming({ body: '<not xml', contentType: ISCOMPOSING_CONTENT_TYPE }))
    expect(t.typing).toHaveLength(6)
  })

  it('sends typing with rate limiting and backs off after 415 for that peer', async () => {
    const t = setup([{ kind: 'response', status: 415, reason: 'Unsupported Media Type' }])
    t.im.attach(t.transport)
    expect(await t.im.setTyping('sip:old@x.org', true)).toBe('sent')
    expect(t.sent[0]?.contentType).toBe(ISCOMPOSING_CONTENT_TYPE)
    expect(await t.im.setTyping('sip:old@x.org', false)).toBe('skipped')
    expect(await t.im.setTyping('sip:old@x.org', true)).toBe('skipped')
    expect(await t.im.setTyping('sip:new@x.org', true)).toBe('sent')
    expect(await t.im.setTyping('sip:new@x.org', true)).toBe('skipped')
    expect(await t.im.setTyping('sip:new@x.org', false)).toBe('sent')
    expect(t.sent).toHaveLength(3)
  })

  it('skips typing while offline', async () => {
    const t = setup()
    expect(await t.im.setTyping('sip:bob@x.org', true)).toBe('skipped')
  })

  it('maps unknown statuses by class', () => {
    expect(deliveryFailure(599, 'x').code).toBe('server-error')
    expect(deliveryFailure(699, 'x').code).toBe('refused')
  })
})
