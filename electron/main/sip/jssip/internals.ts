import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import type { UA } from 'jssip/lib/UA'
import type { IncomingRequest, IncomingResponse } from 'jssip/lib/SIPMessage'

/**
 * JsSIP modules that its public API does not expose but a presence client needs: there is no
 * PUBLISH client in JsSIP 3.x, so we build PUBLISH (and MESSAGE, whose copies must keep their
 * Call-ID and CSeq) on the same request classes its Registrator and Subscriber use
 * (OutgoingRequest + RequestSender, which answers digest challenges), and we answer some
 * incoming requests ourselves through its server transactions.
 *
 * Everything here depends on JsSIP's private shape, which is why package.json pins JsSIP to one
 * exact version and tests/unit/electron/sip/jssip/internals.test.ts checks each piece used.
 */
// Not named `require`: electron-vite's ESM shim declares that name in the same bundle chunk.
const requireCjs = createRequire(import.meta.url)

/** A request built by JsSIP (SIPMessage.OutgoingRequest). */
export interface JsSipOutgoingRequest {
  method: string
  body?: string
  cseq: number
  call_id: string
  from_tag?: string
  setHeader(name: string, value: string): void
  getHeader(name: string): string | undefined
}

/** JsSIP's OutgoingRequest constructor. */
export type OutgoingRequestCtor = new (
  method: string,
  ruri: unknown,
  ua: UA,
  params: Record<string, unknown> | null,
  extraHeaders: string[],
  body?: string
) => JsSipOutgoingRequest

/** Callbacks of JsSIP's RequestSender. */
export interface RequestSenderHandlers {
  onRequestTimeout(): void
  onTransportError(): void
  onReceiveResponse(response: IncomingResponse): void
  /** The request as it goes out again with credentials after a 401/407 (CSeq already bumped). */
  onAuthenticated?(request: JsSipOutgoingRequest): void
}

/** JsSIP's RequestSender: sends a request in a client transaction and handles 401/407. */
export type RequestSenderCtor = new (
  ua: UA,
  request: JsSipOutgoingRequest,
  handlers: RequestSenderHandlers
) => { send(): void }

/** The parts of a JsSIP client transaction this module touches. */
interface ClientTransactionLike {
  type: string
  id: string
  request: {
    method: string
    ruri: unknown
    body?: string
    getHeader(name: string): string | undefined
    setHeader(name: string, value: string): void
    hasHeader(name: string): boolean
  }
  eventHandlers: {
    onReceiveResponse(response: IncomingResponse): void
    onRequestTimeout(): void
  }
}

interface TransactionsModule {
  checkTransaction(ua: UA, request: IncomingRequest): boolean
  NonInviteClientTransaction: new (
    ua: UA,
    transport: unknown,
    request: JsSipOutgoingRequest,
    handlers: Record<string, (...args: unknown[]) => void>
  ) => ClientTransactionLike
  NonInviteServerTransaction: new (ua: UA, transport: unknown, request: IncomingRequest) => unknown
  InviteServerTransaction: new (ua: UA, transport: unknown, request: IncomingRequest) => unknown
}

/** JsSIP's request classes. */
export const OutgoingRequest = (
  requireCjs('jssip/lib/SIPMessage') as { OutgoingRequest: OutgoingRequestCtor }
).OutgoingRequest
/** JsSIP's request sender. */
export const RequestSender = requireCjs('jssip/lib/RequestSender') as RequestSenderCtor
/** JsSIP's transaction layer. */
export const Transactions = requireCjs('jssip/lib/Transactions') as TransactionsModule

/** A digest challenge as JsSIP parses WWW-Authenticate / Proxy-Authenticate. */
interface DigestChallenge {
  realm?: string
  nonce?: string
  stale?: boolean
  algorithm?: string
  qop?: string[]
  opaque?: string
}

/** JsSIP's digest calculator (RFC 2617 / RFC 3261 §22.4): keeps the nonce count per instance. */
type DigestAuthenticationCtor = new (credentials: {
  username: string
  password?: string | null
  realm?: string | null
  ha1?: string | null
}) => {
  authenticate(
    request: { method: string; ruri: unknown; body?: string },
    challenge: DigestChallenge
  ): boolean
  toString(): string
}
const DigestAuthentication = requireCjs(
  'jssip/lib/DigestAuthentication'
) as DigestAuthenticationCtor

/** The parts of a JsSIP UA's private state this module touches. */
export interface UaInternals {
  receiveRequest(request: IncomingRequest): void
  normalizeTarget(target: string): unknown
  _transport: unknown
  _configuration: { uri: { user: string }; password?: string | null }
  _contact: { uri: { user: string } }
}

