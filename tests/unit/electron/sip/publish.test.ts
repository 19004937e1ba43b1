import { describe, expect, it } from 'vitest'
import {
  PresencePublisher,
  refreshDelayMs,
  type PublishRequest,
  type PublishResponse
} from '../../../../electron/main/sip/publish'
import { flush, ManualTimers } from './fake-timers'

/**
 * An in-memory Event State Compositor following RFC 3903 §6: it issues entity-tags, checks
 * SIP-If-Match, enforces Min-Expires and can "restart" (forget all tags).
 */
class FakeEsc {
  readonly log: PublishRequest[] = []
  tags = new Map<string, string>()
  minExpires = 0
  #n = 0
  state: string | null = null
  failNext: PublishResponse | null = null

  send = async (req: PublishRequest): Promise<PublishResponse> => {
    await Promise.resolve()
    this.log.push(req)
    if (this.failNext) {
      const r = this.failNext
      this.failNext = null
      return r
    }
    if (req.expires > 0 && req.expires < this.minExpires) {
      return { status: 423, reason: 'Interval Too Brief', minExpires: this.minExpires }
    }
    if (req.ifMatch !== undefined) {
      if (!this.tags.has(req.ifMatch)) return { status: 412, reason: 'Conditional Request Failed' }
      const body = this.tags.get(req.ifMatch)!
      this.tags.delete(req.ifMatch)
      if (req.expires === 0) {
        this.state = null
        return { status: 200, reason: 'OK' }
      }
      return this.#ok(req.body ?? body, req.expires)
    }
    if (req.body === undefined) return { status: 400, reason: 'Missing body' }
    return this.#ok(req.body, req.expires)
  }

  #ok(body: string, expires: number): PublishResponse {
    const etag = `e${++this.#n}`
    this.tags.set(etag, body)
    this.state = body
    return { status: 200, reason: 'OK', etag, expires }
  }
}

