import { createHash } from 'node:crypto'
import type { TrustReason } from '../../../../shared/types/trust'
import { describe, expect, it } from 'vitest'
import { afterEach } from 'vitest'
import { TransactionTimers } from '../../../../electron/main/sip/jssip/internals'
import {
  SipSession,
  type SipConnection,
  type SipSessionOptions
} from '../../../../electron/main/sip/session'
import type { ImMessage } from '../../../../shared/types/im'
import type { SessionState } from '../../../../shared/types/sip'
import { FakeRegistrar, type Responder } from './fake-registrar'
import { ManualTimers } from './fake-timers'
import { MemoryHistory, waitFor } from './memory-history'
import { buildPidf } from '../../../../electron/main/sip/pidf'

/** Registrar that accepts everything a presence client sends. */
const happy: Responder = (req, server) => {
  switch (req.method) {
    case 'REGISTER':
      return {
        status: 200,
        reason: 'OK',
        headers: [`Contact: ${req.header('contact')};expires=600`, 'Expires: 600']
      }
    case 'PUBLISH':
      return {
        status: 200,
        reason: 'OK',
        headers: [`SIP-ETag: ${server.nextEtag()}`, 'Expires: 3600']
      }
    case 'MESSAGE':
      return req.ruri.includes('nobody')
        ? { status: 404, reason: 'Not Found' }
        : { status: 200, reason: 'OK' }
    case 'SUBSCRIBE':
      return {
        status: 200,
        reason: 'OK',
        headers: [
          'Contact: <sip:127.0.0.1:5061;transport=tls>',
          `Expires: ${req.header('expires')}`
        ]
      }
    default:
      return { status: 200, reason: 'OK' }
  }
}

/** The headline finding a refusing trust engine hands over. */
const refusal = (detail: string): TrustReason => ({
  code: 'self-signed',
  severity: 'error',
  certIndex: 0,
  certSubject: null,
  params: {},
  detail
})

function setup(
  responder: Responder,
  verdict: SipConnection['verdict'] = 'trusted',
  extra: Partial<SipSessionOptions> = {}
) {
  const servers: FakeRegistrar[] = []
  const states: SessionState[] = []
  const history = new MemoryHistory()
  const received: ImMessage[] = []
  let connects = 0
  const session = new SipSession({
    history,
    connector: async () => {
      await Promise.resolve()
      connects++
      const server = new FakeRegistrar(responder)
      servers.push(server)
      return {
        verdict,
        socket: server.clientStream,
        host: '127.0.0.1',
        port: 5061,
        finding: refusal('self-signed certificate')
      }
    },
    events: { onStateChanged: (s) => states.push(s), onMessageReceived: (m) => received.push(m) },
    reconnectBaseMs: 20,
    reconnectMaxMs: 50,
    registerTimeoutMs: 500,
    ...extra
  })
  return { session, servers, states, history, received, connects: () => connects }
}

