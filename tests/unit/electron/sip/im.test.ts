import { describe, expect, it } from 'vitest'
import type { IncomingMessage } from '../../../../electron/main/sip/agent'
import {
  deliveryFailure,
  ImService,
  type ImServiceOptions,
  isComposingBody,
  ISCOMPOSING_CONTENT_TYPE,
  TEXT_CONTENT_TYPE,
  type OutgoingMessage,
  type SendOutcome
} from '../../../../electron/main/sip/im'
import type { ImMessage, Typing } from '../../../../shared/types/im'
import { cpimHeader, parseCpim } from '../../../../electron/main/sip/cpim'
import { imdnRequestOf, parseImdn } from '../../../../electron/main/sip/imdn'
import { flush, ManualTimers } from './fake-timers'
import { MemoryHistory } from './memory-history'

function setup(
  outcomes: SendOutcome[] = [],
  deliveryTimeoutMs = 60_000,
  extra: Partial<ImServiceOptions> = {}
) {
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
    log: (m) => logs.push(m),
    ...extra
  })
  const sent: OutgoingMessage[] = []
  // What the history held when each MESSAGE went out (a receipt must follow the durable write).
  const storedWhenSent: number[] = []
  const transport = {
    sendMessage: async (message: OutgoingMessage): Promise<SendOutcome> => {
      storedWhenSent.push(history.byId.size)
      await Promise.resolve()
      sent.push(message)
      return outcomes.shift() ?? { kind: 'response', status: 200, reason: 'OK' }
    }
  }
  return { im, timers, history, updates, received, typing, logs, sent, storedWhenSent, transport }
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

  it('receives text, and refuses unknown content types with 415 (the stack adds Accept)', async () => {
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
    expect(refused).toEqual({ status: 415, reason: 'Unsupported Media Type' })
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

describe('ImService: CPIM and receipts (RFC 3862, RFC 5438)', () => {
  const peer = 'sip:bob@example.org'
  const me = 'sip:alice@example.org'
  function receiptSetup(options: { readReceipts?: boolean; outcomes?: SendOutcome[] } = {}) {
    let readReceipts = options.readReceipts ?? true
    const t = setup(options.outcomes, 60_000, {
      self: () => me,
      sendReadReceipts: () => readReceipts
    })
    t.im.attach(t.transport)
    let call = 0
    /** An incoming MESSAGE from the peer, each a new request unless `over` says otherwise. */
    const rx = (body: string, contentType: string, over: Partial<IncomingMessage> = {}) =>
      t.im.receive(incoming({ from: peer, body, contentType, callId: `in-${++call}`, ...over }))
    return { ...t, rx, setReadReceipts: (v: boolean) => (readReceipts = v) }
  }
  const cpim = (inner: string, headers = '') =>
    `From: <${peer}>\r\nTo: <${me}>\r\nDateTime: 2026-12-04T22:35:02Z\r\nNS: imdn <urn:ietf:params:imdn>\r\n${headers}\r\nContent-Type: ${inner}`
  const linphoneText = (text: string, id = 'LfI1WVel6pq6') =>
    `${cpim(
      'text/plain',
      `imdn.Message-ID: ${id}\r\nimdn.Disposition-Notification: positive-delivery, negative-delivery, display\r\n`
    )}\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`
  const imdn = (id: string, kind: 'delivery' | 'display', status: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>${id}</message-id><datetime>2026-12-04T22:40:00Z</datetime><${kind}-notification><status><${status}/></status></${kind}-notification></imdn>`
  const parseSent = (body: string) => parseImdn(parseCpim(body).body)

  it('shows the text inside CPIM with its DateTime, never the CPIM headers; answers 200', async () => {
    const t = receiptSetup()
    expect(await t.rx(linphoneText('Hello 你好 ☕'), 'message/cpim')).toEqual({ status: 200 })
    expect(t.received).toHaveLength(1)
    expect(t.received[0]).toMatchObject({
      body: 'Hello 你好 ☕',
      direction: 'in',
      state: 'received',
      writtenAt: '2026-12-04T22:35:02.000Z',
      displayReceipt: { messageId: 'LfI1WVel6pq6' },
      dedupeKey: `${peer} in-1 1`
    })
    // The peer is the author: no separate author shown.
    expect(t.received[0]?.author).toBeUndefined()
  })

  it('sends the positive-delivery receipt in CPIM after the message is stored', async () => {
    const t = receiptSetup()
    await t.rx(linphoneText('stored first'), 'message/cpim')
    await flush()
    expect(t.sent).toHaveLength(1)
    expect(t.storedWhenSent).toEqual([1])
    expect(t.sent[0]).toMatchObject({ to: peer, contentType: 'message/cpim' })
    const cpimReceipt = parseCpim(t.sent[0]!.body)
    expect(cpimReceipt.contentType).toBe('message/imdn+xml')
    expect(cpimHeader(cpimReceipt, 'From')).toBe(`<${me}>`)
    const receipt = parseSent(t.sent[0]!.body)
    expect(receipt).toMatchObject({
      messageId: 'LfI1WVel6pq6',
      kind: 'delivery',
      status: 'delivered'
    })
    // Its MESSAGE's Call-ID is the notification's own id, as every MESSAGE of ours.
    expect(cpimHeader(cpimReceipt, 'Message-ID', 'urn:ietf:params:imdn')).toBe(
      t.sent[0]!.identity?.callId
    )
  })

  it('sends no receipt when storing failed (the 500 makes the sender try again)', async () => {
    const t = receiptSetup()
    t.history.append = () => Promise.reject(new Error('ENOSPC'))
    await expect(t.rx(linphoneText('not stored'), 'message/cpim')).rejects.toThrow('ENOSPC')
    await flush()
    expect(t.sent).toEqual([])
  })

  it('shows a copy of a CPIM message once, and sends its delivery receipt again', async () => {
    const t = receiptSetup()
    const copy = { callId: 'same', cseq: 7 }
    expect(await t.rx(linphoneText('only once'), 'message/cpim', copy)).toEqual({ status: 200 })
    expect(await t.rx(linphoneText('only once'), 'message/cpim', copy)).toEqual({ status: 200 })
    await flush()
    expect(t.received.map((m) => m.body)).toEqual(['only once'])
    expect(t.sent.map((s) => parseSent(s.body))).toMatchObject([
      { kind: 'delivery', messageId: 'LfI1WVel6pq6' },
      { kind: 'delivery', messageId: 'LfI1WVel6pq6' }
    ])
  })

  it('sends nothing for CPIM that asks for no receipt, and shows another author', async () => {
    const t = receiptSetup()
    const body = `From: Carol <sip:carol@example.org>\r\n\r\nContent-Type: text/plain\r\n\r\nrelayed`
    expect(await t.rx(body, 'message/cpim')).toEqual({ status: 200 })
    await flush()
    expect(t.sent).toEqual([])
    expect(t.received[0]).toMatchObject({ body: 'relayed', author: 'sip:carol@example.org' })
    expect(t.received[0]?.displayReceipt).toBeUndefined()
  })

  it('sends the read receipt once, when the user has seen the chat, if allowed', async () => {
    const t = receiptSetup()
    await t.rx(linphoneText('read me'), 'message/cpim')
    await flush()
    await t.im.markSeen(peer)
    await flush()
    expect(t.sent.map((s) => parseSent(s.body).kind)).toEqual(['delivery', 'display'])
    expect(parseSent(t.sent[1]!.body)).toMatchObject({
      messageId: 'LfI1WVel6pq6',
      status: 'displayed'
    })
    expect(t.history.byId.get('m1')?.state).toBe('displayed')
    expect(t.updates.at(-1)).toMatchObject({ id: 'm1', state: 'displayed' })
    await t.im.markSeen(peer)
    await flush()
    expect(t.sent).toHaveLength(2)
  })

  it('keeps a read receipt for later when the chat is seen while not connected', async () => {
    const t = receiptSetup()
    await t.rx(linphoneText('seen offline'), 'message/cpim')
    await flush()
    t.im.detach()
    await t.im.markSeen(peer)
    expect(t.history.byId.get('m1')?.state).toBe('received')
    t.im.attach(t.transport)
    await t.im.markSeen(peer)
    await flush()
    expect(t.sent.map((s) => parseSent(s.body).kind)).toEqual(['delivery', 'display'])
  })

  it('sends no read receipt when the privacy setting is off, not even after it is turned on', async () => {
    const t = receiptSetup({ readReceipts: false })
    await t.rx(linphoneText('private'), 'message/cpim')
    await t.im.markSeen(peer)
    await flush()
    expect(t.sent.map((s) => parseSent(s.body).kind)).toEqual(['delivery'])
    t.setReadReceipts(true)
    await t.im.markSeen(peer)
    await flush()
    expect(t.sent).toHaveLength(1)
  })

  it.each([
    ['unwrapped', (x: string): [string, string] => [x, 'message/imdn+xml']],
    [
      'in CPIM',
      (x: string): [string, string] => [
        `From: <${peer}>\r\n\r\nContent-Disposition: notification\r\nContent-Type: message/imdn+xml\r\n\r\n${x}`,
        'message/cpim'
      ]
    ]
  ])('moves our message to delivered, then displayed, on receipts %s', async (_n, wrap) => {
    const t = receiptSetup()
    const m = await t.im.send(peer, 'did you get it?')
    await flush()
    // A plain MESSAGE: Linphone's receipt for it quotes its Call-ID, the message id.
    expect(t.sent[0]).toMatchObject({
      contentType: TEXT_CONTENT_TYPE,
      identity: { callId: m.id },
      body: m.body
    })
    expect(await t.rx(...wrap(imdn(m.id, 'delivery', 'delivered')))).toEqual({ status: 200 })
    expect(t.history.byId.get(m.id)?.state).toBe('delivered')
    await t.rx(...wrap(imdn(m.id, 'display', 'displayed')))
    expect(t.history.byId.get(m.id)?.state).toBe('displayed')
    // A late delivery receipt never moves it back.
    await t.rx(...wrap(imdn(m.id, 'delivery', 'delivered')))
    expect(t.history.byId.get(m.id)?.state).toBe('displayed')
    expect(t.updates.map((u) => u.state)).toEqual(['sending', 'accepted', 'delivered', 'displayed'])
  })

  it('keeps delivered when the receipt beats the server answer', async () => {
    const t = receiptSetup()
    let answer: (o: SendOutcome) => void = () => undefined
    t.im.attach({ sendMessage: () => new Promise<SendOutcome>((r) => (answer = r)) })
    const m = await t.im.send(peer, 'race')
    await flush()
    await t.rx(imdn(m.id, 'delivery', 'delivered'), 'message/imdn+xml')
    answer({ kind: 'response', status: 200, reason: 'OK' })
    await flush()
    expect(t.history.byId.get(m.id)?.state).toBe('delivered')
    expect(t.updates.map((u) => u.state)).toEqual(['sending', 'delivered'])
  })

  it('keeps displayed when two receipts are recorded at the same time', async () => {
    const t = receiptSetup()
    const m = await t.im.send(peer, 'photo finish')
    await flush()
    expect(t.history.byId.get(m.id)?.state).toBe('accepted')
    // Delivered, then displayed, while the history is slow: each change waits for the last.
    const slow = t.history.updateState.bind(t.history)
    t.history.updateState = async (...args) => {
      await new Promise((r) => setTimeout(r, 5))
      return slow(...args)
    }
    await Promise.all([
      t.rx(imdn(m.id, 'display', 'displayed'), 'message/imdn+xml'),
      t.rx(imdn(m.id, 'delivery', 'delivered'), 'message/imdn+xml')
    ])
    expect(t.history.byId.get(m.id)?.state).toBe('displayed')
  })

  it('stops retrying a message the peer reports delivered', async () => {
    const offline: SendOutcome = {
      kind: 'response',
      status: 480,
      reason: 'Temporarily Unavailable'
    }
    const t = receiptSetup({ outcomes: [offline, offline, offline] })
    t.im.detach()
    const m = await t.im.send(peer, 'met an outage')
    t.im.attach(t.transport)
    await flush()
    expect(t.sent).toHaveLength(1)
    // The server said 480, but the peer's device has it after all (its receipt says so).
    await t.rx(imdn(m.id, 'delivery', 'delivered'), 'message/imdn+xml')
    await t.timers.advance(60_000)
    expect(t.sent).toHaveLength(1)
    expect(t.history.byId.get(m.id)?.state).toBe('delivered')
  })

  it('fails a message the peer reports not delivered, with a code', async () => {
    const t = receiptSetup()
    const m = await t.im.send(peer, 'too big for the phone')
    await flush()
    await t.rx(imdn(m.id, 'delivery', 'error'), 'message/imdn+xml')
    expect(t.history.byId.get(m.id)).toMatchObject({
      state: 'failed',
      failure: { code: 'recipient-failed', params: { status: 'error' } }
    })
  })

  it('ignores receipts for messages it did not send, and answers 400 to broken ones', async () => {
    const t = receiptSetup()
    await t.rx(linphoneText('theirs', 'their-id'), 'message/cpim')
    expect(await t.rx(imdn('m1', 'display', 'displayed'), 'message/imdn+xml')).toEqual({
      status: 200
    })
    expect(t.history.byId.get('m1')?.state).toBe('received')
    expect(await t.rx(imdn('nope', 'delivery', 'delivered'), 'message/imdn+xml')).toEqual({
      status: 200
    })
    expect(t.logs.join('\n')).toMatch(/do not know \(nope\)/)
    const broken = await t.rx('<imdn>not closed', 'message/imdn+xml')
    expect(broken.status).toBe(400)
    const notCpim = await t.rx('hello, just text', 'message/cpim')
    expect(notCpim.status).toBe(400)
    expect(notCpim.reason).toMatch(/^Bad Request: /)
    expect(t.received).toHaveLength(1)
  })

  it('answers 415 (the stack adds the one Accept) for CPIM around a type it does not show', async () => {
    const t = receiptSetup()
    const answer = await t.rx(`${cpim('image/png')}\r\n\r\n\u0089PNG`, 'message/cpim')
    expect(answer).toEqual({ status: 415, reason: 'Unsupported Media Type' })
    expect(t.received).toEqual([])
  })

  it('answers 415 with Accept-Encoding for a body coding the transport left undone', async () => {
    const t = receiptSetup()
    const coded = { header: (name: string) => (name === 'Content-Encoding' ? 'br' : undefined) }
    expect(await t.rx('\u0000\u0001', 'text/plain', coded)).toEqual({
      status: 415,
      reason: 'Unsupported Media Type',
      headers: ['Accept-Encoding: identity, deflate, gzip']
    })
    expect(t.received).toEqual([])
  })

  it('reads isComposing inside CPIM', async () => {
    const t = receiptSetup()
    await t.rx(`${cpim(ISCOMPOSING_CONTENT_TYPE)}\r\n\r\n${isComposingBody(true)}`, 'message/cpim')
    expect(t.typing).toEqual([{ conversation: peer, active: true }])
  })

  it('writes to a peer that showed it speaks CPIM in CPIM with receipt requests', async () => {
    const t = receiptSetup()
    await t.rx(linphoneText('hi'), 'message/cpim')
    await flush()
    t.sent.length = 0
    const m = await t.im.send(peer, 'wrapped ☕')
    await flush()
    expect(t.sent[0]).toMatchObject({
      contentType: 'message/cpim',
      identity: { callId: m.id, cseq: 1 }
    })
    const out = parseCpim(t.sent[0]!.body)
    expect(out.body).toBe('wrapped ☕')
    expect(imdnRequestOf(out)).toEqual({
      messageId: m.id,
      dispositions: new Set(['positive-delivery', 'display'])
    })
  })

  it('sends every copy of a CPIM message the same: body, Call-ID, CSeq', async () => {
    const t = receiptSetup({
      outcomes: [
        { kind: 'response', status: 200, reason: 'OK' },
        { kind: 'transport-error', reason: 'connection lost' }
      ]
    })
    await t.rx(linphoneText('hi'), 'message/cpim')
    await flush()
    t.sent.length = 0
    await t.im.send(peer, 'twice, identically')
    await flush()
    t.im.detach()
    t.im.attach({ ...t.transport })
    await flush()
    expect(t.sent).toHaveLength(2)
    expect(t.sent[1]).toEqual(t.sent[0])
  })

  it('falls back to text/plain on 415 to CPIM, as a new request of the same message', async () => {
    const t = receiptSetup({
      outcomes: [
        { kind: 'response', status: 200, reason: 'OK' },
        { kind: 'response', status: 415, reason: 'Unsupported Media Type' }
      ]
    })
    await t.rx(linphoneText('hi'), 'message/cpim')
    await flush()
    const plain = await t.im.send(peer, 'again, plainly')
    await flush()
    expect(t.sent.slice(1)).toMatchObject([
      { contentType: 'message/cpim', identity: { callId: plain.id, cseq: 1 } },
      {
        contentType: TEXT_CONTENT_TYPE,
        identity: { callId: plain.id, cseq: 2 },
        body: 'again, plainly'
      }
    ])
    expect(t.history.byId.get(plain.id)?.state).toBe('accepted')
    // And plain from now on.
    await t.im.send(peer, 'plain now')
    await flush()
    expect(t.sent.at(-1)).toMatchObject({ contentType: TEXT_CONTENT_TYPE, identity: { cseq: 1 } })
  })

  it('forgets who speaks CPIM when the sign-in ends', async () => {
    const t = receiptSetup()
    await t.rx(linphoneText('hi'), 'message/cpim')
    await t.im.failQueued({ code: 'signed-out', reason: 'signed out' })
    await t.im.send(peer, 'new sign-in')
    await flush()
    expect(t.sent.at(-1)).toMatchObject({ contentType: TEXT_CONTENT_TYPE })
  })
})