describe('PresencePublisher', () => {
  it('publishes initially without SIP-If-Match and keeps the entity-tag', async () => {
    const esc = new FakeEsc()
    const timers = new ManualTimers()
    const p = new PresencePublisher(esc.send, { expires: 600, timers })
    const status = await p.publish('<doc1/>')
    expect(esc.log[0]).toEqual({ expires: 600, body: '<doc1/>' })
    expect(status).toEqual({ kind: 'published', etag: 'e1', expiresAt: 600_000 })
    expect(esc.state).toBe('<doc1/>')
  })

  it('refreshes before expiry with SIP-If-Match and no body, then tracks the new tag', async () => {
    const esc = new FakeEsc()
    const timers = new ManualTimers()
    const p = new PresencePublisher(esc.send, { expires: 600, timers })
    await p.publish('<doc1/>')
    expect(timers.nextDelay()).toBe(refreshDelayMs(600))
    expect(refreshDelayMs(600)).toBeLessThan(600_000)
    await timers.advance(refreshDelayMs(600))
    expect(esc.log[1]).toEqual({ expires: 600, ifMatch: 'e1' })
    expect(p.etag).toBe('e2')
    await timers.advance(refreshDelayMs(600))
    expect(esc.log[2]).toEqual({ expires: 600, ifMatch: 'e2' })
    expect(esc.state).toBe('<doc1/>')
  })

  it('modifies with SIP-If-Match and the new body', async () => {
    const esc = new FakeEsc()
    const p = new PresencePublisher(esc.send, { expires: 600, timers: new ManualTimers() })
    await p.publish('<doc1/>')
    await p.publish('<doc2/>')
    expect(esc.log[1]).toEqual({ expires: 600, ifMatch: 'e1', body: '<doc2/>' })
    expect(esc.state).toBe('<doc2/>')
    expect(p.etag).toBe('e2')
  })

  it('re-publishes from scratch after 412 (server forgot the tag)', async () => {
    const esc = new FakeEsc()
    const timers = new ManualTimers()
    const p = new PresencePublisher(esc.send, { expires: 600, timers })
    await p.publish('<doc1/>')
    esc.tags.clear()
    await timers.advance(refreshDelayMs(600))
    expect(esc.log.slice(1)).toEqual([
      { expires: 600, ifMatch: 'e1' },
      { expires: 600, body: '<doc1/>' }
    ])
    expect(p.status.kind).toBe('published')
    expect(p.etag).toBe('e2')
  })

  it('retries with Min-Expires after 423 and keeps using it', async () => {
    const esc = new FakeEsc()
    esc.minExpires = 1800
    const timers = new ManualTimers()
    const p = new PresencePublisher(esc.send, { expires: 60, timers })
    const status = await p.publish('<doc/>')
    expect(esc.log.map((r) => r.expires)).toEqual([60, 1800])
    expect(status.kind).toBe('published')
    await timers.advance(refreshDelayMs(1800))
    expect(esc.log[2]).toEqual({ expires: 1800, ifMatch: 'e1' })
  })

  it('removes with Expires: 0 and SIP-If-Match, and stops refreshing', async () => {
    const esc = new FakeEsc()
    const timers = new ManualTimers()
    const p = new PresencePublisher(esc.send, { expires: 600, timers })
    await p.publish('<doc/>')
    await p.remove()
    expect(esc.log[1]).toEqual({ expires: 0, ifMatch: 'e1' })
    expect(esc.state).toBeNull()
    expect(p.status).toEqual({ kind: 'idle' })
    expect(timers.pending.size).toBe(0)
  })

  it('reports a failure with the SIP status and retries later', async () => {
    const esc = new FakeEsc()
    esc.failNext = { status: 503, reason: 'Service Unavailable' }
    const timers = new ManualTimers()
    const p = new PresencePublisher(esc.send, { expires: 600, timers })
    expect(await p.publish('<doc/>')).toEqual({
      kind: 'failed',
      status: 503,
      reason: 'Service Unavailable'
    })
    await timers.advance(60_000)
    expect(p.status.kind).toBe('published')
  })

  it('reports a transport failure without throwing', async () => {
    const p = new PresencePublisher(() => Promise.reject(new Error('request timeout')), {
      timers: new ManualTimers()
    })
    expect(await p.publish('<doc/>')).toEqual({ kind: 'failed', reason: 'request timeout' })
  })

  it('serializes concurrent publishes so each uses the latest tag', async () => {
    const esc = new FakeEsc()
    const p = new PresencePublisher(esc.send, { expires: 600, timers: new ManualTimers() })
    await Promise.all([p.publish('<a/>'), p.publish('<b/>'), p.publish('<c/>')])
    expect(esc.log.map((r) => r.ifMatch)).toEqual([undefined, 'e1', 'e2'])
    expect(esc.state).toBe('<c/>')
  })

  it('after suspend keeps the tag and modifies it on the next publish', async () => {
    const esc = new FakeEsc()
    const timers = new ManualTimers()
    const p = new PresencePublisher(esc.send, { expires: 600, timers })
    await p.publish('<a/>')
    p.suspend()
    expect(timers.pending.size).toBe(0)
    await p.publish('<a/>')
    expect(esc.log[1]?.ifMatch).toBe('e1')
  })

  it('does not schedule retries while suspended (connection down)', async () => {
    let release: (r: PublishResponse) => void = () => undefined
    const timers = new ManualTimers()
    const p = new PresencePublisher(
      () => new Promise<PublishResponse>((resolve) => (release = resolve)),
      { timers }
    )
    const pending = p.publish('<doc/>')
    await flush()
    p.suspend()
    release({ status: 503, reason: 'Service Unavailable' })
    expect((await pending).kind).toBe('failed')
    expect(timers.pending.size).toBe(0)
  })

  it('ends a failure of a timer-started refresh in its status, not an unhandled rejection', async () => {
    const esc = new FakeEsc()
    const timers = new ManualTimers()
    let calls = 0
    const p = new PresencePublisher(esc.send, {
      expires: 600,
      timers,
      onStatus: () => {
        if (++calls > 1) throw new Error('listener broke')
      }
    })
    const unhandled: unknown[] = []
    const catcher = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', catcher)
    try {
      await p.publish('<doc/>')
      await timers.advance(refreshDelayMs(600))
      await new Promise((r) => setImmediate(r))
      expect(unhandled).toEqual([])
      expect(p.status).toMatchObject({ kind: 'failed', reason: /listener broke/ })
    } finally {
      process.off('unhandledRejection', catcher)
    }
  })
})