/** JsSIP's transaction timers (RFC 3261 §17), read by its transactions when they start. */
export const TransactionTimers = requireCjs('jssip/lib/Timers') as { TIMER_F: number }

/** A Via branch: the RFC 3261 magic cookie and 96 random bits. */
export function newBranch(): string {
  return `z9hG4bK${randomBytes(12).toString('hex')}`
}

/**
 * Gives every client transaction of `ua` a branch that is unique in practice. JsSIP 3.x draws
 * branches from only 10^7 values (`Math.random() * 10000000` in lib/Transactions.js), and the UA
 * files transactions by branch: with hundreds in flight (a roster's SUBSCRIBEs) two collide often
 * enough to be seen (birthday odds of several percent per sign-in), and then a response goes to
 * the wrong transaction. RFC 3261 §8.1.1.7 asks for branches unique across space and time.
 * JsSIP sets the Via header and then registers the transaction with `ua.newTransaction`, before
 * anything is sent, so the branch is replaced there, in the Via header as well as the id.
 * Server transactions keep the branch the peer chose.
 */
export function installUniqueBranches(ua: UA): void {
  const internals = ua as unknown as { newTransaction(t: ClientTransactionLike): void }
  const register = internals.newTransaction.bind(ua)
  internals.newTransaction = (t) => {
    if (t.type === 'nict' || t.type === 'ict') {
      const branch = newBranch()
      const via = t.request.getHeader('via')
      if (via && /;branch=/i.test(via)) {
        t.id = branch
        t.request.setHeader('via', via.replace(/;branch=[^;,\s]*/i, `;branch=${branch}`))
      }
    }
    register(t)
  }
}

/** Requests that may carry credentials before being asked (never ACK, CANCEL or BYE). */
const PREEMPTIVE_METHODS = new Set(['REGISTER', 'SUBSCRIBE', 'PUBLISH', 'MESSAGE', 'OPTIONS'])

/**
 * Answers the server's digest challenge ahead of time on one connection, as RFC 3261 §22.3
 * allows ("a UA MAY preemptively send credentials ... with the next request") and RFC 7616
 * §3.4 arranges with the nonce count: after the first 401/407, later requests carry
 * credentials for the same realm and nonce (nonce count incremented), so a roster's SUBSCRIBEs
 * and each MESSAGE take one round trip instead of two. JsSIP answers every challenge but never
 * remembers one. REGISTER is answered with what a REGISTER was challenged with (WWW-Authenticate
 * from the registrar) and other requests with what they were (Proxy-Authenticate), since a
 * server checks only the header it asked for. If the server no longer accepts the nonce it
 * challenges again (stale=true), JsSIP answers as before and the new nonce is remembered.
 * The cache lives in the UA, which lives and dies with one trusted connection, so credentials
 * are never offered to any other server.
 */