describe('SipSession (JsSIP over an in-memory SIP peer)', () => {
  it('refuses to send anything when the connector reports untrusted', async () => {
    const t = setup(happy, 'untrusted')
    const state = await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    expect(state).toMatchObject({
      status: 'failed',
      failure: {
        code: 'untrusted',
        reason: 'self-signed certificate',
        finding: refusal('self-signed certificate')
      }
    })
    await new Promise((r) => setTimeout(r, 50))
    expect(t.servers[0]?.requests).toEqual([])
    expect(t.servers[0]?.clientStream.destroyed).toBe(true)
  })

  it('registers with digest auth, with a TLS contact, then publishes presence', async () => {
    const challenge: Responder = (req, server) => {
      if (req.method === 'REGISTER' && !req.header('authorization')) {
        return {
          status: 401,
          reason: 'Unauthorized',
          headers: [
            'WWW-Authenticate: Digest realm="lab.test", nonce="abc123", algorithm=MD5, qop="auth"'
          ]
        }
      }
      return happy(req, server)
    }
    const t = setup(challenge)
    const state = await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    expect(state.status).toBe('registered')
    expect(t.states.map((s) => s.status)).toEqual(['connecting', 'registering', 'registered'])
    const server = t.servers[0]!
    const regs = server.requests.filter((r) => r.method === 'REGISTER')
    expect(regs).toHaveLength(2)
    expect(regs[1]?.header('authorization')).toMatch(/^Digest .*username="alice"/)
    expect(regs[0]?.header('contact')).toMatch(/transport=tls/)
    expect(regs[0]?.header('via')).toMatch(/^SIP\/2.0\/TLS /)
    await waitFor(() => server.requests.some((r) => r.method === 'PUBLISH'))
    const pub = server.requests.find((r) => r.method === 'PUBLISH')!
    expect(pub.header('event')).toBe('presence')
    expect(pub.header('content-type')).toBe('application/pidf+xml')
    expect(pub.body).toContain('<basic>open</basic>')
    t.session.dispose()
  })

  it('answers the digest challenge ahead of time once it knows the nonce, and copes with stale', async () => {
    const md5 = (x: string) => createHash('md5').update(x).digest('hex')
    // Like Kamailio: a fresh nonce per challenge, valid until the server moves on (generation).
    let generation = 1
    let issued = 0
    const newNonce = () => `g${generation}x${++issued}`
    const seenNc = new Map<string, number>()
    /** Checks a Proxy-Authorization as the server would: right response, growing nonce count. */
    const valid = (method: string, header: string | undefined): 'ok' | 'stale' | 'none' => {
      if (!header) return 'none'
      const p = Object.fromEntries(
        [...header.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((m) => [m[1], m[2] ?? m[3]])
      ) as Record<string, string>
      const ha1 = md5(`alice:lab.test:secret`)
      const ha2 = md5(`${method}:${p['uri']}`)
      const want = md5(`${ha1}:${p['nonce']}:${p['nc']}:${p['cnonce']}:auth:${ha2}`)
      expect(p['response']).toBe(want)
      const nc = parseInt(p['nc'] ?? '0', 16)
      expect(nc).toBeGreaterThan(seenNc.get(p['nonce']!) ?? 0)
      seenNc.set(p['nonce']!, nc)
      return p['nonce']?.startsWith(`g${generation}x`) ? 'ok' : 'stale'
    }
    const proxy: Responder = (req, server) => {
      if (req.method !== 'REGISTER') {
        const v = valid(req.method, req.header('proxy-authorization'))
        if (v !== 'ok') {
          return {
            status: 407,
            reason: 'Proxy Authentication Required',
            headers: [
              `Proxy-Authenticate: Digest realm="lab.test", nonce="${newNonce()}", qop="auth"${v === 'stale' ? ', stale=true' : ''}`
            ]
          }
        }
      }
      return happy(req, server)
    }
    const t = setup(proxy)
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    const server = t.servers[0]!
    const messages = () => server.requests.filter((r) => r.method === 'MESSAGE')
    // The first MESSAGE (or the PUBLISH before it) is challenged; the ones after are not.
    const first = await t.session.im.send('sip:bob@lab.test', 'one')
    await waitFor(() => t.history.byId.get(first.id)?.state === 'accepted')
    const before = messages().length
    const second = await t.session.im.send('sip:bob@lab.test', 'two')
    await waitFor(() => t.history.byId.get(second.id)?.state === 'accepted')
    expect(messages().length - before).toBe(1)
    expect(messages().at(-1)?.header('proxy-authorization')).toMatch(/nonce="g1x/)
    // The server moves on to a new nonce: the preemptive answer is stale, JsSIP answers the
    // new challenge, and the one after goes through at once again.
    generation = 2
    const third = await t.session.im.send('sip:bob@lab.test', 'three')
    await waitFor(() => t.history.byId.get(third.id)?.state === 'accepted')
    const fourth = await t.session.im.send('sip:bob@lab.test', 'four')
    await waitFor(() => t.history.byId.get(fourth.id)?.state === 'accepted')
    const tail = messages().slice(-3)
    expect(
      tail.map((m) => /nonce="(g\d)x/.exec(m.header('proxy-authorization') ?? '')?.[1])
    ).toEqual(['g1', 'g2', 'g2'])
    t.session.dispose()
  })

  it.each([
    [403, 'Forbidden', 'wrong-password'],
    [404, 'Not Found', 'unknown-user']
  ])('fails with %i → %s', async (status, reason, code) => {
    const t = setup((req, s) => (req.method === 'REGISTER' ? { status, reason } : happy(req, s)))
    const state = await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'x' })
    expect(state).toMatchObject({ status: 'failed', failure: { code, status, reason } })
  })

  it('rejects an incoming INVITE with 488 without touching WebRTC', async () => {
    const t = setup(happy)
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    const server = t.servers[0]!
    server.sendRequest(
      'INVITE',
      'sip:alice@lab.test',
      [
        'From: <sip:bob@lab.test>;tag=b1',
        'To: <sip:alice@lab.test>',
        'Call-ID: inv1',
        'CSeq: 1 INVITE',
        'Contact: <sip:bob@127.0.0.1:5999;transport=tls>',
        'Content-Type: application/sdp'
      ],
      'v=0\r\n'
    )
    await waitFor(() =>
      server.responses.some((r) => r.includes('inv1') && !r.startsWith('SIP/2.0 100'))
    )
    expect(server.responses.filter((r) => r.includes('inv1')).pop()).toMatch(/^SIP\/2.0 488 /)
    t.session.dispose()
  })

  it('stores an incoming MESSAGE (UTF-8) before answering 200', async () => {
    const t = setup(happy)
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    const server = t.servers[0]!
    server.sendRequest(
      'MESSAGE',
      'sip:alice@lab.test',
      [
        'From: <sip:bob@lab.test>;tag=b2',
        'To: <sip:alice@lab.test>',
        'Call-ID: msg1',
        'CSeq: 1 MESSAGE',
        'Content-Type: text/plain;charset=UTF-8'
      ],
      'Grüße 👋 日本'
    )
    await waitFor(() => server.responses.some((r) => r.includes('msg1')))
    expect(server.responses.find((r) => r.includes('msg1'))).toMatch(/^SIP\/2.0 200 /)
    expect(t.received[0]).toMatchObject({ conversation: 'sip:bob@lab.test', body: 'Grüße 👋 日本' })
    t.session.dispose()
  })

  /** Sends bob's request to alice and returns the answer's lines. */
  async function answerTo(
    server: FakeRegistrar,
    method: string,
    callId: string,
    headers: string[],
    body = ''
  ): Promise<string[]> {
    server.sendRequest(
      method,
      'sip:alice@lab.test',
      [
        'From: <sip:bob@lab.test>;tag=b3',
        'To: <sip:alice@lab.test>',
        `Call-ID: ${callId}`,
        `CSeq: 1 ${method}`,
        ...headers
      ],
      body
    )
    await waitFor(() => server.responses.some((r) => r.includes(callId)))
    return server.responses.find((r) => r.includes(callId))!.split('\r\n')
  }
  const accepts = (lines: string[]) => lines.filter((l) => /^accept\s*:/i.test(l))
  const ONE_ACCEPT =
    'Accept: text/plain, message/cpim, message/imdn+xml, application/im-iscomposing+xml'

  it.each([
    ['an unknown coding', ['Content-Encoding: br'], 'xx'],
    ['an unknown coding in the compact form', ['e: br'], 'xx'],
    ['a deflate body that does not inflate', ['Content-Encoding: deflate'], 'not deflate'],
    ['two codings', ['Content-Encoding: gzip, deflate'], 'xx']
  ])(
    'answers a MESSAGE with %s 415 with Accept-Encoding and one Accept',
    async (_name, coding, body) => {
      const t = setup(happy)
      await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
      const callId = `msg-coded-${body.length}-${coding.length}-${coding[0]!.length}`
      const lines = await answerTo(
        t.servers[0]!,
        'MESSAGE',
        callId,
        [...coding, 'Content-Type: text/plain'],
        body
      )
      expect(lines[0]).toMatch(/^SIP\/2.0 415 /)
      expect(lines).toContain('Accept-Encoding: identity, deflate, gzip')
      expect(accepts(lines)).toEqual([ONE_ACCEPT])
      expect(t.received).toEqual([])
      t.session.dispose()
    }
  )

  it('answers a type it does not show, and OPTIONS, with exactly one Accept listing what it takes', async () => {
    const t = setup(happy)
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    const server = t.servers[0]!
    const refused = await answerTo(
      server,
      'MESSAGE',
      'msg-html',
      ['Content-Type: text/html'],
      '<b/>'
    )
    expect(refused[0]).toMatch(/^SIP\/2.0 415 /)
    expect(accepts(refused)).toEqual([ONE_ACCEPT])
    const options = await answerTo(server, 'OPTIONS', 'opt-1', [])
    expect(options[0]).toMatch(/^SIP\/2.0 200 /)
    expect(accepts(options)).toEqual([ONE_ACCEPT])
    t.session.dispose()
  })

  it('answers a broken CPIM body 400 with the reason on one line, and shows nothing', async () => {
    const t = setup(happy)
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    const lines = await answerTo(
      t.servers[0]!,
      'MESSAGE',
      'msg-cpim',
      ['Content-Type: message/cpim'],
      'no blank line, no inner headers'
    )
    expect(lines[0]).toMatch(/^SIP\/2.0 400 Bad Request: \S/)
    expect(lines[1]).toMatch(/^[A-Za-z-]+: /)
    expect(t.received).toEqual([])
    t.session.dispose()
  })

  it('sends MESSAGE and reports accepted or the failure status', async () => {
    const t = setup(happy)
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    const ok = await t.session.im.send('sip:bob@lab.test', 'héllo')
    const bad = await t.session.im.send('sip:nobody@lab.test', 'x')
    await waitFor(() => t.history.byId.get(ok.id)?.state === 'accepted')
    await waitFor(() => t.history.byId.get(bad.id)?.state === 'failed')
    expect(t.history.byId.get(bad.id)?.failure).toEqual({
      code: 'not-found',
      status: 404,
      reason: 'Not Found'
    })
    const sent = t.servers[0]!.requests.find((r) => r.method === 'MESSAGE')!
    expect(sent.header('content-type')).toBe('text/plain;charset=UTF-8')
    expect(sent.body).toBe('héllo')
    t.session.dispose()
  })

  it('subscribes to contacts and reads NOTIFY presence', async () => {
    const t = setup(happy)
    t.session.setContacts(['sip:bob@lab.test'])
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    const server = t.servers[0]!
    await waitFor(() => server.requests.some((r) => r.method === 'SUBSCRIBE'))
    const sub = server.requests.find((r) => r.method === 'SUBSCRIBE')!
    expect(sub.header('accept')).toBe('application/pidf+xml')
    expect(sub.header('event')).toBe('presence')
    // NOTIFY in the dialog the 200 created: swap From/To of the SUBSCRIBE, use its Call-ID.
    await waitFor(
      () => t.session.subscriptions.get('sip:bob@lab.test')?.subscription.status === 'pending'
    )
    await waitFor(() => server.toTags.has(sub.header('call-id')!))
    const from = sub.header('from')!
    const fromTag = /tag=([^;]+)/.exec(from)?.[1]
    server.sendRequest(
      'NOTIFY',
      /<([^>]+)>/.exec(sub.header('contact')!)![1]!,
      [
        `From: <sip:bob@lab.test>;tag=${server.toTags.get(sub.header('call-id')!)}`,
        `To: <sip:alice@lab.test>;tag=${fromTag}`,
        `Call-ID: ${sub.header('call-id')}`,
        'CSeq: 1 NOTIFY',
        'Event: presence',
        'Subscription-State: active;expires=600',
        'Contact: <sip:127.0.0.1:5061;transport=tls>',
        'Content-Type: application/pidf+xml'
      ],
      buildPidf('sip:bob@lab.test', 'away', 'lunch 🍜')
    )
    await waitFor(() => t.session.subscriptions.get('sip:bob@lab.test')?.presence.state === 'away')
    expect(t.session.subscriptions.get('sip:bob@lab.test')).toMatchObject({
      presence: { state: 'away', note: 'lunch 🍜' },
      subscription: { status: 'active' }
    })
    t.session.dispose()
  })

  it('reconnects with a fresh trust check after the connection drops, and re-registers', async () => {
    const t = setup(happy)
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    t.servers[0]!.clientStream.destroy()
    await waitFor(() => t.states.some((s) => s.status === 'reconnecting'))
    await waitFor(() => t.session.state.status === 'registered' && t.connects() === 2)
    const reconnecting = t.states.find((s) => s.status === 'reconnecting')!
    expect(reconnecting.attempt).toBe(1)
    expect(reconnecting.nextRetryAt).toBeDefined()
    await waitFor(() => t.servers[1]!.requests.some((r) => r.method === 'PUBLISH'))
    t.session.dispose()
  })

  it('queues a message during an outage and delivers it after reconnecting', async () => {
    const t = setup(happy)
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    t.servers[0]!.clientStream.destroy()
    await waitFor(() => t.session.state.status === 'reconnecting')
    const m = await t.session.im.send('sip:bob@lab.test', 'during outage')
    expect(m.state).toBe('queued')
    await waitFor(() => t.history.byId.get(m.id)?.state === 'accepted')
    expect(
      t.servers[1]!.requests.some((r) => r.method === 'MESSAGE' && r.body === 'during outage')
    ).toBe(true)
    t.session.dispose()
  })

  it('signs out: removes the publication, unregisters, closes', async () => {
    const t = setup(happy)
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    const server = t.servers[0]!
    await waitFor(() => server.requests.some((r) => r.method === 'PUBLISH'))
    await new Promise((r) => setTimeout(r, 20))
    await t.session.signOut()
    const methods = server.requests.map((r) => `${r.method}:${r.header('expires')}`)
    expect(methods).toContain('PUBLISH:0')
    expect(
      server.requests
        .filter((r) => r.method === 'REGISTER')
        .pop()
        ?.header('contact')
    ).toMatch(/expires=0/)
    expect(t.session.state.status).toBe('signed-out')
    expect(server.clientStream.destroyed).toBe(true)
  })

  it('resets on a framing error and reconnects', async () => {
    const t = setup(happy)
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    t.servers[0]!.sendRaw('SIP/2.0 200 OK\r\nContent-Length: 999999999\r\n\r\n')
    await waitFor(() => t.states.some((s) => s.status === 'reconnecting'))
    expect(t.states.find((s) => s.status === 'reconnecting')?.failure?.reason).toMatch(
      /protocol error/
    )
    await waitFor(() => t.session.state.status === 'registered' && t.connects() === 2)
    t.session.dispose()
  })

  it('re-registers before expiry, and treats a failed refresh (503) as a lost connection', async () => {
    let registers = 0
    const t = setup((req, server) => {
      if (req.method !== 'REGISTER') return happy(req, server)
      registers++
      // First connection: OK, then the refresh fails. Later connections: OK.
      if (registers === 2) return { status: 503, reason: 'Service Unavailable' }
      return {
        status: 200,
        reason: 'OK',
        headers: [`Contact: ${req.header('contact')!.replace(/;expires=\d+/, '')};expires=10`]
      }
    })
    const first = await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    expect(Date.parse(first.registeredUntil!) - Date.now()).toBeLessThanOrEqual(10_000)
    await waitFor(() => registers >= 2, 9000)
    const [r1, r2] = t.servers[0]!.requests.filter((r) => r.method === 'REGISTER')
    expect(r2?.header('call-id')).toBe(r1?.header('call-id'))
    await waitFor(() => t.states.some((s) => s.status === 'reconnecting'))
    expect(t.states.find((s) => s.status === 'reconnecting')?.failure?.reason).toMatch(/503/)
    await waitFor(() => t.session.state.status === 'registered' && t.connects() === 2)
    t.session.dispose()
  }, 20_000)

  it('resolves a pending sign-in as signed-out when signing out meanwhile', async () => {
    const t = setup(() => null)
    const pending = t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    await waitFor(() => t.session.state.status === 'registering')
    await t.session.signOut()
    expect((await pending).status).toBe('signed-out')
    expect(t.servers[0]!.clientStream.destroyed).toBe(true)
  })

  it('re-evaluates trust on reconnect and stops (failing queued messages) if now untrusted', async () => {
    const servers: FakeRegistrar[] = []
    const verdicts: Array<'trusted' | 'untrusted'> = ['trusted', 'untrusted']
    const history = new MemoryHistory()
    const session = new SipSession({
      history,
      connector: (target) => {
        const server = new FakeRegistrar(happy)
        servers.push(server)
        expect(target).toMatchObject({
          aor: 'sip:alice@lab.test',
          domain: 'lab.test',
          transport: 'tls'
        })
        return Promise.resolve({
          verdict: verdicts.shift() ?? 'untrusted',
          socket: server.clientStream,
          host: '127.0.0.1',
          port: 5061,
          finding: refusal('certificate changed')
        })
      },
      reconnectBaseMs: 20,
      reconnectMaxMs: 50
    })
    await session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    servers[0]!.clientStream.destroy()
    await waitFor(() => session.state.status === 'reconnecting')
    const m = await session.im.send('sip:bob@lab.test', 'hold on')
    await waitFor(() => session.state.status === 'failed')
    expect(session.state.failure).toEqual({
      code: 'untrusted',
      reason: 'certificate changed',
      finding: refusal('certificate changed')
    })
    expect(servers[1]!.requests).toEqual([])
    expect(servers[1]!.clientStream.destroyed).toBe(true)
    await waitFor(() => history.byId.get(m.id)?.state === 'failed')
    expect(history.byId.get(m.id)?.failure?.reason).toMatch(/certificate changed/)
    session.dispose()
  })
})

describe('credentials sent ahead of the challenge', () => {
  const params = (h: string) =>
    Object.fromEntries(
      [...h.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((m) => [m[1], m[2] ?? m[3]])
    ) as Record<string, string>
  /** Subscriptions answered with bob's own device as the dialog's remote target. */
  const fromBobsPhone: Responder = (req, server) => {
    const answer = happy(req, server)
    if (req.method === 'SUBSCRIBE' && answer) {
      answer.headers = [
        'Contact: <sip:bob-phone@10.0.0.9:5061;transport=tls>',
        `Expires: ${req.header('expires')}`
      ]
    }
    return answer
  }

  it('does not put the proxy credentials on in-dialog requests the proxy never challenged', async () => {
    // Like Kamailio's default config: only out-of-dialog requests are challenged (and there the
    // credentials are consumed); in-dialog requests are loose-routed to the remote target as is.
    let n = 0
    const proxy: Responder = (req, server) => {
      const inDialog = /;tag=/.test(req.header('to') ?? '')
      if (req.method !== 'REGISTER' && !inDialog && !req.header('proxy-authorization')) {
        return {
          status: 407,
          reason: 'Proxy Authentication Required',
          headers: [`Proxy-Authenticate: Digest realm="lab.test", nonce="n${++n}", qop="auth"`]
        }
      }
      return fromBobsPhone(req, server)
    }
    const t = setup(proxy)
    t.session.setContacts(['sip:bob@lab.test'])
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    const server = t.servers[0]!
    await waitFor(() =>
      server.requests.some((r) => r.method === 'SUBSCRIBE' && r.header('proxy-authorization'))
    )
    await waitFor(() => server.toTags.size > 0)
    await new Promise((r) => setTimeout(r, 30))
    await t.session.signOut()
    const inDialog = server.requests.filter(
      (r) => r.method === 'SUBSCRIBE' && /;tag=/.test(r.header('to') ?? '')
    )
    expect(inDialog.length).toBeGreaterThan(0)
    // The un-SUBSCRIBE goes to bob's device (the dialog's remote target), never challenged:
    // alice's digest response must not travel with it.
    expect(inDialog.map((r) => r.header('proxy-authorization') ?? null)).toEqual(
      inDialog.map(() => null)
    )
    t.session.dispose()
  })

  it('never sends the same nonce count twice for a nonce (stale challenge on the retry)', async () => {
    // The nonce expires between the first challenge and JsSIP's answer: the answer is met with
    // stale=true and a new nonce, which JsSIP answers with its *same* DigestAuthentication (nc=2).
    let issued = 0
    const used: string[] = []
    const proxy: Responder = (req, server) => {
      if (req.method === 'MESSAGE') {
        const h = req.header('proxy-authorization')
        const challenge = (stale: boolean) => ({
          status: 407,
          reason: 'Proxy Authentication Required',
          headers: [
            `Proxy-Authenticate: Digest realm="lab.test", nonce="n${++issued}", qop="auth"${stale ? ', stale=true' : ''}`
          ]
        })
        if (!h) return challenge(false)
        const p = params(h)
        used.push(`${p['nonce']}/${p['nc']}`)
        if (p['nonce'] === 'n1') return challenge(true)
      }
      return happy(req, server)
    }
    const t = setup(proxy)
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    const server = t.servers[0]!
    await waitFor(() => server.requests.some((r) => r.method === 'PUBLISH'))
    const one = await t.session.im.send('sip:bob@lab.test', 'one')
    await waitFor(() => t.history.byId.get(one.id)?.state === 'accepted')
    const two = await t.session.im.send('sip:bob@lab.test', 'two')
    await waitFor(() => t.history.byId.get(two.id)?.state === 'accepted')
    // n1/00000001 (JsSIP), n2/00000002 (JsSIP's stale retry), then the preemptive one.
    expect(used.length).toBe(3)
    expect(new Set(used).size).toBe(used.length)
    t.session.dispose()
  })
})

describe('delivery across a lost connection, and flow liveness', () => {
  const timerF = TransactionTimers.TIMER_F
  afterEach(() => {
    TransactionTimers.TIMER_F = timerF
  })

  /** A MESSAGE from bob with this Call-ID and CSeq, on a new branch each time. */
  function messageFromBob(server: FakeRegistrar, callId: string, cseq: number, body: string) {
    server.sendRequest(
      'MESSAGE',
      'sip:alice@lab.test',
      [
        'From: <sip:bob@lab.test>;tag=b7',
        'To: <sip:alice@lab.test>',
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} MESSAGE`,
        'Content-Type: text/plain;charset=UTF-8'
      ],
      body
    )
  }

  it('sends a MESSAGE left unanswered by a dropped connection again with the same Call-ID, From tag and CSeq, also when challenged', async () => {
    let connection = 0
    const t = setup((req, server) => {
      if (req.method !== 'MESSAGE') return happy(req, server)
      // First connection: the MESSAGE gets no answer. Second: challenged, then accepted.
      if (connection === 1) return null
      if (!req.header('proxy-authorization')) {
        return {
          status: 407,
          reason: 'Proxy Authentication Required',
          headers: ['Proxy-Authenticate: Digest realm="lab.test", nonce="n2", qop="auth"']
        }
      }
      return happy(req, server)
    })
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    connection = 1
    const m = await t.session.im.send('sip:bob@lab.test', 'are you there?')
    await waitFor(() => t.servers[0]!.requests.some((r) => r.method === 'MESSAGE'))
    connection = 2
    t.servers[0]!.clientStream.destroy()
    await waitFor(() => t.history.byId.get(m.id)?.state === 'accepted')
    const copies = t.servers.flatMap((s) => s.requests.filter((r) => r.method === 'MESSAGE'))
    expect(copies).toHaveLength(3)
    const identity = (r: (typeof copies)[number]) => ({
      callId: r.header('call-id'),
      fromTag: /;tag=([^;]+)/.exec(r.header('from') ?? '')?.[1],
      cseq: r.header('cseq')
    })
    expect(new Set(copies.map((r) => JSON.stringify(identity(r)))).size).toBe(1)
    // The Call-ID is the message id: what a receipt for a plain MESSAGE quotes (Linphone's do).
    expect(identity(copies[0]!).callId).toBe(m.id)
    expect(identity(copies[0]!).cseq).toMatch(/^\d+ MESSAGE$/)
    expect(copies.map((r) => r.header('via'))).toHaveLength(3)
    expect(new Set(copies.map((r) => /branch=([^;]+)/.exec(r.header('via')!)?.[1])).size).toBe(3)
    expect(copies[2]!.header('proxy-authorization')).toMatch(/^Digest /)
    t.session.dispose()
  })

  it('answers 200 to every copy of an incoming MESSAGE and shows it once', async () => {
    const t = setup(happy)
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    const server = t.servers[0]!
    messageFromBob(server, 'dup1', 3, 'only once')
    messageFromBob(server, 'dup1', 3, 'only once')
    messageFromBob(server, 'dup1', 4, 'the next one')
    await waitFor(() => server.responses.filter((r) => r.includes('dup1')).length === 3)
    expect(server.responses.map((r) => r.split('\r\n')[0])).toEqual([
      'SIP/2.0 200 OK',
      'SIP/2.0 200 OK',
      'SIP/2.0 200 OK'
    ])
    expect(t.received.map((m) => m.body)).toEqual(['only once', 'the next one'])
    // A copy after a reconnect (the first 200 was lost with the connection) too.
    server.clientStream.destroy()
    await waitFor(() => t.session.state.status === 'registered' && t.connects() === 2)
    messageFromBob(t.servers[1]!, 'dup1', 3, 'only once')
    await waitFor(() => t.servers[1]!.responses.some((r) => r.includes('dup1')))
    expect(t.servers[1]!.responses.find((r) => r.includes('dup1'))).toMatch(/^SIP\/2.0 200 /)
    expect(t.received).toHaveLength(2)
    t.session.dispose()
  })

  it('checks the flow when a MESSAGE times out and reconnects when the ping goes unanswered', async () => {
    TransactionTimers.TIMER_F = 300
    const t = setup(
      (req, server) => (req.method === 'MESSAGE' && t.connects() === 1 ? null : happy(req, server)),
      'trusted',
      { flowTimeoutMs: 200 }
    )
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    const silent = t.servers[0]!
    // The connection still looks open but nothing comes back any more: no pong either.
    silent.answerPings = false
    const m = await t.session.im.send('sip:bob@lab.test', 'hello?')
    await waitFor(() => t.states.some((s) => s.status === 'reconnecting'))
    expect(t.states.find((s) => s.status === 'reconnecting')?.failure?.reason).toMatch(/flow check/)
    expect(silent.clientStream.destroyed).toBe(true)
    await waitFor(() => t.history.byId.get(m.id)?.state === 'accepted')
    expect(t.history.events.filter((e) => e.startsWith(`${m.id}:`))).not.toContain(`${m.id}:failed`)
    t.session.dispose()
  })

  it('finds a silent connection within 25 s with the default timers (15 s quiet, 10 s flow timeout)', async () => {
    const timers = new ManualTimers()
    const t = setup(happy, 'trusted', { timers })
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    await waitFor(() => t.servers[0]!.requests.some((r) => r.method === 'PUBLISH'))
    await new Promise((r) => setTimeout(r, 50))
    t.servers[0]!.answerPings = false
    await timers.advance(24_999)
    expect(t.session.state.status).toBe('registered')
    await timers.advance(1)
    expect(t.session.state.status).toBe('reconnecting')
    t.session.dispose()
  })
})
