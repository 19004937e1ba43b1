import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { UA } from 'jssip'
import type { IncomingResponse } from 'jssip/lib/SIPMessage'
import {
  installOneAccept,
  installTimeoutWatch,
  installUniqueBranches,
  newBranch,
  OutgoingRequest,
  RequestSender,
  TransactionTimers,
  Transactions,
  withOneAccept,
  type JsSipOutgoingRequest,
  type UaInternals
} from '../../../../../electron/main/sip/jssip/internals'

// JsSIP's private classes and fields that sip/jssip/ builds on. package.json pins JsSIP to one
// exact version; these tests fail when an upgrade changes any piece of that shape, before the
// app fails in the field.

const requireCjs = createRequire(import.meta.url)
const Parser = requireCjs('jssip/lib/Parser') as {
  parseMessage(data: string, ua: UA): unknown
}

// A socket JsSIP accepts; what is sent through it is kept.
function fakeSocket() {
  const sent: string[] = []
  const socket = {
    url: 'sips:sip.example.org',
    via_transport: 'TLS',
    sip_uri: 'sip:sip.example.org;transport=tls',
    sent,
    onconnect: () => undefined,
    connect() {
      setImmediate(() => socket.onconnect())
    },
    disconnect: () => undefined,
    send: (m: string) => {
      sent.push(m)
      return true
    },
    isConnected: () => true,
    isConnecting: () => false
  }
  return socket
}

function ua(socket = fakeSocket()): UA {
  return new UA({
    sockets: [socket as never],
    uri: 'sip:alice@example.org',
    password: 'secret',
    register: false
  })
}

function transaction(agent: UA) {
  const ruri = (agent as unknown as UaInternals).normalizeTarget('sip:bob@example.org')
  const request = new OutgoingRequest('OPTIONS', ruri, agent, null, [])
  const transport = { via_transport: 'TLS', send: () => true }
  return new Transactions.NonInviteClientTransaction(agent, transport, request, {
    onRequestTimeout: () => undefined,
    onTransportError: () => undefined,
    onReceiveResponse: () => undefined
  })
}