export function installPreemptiveAuth(ua: UA): void {
  const internals = ua as unknown as {
    newTransaction(t: ClientTransactionLike): void
    configuration: {
      authorization_user: string
      password?: string | null
      realm?: string | null
      ha1?: string | null
    }
  }
  type Remembered = {
    header: 'authorization' | 'proxy-authorization'
    challenge: DigestChallenge
    digest: InstanceType<DigestAuthenticationCtor>
  }
  const remembered = new Map<'register' | 'other', Remembered>()
  // The highest nonce count that went out per nonce, ours or JsSIP's own answers (which keep one
  // DigestAuthentication per request: nc 1, then 2 after a stale retry). A count must never
  // repeat for a nonce, or a server that checks it (RFC 7616 §3.4.5) takes it for a replay.
  const highestNc = new Map<string, number>()
  const kindOf = (method: string) => (method === 'REGISTER' ? 'register' : 'other')
  const newDigest = () => {
    const c = internals.configuration
    return new DigestAuthentication({
      username: c.authorization_user,
      password: c.password ?? null,
      realm: c.realm ?? null,
      ha1: c.ha1 ?? null
    })
  }
  const noteSent = (request: ClientTransactionLike['request']) => {
    for (const name of ['authorization', 'proxy-authorization']) {
      const value = request.getHeader(name)
      if (!value) continue
      const nonce = /\bnonce="([^"]*)"/i.exec(value)?.[1]
      const nc = /\bnc=([0-9a-f]{8})\b/i.exec(value)?.[1]
      if (nonce !== undefined && nc) {
        highestNc.set(nonce, Math.max(highestNc.get(nonce) ?? 0, parseInt(nc, 16)))
        // Old nonces are of no use once the server moved on; keep the map small.
        if (highestNc.size > 64) highestNc.delete(highestNc.keys().next().value as string)
      }
    }
  }
  const register = internals.newTransaction.bind(ua)
  internals.newTransaction = (t) => {
    if (t.type === 'nict' && PREEMPTIVE_METHODS.has(t.request.method)) {
      const kind = kindOf(t.request.method)
      const known = remembered.get(kind)
      const request = t.request
      // Only out-of-dialog requests: they go to the proxy that challenged us. An in-dialog
      // request (To has a tag) is routed to the dialog's remote target, which must never see
      // our digest response.
      const inDialog = /;\s*tag=/i.test(request.getHeader('to') ?? '')
      if (
        known &&
        !inDialog &&
        !request.hasHeader('authorization') &&
        !request.hasHeader('proxy-authorization')
      ) {
        const digest = known.digest as unknown as { _nc: number }
        digest._nc = Math.max(digest._nc, highestNc.get(known.challenge.nonce ?? '') ?? 0)
        if (known.digest.authenticate(request, known.challenge)) {
          request.setHeader(known.header, known.digest.toString())
        }
      }
      noteSent(request)
      const handlers = t.eventHandlers
      const receive = handlers.onReceiveResponse.bind(handlers)
      handlers.onReceiveResponse = (response) => {
        const status = response.status_code
        if (status === 401 || status === 407) {
          const challenge = response.parseHeader<DigestChallenge | undefined>(
            status === 401 ? 'www-authenticate' : 'proxy-authenticate'
          )
          const current = remembered.get(kind)
          // The same nonce again (servers that issue one per second): keep the count going.
          const sameNonce = current?.challenge.nonce === challenge?.nonce
          // Only a challenge JsSIP can answer (MD5, a realm our credentials fit) is remembered.
          if (
            challenge?.nonce &&
            challenge.realm &&
            !sameNonce &&
            newDigest().authenticate(request, challenge)
          ) {
            remembered.set(kind, {
              header: status === 401 ? 'authorization' : 'proxy-authorization',
              challenge,
              digest: newDigest()
            })
          }
        }
        receive(response)
      }
    }
    register(t)
  }
}

/**
 * Calls `onTimeout` whenever one of `ua`'s non-INVITE client transactions times out (Timer F,
 * RFC 3261 §17.1.2.2), before JsSIP reports it to the request's owner. A request unanswered
 * for 32 s on a connection-oriented transport is the first sign of a connection that died
 * without a FIN: the agent checks the flow at once (RFC 5626 §4.4.1) instead of waiting for the
 * next keep-alive.
 */
export function installTimeoutWatch(ua: UA, onTimeout: (method: string) => void): void {
  const internals = ua as unknown as { newTransaction(t: ClientTransactionLike): void }
  const register = internals.newTransaction.bind(ua)
  internals.newTransaction = (t) => {
    if (t.type === 'nict') {
      const handlers = t.eventHandlers
      const timedOut = handlers.onRequestTimeout.bind(handlers)
      handlers.onRequestTimeout = () => {
        onTimeout(t.request.method)
        timedOut()
      }
    }
    register(t)
  }
}

/**
 * Gives every 415 and every OPTIONS answer of `ua` exactly one Accept header, listing `accept`:
 * what TrustLine takes. JsSIP writes `Accept: application/sdp, application/dtmf-relay` into them
 * itself (lib/SIPMessage.js `reply`, for its call stack) after any Accept the caller passed, and
 * RFC 3261 §7.3.1 reads two Accept headers as one list: the peer would learn that TrustLine takes
 * SDP, which it refuses, next to what it does take. Responses leave the UA as text through its
 * transport's `send`, so the header is rewritten there.
 */
export function installOneAccept(ua: UA, accept: string): void {
  const transport = (ua as unknown as { _transport: { send(data: unknown): boolean } })._transport
  const send = transport.send.bind(transport)
  transport.send = (data) => send(typeof data === 'string' ? withOneAccept(data, accept) : data)
}

/** `response` with its Accept headers replaced by one listing `accept` (415 and OPTIONS only). */
export function withOneAccept(response: string, accept: string): string {
  const end = response.indexOf('\r\n\r\n')
  if (end < 0 || !response.startsWith('SIP/2.0 ')) return response
  const head = response.slice(0, end).split('\r\n')
  const options = head.some((l) => /^CSeq:\s*\d+\s+OPTIONS\s*$/i.test(l))
  if (!/^SIP\/2\.0 415 /.test(head[0] ?? '') && !options) return response
  const isAccept = (line: string) => /^accept[ \t]*:/i.test(line)
  const at = head.findIndex(isAccept)
  const kept = head.filter((l) => !isAccept(l))
  kept.splice(at < 0 ? kept.length : at, 0, `Accept: ${accept}`)
  return `${kept.join('\r\n')}${response.slice(end)}`
}
