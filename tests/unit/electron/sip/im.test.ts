import { describe, expect, it } from 'vitest'
import {
  ImService,
  isComposingBody,
  ISCOMPOSING_CONTENT_TYPE,
  TEXT_CONTENT_TYPE,
  type SendOutcome
} from '../../../../electron/main/sip/im'
import type { ImMessage, Typing } from '../../../../shared/types/im'
import { flush, ManualTimers } from './fake-timers'
import { MemoryHistory } from './memory-history'

function setup(outcomes: SendOutcome[] = []) {
  const timers = new ManualTimers()
  const history = new MemoryHistory()
  const updates: ImMessage[] = []
  const received: ImMessage[] = []
  const typing: Typing[] = []
  let n = 0
  const im = new ImService({
    history,
    timers,
    queueTimeoutMs: 30_000,
    newId: () => `m${++n}`,
    onUpdated: (m) => updates.push(m),
    onReceived: (m) => received.push(m),
    onTyping: (t) => typing.push(t)
  })
  const sent: Array<{ to: string; body: string; type: string }> = []
  const transport = {
    sendMessage: async (to: string, body: string, type: string): Promise<SendOutcome> => {
      await Promise.resolve()
      sent.push({ to, body, type })
      return outcomes.shift() ?? { kind: 'response', status: 200, reason: 'OK' }
    }
  }
  return { im, timers, history, updates, received, typing, sent, transport }
}

describe('ImService', () => {
  it('sends text/plain UTF-8 and ends accepted on 2xx', async () => {
    const t = setup()
    t.im.attach(t.transport)
    const m = await t.im.send('sip:bob@Example.org', 'héllo 👋')
    await flush()
    expect(m.state).toBe('sending')
    expect(t.sent).toEqual([
      { to: 'sip:bob@example.org', body: 'héllo 👋', type: TEXT_CONTENT_TYPE }
    ])
    expect(t.history.byId.get('m1')?.state).toBe('accepted')
    expect(t.updates.map((u) => u.state)).toEqual(['sending', 'accepted'])
  })

  it('ends failed with the SIP status and reason on an error response', async () => {
    const t = setup([{ kind: 'response', status: 404, reason: 'Not Found' }])
    t.im.attach(t.transport)
    await t.im.send('sip:nobody@example.org', 'x')
    await flush()
    expect(t.history.byId.get('m1')).toMatchObject({
      state: 'failed',
      failure: { status: 404, reason: 'Not Found' }
    })
  })

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
    await t.timers.advance(60_000)
    expect(t.history.byId.get('m1')?.state).toBe('accepted')
  })

  it('marks a queued message failed after the timeout, with a reason', async () => {
    const t = setup()
    await t.im.send('sip:bob@example.org', 'never')
    await t.timers.advance(30_000)
    expect(t.history.byId.get('m1')?.state).toBe('failed')
    expect(t.history.byId.get('m1')?.failure?.reason).toMatch(/no connection/)
    expect(t.im.queued).toHaveLength(0)
  })

  it('re-queues a message whose connection dropped before an answer', async () => {
    const t = setup([{ kind: 'transport-error', reason: 'connection lost' }])
    t.im.attach(t.transport)
    await t.im.send('sip:bob@example.org', 'flaky')
    await flush()
    t.im.detach()
    expect(t.history.byId.get('m1')?.state).toBe('queued')
    t.im.attach(t.transport)
    await flush()
    expect(t.history.byId.get('m1')?.state).toBe('accepted')
    expect(t.sent).toHaveLength(2)
  })

  it('fails queued messages on sign-out instead of dropping them', async () => {
    const t = setup()
    await t.im.send('sip:bob@example.org', 'a')
    await t.im.failQueued('signed out before it could be sent')
    expect(t.history.byId.get('m1')).toMatchObject({
      state: 'failed',
      failure: { reason: 'signed out before it could be sent' }
    })
  })

  it('receives text, and refuses unknown content types with 415', async () => {
    const t = setup()
    expect(
      await t.im.receive('sip:bob@example.org', 'ça va ? 日本', 'text/plain;charset=UTF-8')
    ).toEqual({
      status: 200
    })
    expect(t.received[0]).toMatchObject({
      direction: 'in',
      state: 'received',
      body: 'ça va ? 日本'
    })
    expect((await t.im.receive('sip:bob@example.org', '<b/>', 'text/html')).status).toBe(415)
    expect(t.received).toHaveLength(1)
  })

  it('shows remote typing and clears it on idle, on a message, or after refresh', async () => {
    const t = setup()
    await t.im.receive('sip:bob@x.org', isComposingBody(true), ISCOMPOSING_CONTENT_TYPE)
    await t.im.receive('sip:bob@x.org', isComposingBody(false), ISCOMPOSING_CONTENT_TYPE)
    await t.im.receive('sip:bob@x.org', isComposingBody(true), ISCOMPOSING_CONTENT_TYPE)
    await t.im.receive('sip:bob@x.org', 'hi', 'text/plain')
    await t.im.receive('sip:bob@x.org', isComposingBody(true), ISCOMPOSING_CONTENT_TYPE)
    await t.timers.advance(60_000)
    expect(t.typing.map((x) => x.active)).toEqual([true, false, true, false, true, false])
    await t.im.receive('sip:bob@x.org', '<not xml', ISCOMPOSING_CONTENT_TYPE)
    expect(t.typing).toHaveLength(6)
  })

  it('sends typing with rate limiting and backs off after 415 for that peer', async () => {
    const t = setup([{ kind: 'response', status: 415, reason: 'Unsupported Media Type' }])
    t.im.attach(t.transport)
    expect(await t.im.setTyping('sip:old@x.org', true)).toBe('sent')
    expect(t.sent[0]?.type).toBe(ISCOMPOSING_CONTENT_TYPE)
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
})