/** A SIP message parsed by JsSIP, as it would come off the wire. */
function parse<T>(agent: UA, lines: string[], body = ''): T {
  const text = `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  return Parser.parseMessage(text, agent) as T
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

describe('the JsSIP version', () => {
  it('is pinned to exactly the installed version', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      dependencies: Record<string, string>
    }
    const installed = (requireCjs('jssip/package.json') as { version: string }).version
    expect(pkg.dependencies['jssip']).toBe(installed)
  })
})

describe('unique Via branches for JsSIP client transactions', () => {
  it('JsSIP alone gives two transactions the same branch when its 10^7 draw repeats', () => {
    const agent = ua()
    vi.spyOn(Math, 'random').mockReturnValue(0.4242)
    const a = transaction(agent)
    const b = transaction(agent)
    // This is the collision seen in the presence storm: the second one replaces the first.
    expect(a.id).toBe(b.id)
  })

  it('gives each transaction its own branch, in the Via header and in the UA table', () => {
    const agent = ua()
    installUniqueBranches(agent)
    vi.spyOn(Math, 'random').mockReturnValue(0.4242)
    const list = Array.from({ length: 200 }, () => transaction(agent))
    const ids = new Set(list.map((t) => t.id))
    expect(ids.size).toBe(200)
    for (const t of list) {
      expect(t.id).toMatch(/^z9hG4bK[0-9a-f]{24}$/)
      expect(t.request.getHeader('via')).toBe(`SIP/2.0/TLS ${viaHost(agent)};branch=${t.id}`)
    }
    const table = (agent as unknown as { _transactions: { nict: Record<string, unknown> } })
      ._transactions.nict
    expect(Object.keys(table).sort()).toEqual([...ids].sort())
  })

  it('makes RFC 3261 branches with the magic cookie', () => {
    const a = newBranch()
    expect(a.startsWith('z9hG4bK')).toBe(true)
    expect(a).not.toBe(newBranch())
  })
})

describe('the request classes MESSAGE and PUBLISH are built on', () => {
  it('OutgoingRequest takes the Call-ID, From tag and CSeq of a request sent again', () => {
    const agent = ua()
    const ruri = (agent as unknown as UaInternals).normalizeTarget('sip:bob@example.org')
    const request = new OutgoingRequest(
      'MESSAGE',
      ruri,
      agent,
      { to_uri: ruri, call_id: 'call-7', from_tag: 'tag7', cseq: 7 },
      ['Content-Type: text/plain'],
      'hi'
    )
    expect(request.call_id).toBe('call-7')
    expect(request.cseq).toBe(7)
    expect(request.getHeader('call-id')).toBe('call-7')
    expect(request.getHeader('cseq')).toBe('7 MESSAGE')
    expect(request.getHeader('from')).toMatch(/;tag=tag7$/)
    request.setHeader('cseq', '8 MESSAGE')
    expect(request.getHeader('cseq')).toBe('8 MESSAGE')
  })

  it('RequestSender hands the challenged request to onAuthenticated before sending it again', async () => {
    const socket = fakeSocket()
    const agent = ua(socket)
    agent.start()
    await new Promise((r) => setImmediate(r))
    const ruri = (agent as unknown as UaInternals).normalizeTarget('sip:bob@example.org')
    const request = new OutgoingRequest(
      'MESSAGE',
      ruri,
      agent,
      { to_uri: ruri, call_id: 'c1', from_tag: 't1', cseq: 5 },
      ['Content-Type: text/plain'],
      'x'
    )
    const authenticated: JsSipOutgoingRequest[] = []
    const sender = new RequestSender(agent, request, {
      onRequestTimeout: () => undefined,
      onTransportError: () => undefined,
      onReceiveResponse: () => undefined,
      onAuthenticated: (again) => {
        authenticated.push(again)
        // What sip/jssip/message.ts does: every copy keeps its CSeq.
        again.cseq = 5
        again.setHeader('cseq', '5 MESSAGE')
      }
    })
    sender.send()
    const first = socket.sent.find((m) => m.startsWith('MESSAGE'))!
    const branch = /branch=([^;\r\n]+)/.exec(first)![1]
    const challenge = parse<IncomingResponse>(agent, [
      'SIP/2.0 407 Proxy Authentication Required',
      `Via: SIP/2.0/TLS ${viaHost(agent)};branch=${branch}`,
      'From: <sip:alice@example.org>;tag=t1',
      'To: <sip:bob@example.org>;tag=p1',
      'Call-ID: c1',
      'CSeq: 5 MESSAGE',
      'Proxy-Authenticate: Digest realm="example.org", nonce="n1", qop="auth"'
    ])
    const nict = (agent as unknown as { _transactions: { nict: Record<string, unknown> } })
      ._transactions.nict[branch!] as { receiveResponse(r: IncomingResponse): void }
    nict.receiveResponse(challenge)
    expect(authenticated).toHaveLength(1)
    // JsSIP bumped the CSeq (RFC 3261 §22.2) before our hook ran.
    const copies = socket.sent.filter((m) => m.startsWith('MESSAGE'))
    expect(copies).toHaveLength(2)
    expect(copies[1]).toMatch(/\r\nCSeq: 5 MESSAGE\r\n/)
    expect(copies[1]).toMatch(/\r\nProxy-Authorization: Digest /)
    expect(copies[1]).toMatch(/\r\nCall-ID: c1\r\n/)
    agent.stop()
  })

  it('client transactions time out through eventHandlers.onRequestTimeout at Timer F', () => {
    vi.useFakeTimers()
    expect(TransactionTimers.TIMER_F).toBe(32_000)
    const agent = ua()
    const timedOut: string[] = []
    installTimeoutWatch(agent, (method) => timedOut.push(`watch:${method}`))
    const ruri = (agent as unknown as UaInternals).normalizeTarget('sip:bob@example.org')
    const request = new OutgoingRequest('OPTIONS', ruri, agent, null, [])
    const t = new Transactions.NonInviteClientTransaction(
      agent,
      { via_transport: 'TLS', send: () => true },
      request,
      {
        onRequestTimeout: () => timedOut.push('owner'),
        onTransportError: () => undefined,
        onReceiveResponse: () => undefined
      }
    ) as unknown as { send(): void }
    t.send()
    vi.advanceTimersByTime(31_999)
    expect(timedOut).toEqual([])
    vi.advanceTimersByTime(1)
    expect(timedOut).toEqual(['watch:OPTIONS', 'owner'])
  })
})

describe('the UA and incoming requests, as the receive path uses them', () => {
  it('parses a MESSAGE with the fields the receive path reads, and answers through a server transaction made late', () => {
    const socket = fakeSocket()
    const agent = ua(socket)
    const internals = agent as unknown as UaInternals
    expect(typeof internals.receiveRequest).toBe('function')
    expect(internals._configuration.uri.user).toBe('alice')
    expect(typeof internals._contact.uri.user).toBe('string')
    expect(internals._contact).toHaveProperty('pub_gruu')
    expect(internals._transport).toBeTruthy()
    const request = parse<{
      method: string
      to_tag?: string
      from_tag: string
      call_id: string
      cseq: number
      ruri: { user: string }
      from: { uri: { toString(): string } }
      body: string
      server_transaction?: unknown
      getHeader(name: string): string | undefined
      reply(code: number, reason?: string, extraHeaders?: string[]): void
    }>(
      agent,
      [
        'MESSAGE sip:alice@example.org SIP/2.0',
        'Via: SIP/2.0/TLS 192.0.2.1;branch=z9hG4bKabc',
        'From: <sip:bob@example.org>;tag=b1',
        'To: <sip:alice@example.org>',
        'Call-ID: m1',
        'CSeq: 12 MESSAGE',
        'Content-Type: text/plain'
      ],
      'héllo'
    )
    expect(request.method).toBe('MESSAGE')
    expect(request.to_tag).toBeUndefined()
    expect(request.from_tag).toBe('b1')
    expect(request.call_id).toBe('m1')
    expect(request.cseq).toBe(12)
    expect(request.ruri.user).toBe('alice')
    expect(request.from.uri.toString()).toBe('sip:bob@example.org')
    expect(request.body).toBe('héllo')
    expect(request.getHeader('Content-Type')).toBe('text/plain')
    expect(Transactions.checkTransaction(agent, request as never)).toBeFalsy()
    new Transactions.NonInviteServerTransaction(agent, internals._transport, request as never)
    expect(request.server_transaction).toBeDefined()
    expect(Transactions.checkTransaction(agent, request as never)).toBe(true)
  })

  it('has the Subscriber internals and termination codes the subscribe adapter reads', () => {
    const agent = ua()
    const subscriber = agent.subscribe('sip:bob@example.org', 'presence', 'application/pidf+xml', {
      expires: 600
    })
    expect(
      typeof (subscriber as unknown as { _receiveSubscribeResponse: unknown })
        ._receiveSubscribeResponse
    ).toBe('function')
    const C = subscriber.C as unknown as Record<string, unknown>
    for (const name of [
      'FINAL_NOTIFY_RECEIVED',
      'SUBSCRIBE_NON_OK_RESPONSE',
      'SUBSCRIBE_AUTHENTICATION_FAILED',
      'SUBSCRIBE_RESPONSE_TIMEOUT',
      'UNSUBSCRIBE_TIMEOUT'
    ]) {
      expect(typeof C[name], name).toBe('number')
    }
  })

  it('keeps the credentials where preemptive authentication reads them', () => {
    const agent = ua()
    const config = (agent as unknown as { configuration: Record<string, unknown> }).configuration
    expect(config['authorization_user']).toBe('alice')
    expect(config['password']).toBe('secret')
    expect(config).toHaveProperty('realm')
    expect(config).toHaveProperty('ha1')
    expect(typeof (agent as unknown as { newTransaction: unknown }).newTransaction).toBe('function')
  })
})

describe('one Accept header in 415 and OPTIONS answers', () => {
  const accept = 'text/plain, message/cpim, message/imdn+xml, application/im-iscomposing+xml'

  // A UA on a connected socket that keeps what it sends; `install` patches it or not. Answers go
  // through a server transaction on the UA's transport, as the receive path and JsSIP's own
  // OPTIONS answers send them.
  async function wired(install: boolean) {
    const socket = fakeSocket()
    const agent = ua(socket)
    if (install) installOneAccept(agent, accept)
    const transport = (agent as unknown as UaInternals)._transport as { connect(): void }
    transport.connect()
    await new Promise((r) => setImmediate(r))
    const reply = (method: string, code: number, extra: string[] = []) => {
      const request = parse<{ reply(code: number, reason?: string, extra?: string[]): void }>(
        agent,
        [
          `${method} sip:alice@example.org SIP/2.0`,
          'Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bKx1',
          'From: <sip:bob@example.org>;tag=f1',
          'To: <sip:alice@example.org>',
          'Call-ID: c1',
          `CSeq: 1 ${method}`,
          'Content-Type: application/x-unknown'
        ]
      )
      new Transactions.NonInviteServerTransaction(agent, transport, request as never)
      request.reply(code, undefined, extra)
      return socket.sent.at(-1) ?? ''
    }
    return { reply }
  }
  const accepts = (response: string) => response.split('\r\n').filter((l) => /^accept:/i.test(l))

  it('JsSIP alone sends two Accept headers, one of them for SDP (what this fixes)', async () => {
    const response = (await wired(false)).reply('MESSAGE', 415, [`Accept: ${accept}`])
    expect(accepts(response)).toEqual([
      `Accept: ${accept}`,
      'Accept: application/sdp, application/dtmf-relay'
    ])
  })

  it.each([
    ['a 415 with our own Accept', 'MESSAGE', 415, [`Accept: ${accept}`]],
    ['a 415 without one', 'MESSAGE', 415, []],
    ['a 415 with Accept-Encoding only', 'MESSAGE', 415, ['Accept-Encoding: identity, deflate']],
    ['a 415 to a NOTIFY', 'NOTIFY', 415, []],
    ['an OPTIONS answer', 'OPTIONS', 200, []]
  ])(
    '%s carries exactly one Accept, with what TrustLine takes',
    async (_n, method, code, extra) => {
      const response = (await wired(true)).reply(method, code, extra)
      expect(response).toMatch(new RegExp(`^SIP/2.0 ${code} `))
      expect(accepts(response)).toEqual([`Accept: ${accept}`])
      for (const line of extra.filter((l) => !/^accept:/i.test(l))) {
        expect(response.split('\r\n')).toContain(line)
      }
    }
  )

  it('leaves other responses and requests alone', async () => {
    const response = (await wired(true)).reply('MESSAGE', 200)
    expect(accepts(response)).toEqual([])
    expect(withOneAccept('not a response', accept)).toBe('not a response')
    const request = 'MESSAGE sip:bob@example.org SIP/2.0\r\nAccept: x/y\r\n\r\n'
    expect(withOneAccept(request, accept)).toBe(request)
  })
})

function viaHost(agent: UA): string {
  return (agent as unknown as { configuration: { via_host: string } }).configuration.via_host
}
