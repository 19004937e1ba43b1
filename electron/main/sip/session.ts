import { randomBytes } from 'node:crypto'
import type { Duplex } from 'node:stream'
import { UA } from 'jssip'
import type { IncomingResponse } from 'jssip/lib/SIPMessage'
import type { ContactPresence, OwnPresenceState, Presence } from '../../../shared/types/presence'
import type { ImMessage, Typing } from '../../../shared/types/im'
import type { TrustReason, TrustVerdict } from '../../../shared/types/trust'
import {
  normalizeAor,
  type SessionFailure,
  type SessionState,
  type SignInRequest
} from '../../../shared/types/sip'
import { ImService, type ImHistory, type ImTransport, type SendOutcome } from './im'
import {
  installPreemptiveAuth,
  installUniqueBranches,
  OutgoingRequest,
  RequestSender,
  Transactions,
  type UaInternals
} from './jssip-internals'
import { buildPidf, PIDF_CONTENT_TYPE } from './pidf'
import {
  PresencePublisher,
  realTimers,
  type PublicationStatus,
  type PublishResponse,
  type PublishSend,
  type Timers
} from './publish'
import { SubscriptionManager, type SubscribeFn, type SubscriptionEnd } from './subscriptions'
import { TlsSipSocket } from './tls-socket'
import type { SocketClosed } from './trusted-socket'
import { WsSipSocket } from './ws-socket'

/**
 * What the trust engine hands the session for one connection attempt. Only a `trusted` or
 * `trusted-by-exception` verdict with an open socket lets the session send anything; for any
 * other verdict the socket (if any) is destroyed unused.
 */
export interface SipConnection {
  verdict: TrustVerdict
  /** The open, paused TLS socket when trusted. */
  socket?: Duplex | null
  host: string
  port: number
  /** SIP over TLS (default) or SIP over secure WebSocket (RFC 7118) on this TLS socket. */
  transport?: 'tls' | 'wss'
  /** HTTP path of the WebSocket endpoint for `wss` (default `/`). */
  wsPath?: string
  /** Why it is not trusted: the report's headline finding, worded by the UI. */
  finding?: TrustReason | null
}

/** What to connect to, from the sign-in request; handed to the connector on every attempt. */
export interface ConnectTarget {
  aor: string
  /** The AOR's domain: what server discovery (RFC 3263) and identity checks (RFC 5922) use. */
  domain: string
  /** A server the user chose instead of discovery. */
  server?: { host: string; port?: number }
  transport: 'tls' | 'wss'
  /** Client certificate for mutual TLS, as given at sign-in. */
  clientCertificate?: SignInRequest['clientCertificate']
  /** 0 for the sign-in, then the reconnect attempt number. */
  attempt: number
}

/** Opens and evaluates a connection; called for the first connect and for every reconnect. */
export type SipConnector = (target: ConnectTarget) => Promise<SipConnection>

/** Callbacks the session reports to (the IPC layer turns them into events). */
export interface SipSessionEvents {
  onStateChanged?(state: SessionState): void
  onContactPresence?(contact: ContactPresence): void
  onMessageUpdated?(message: ImMessage): void
  onMessageReceived?(message: ImMessage): void
  onTyping?(typing: Typing): void
  /** Every SIP message sent or received on the live connection (the helpdesk's SIP log). */
  onWire?(direction: 'out' | 'in', text: string): void
}

/** Options of the session. */
export interface SipSessionOptions {
  connector: SipConnector
  history: ImHistory
  events?: SipSessionEvents
  timers?: Timers
  random?: () => number
  /** REGISTER expiry in seconds (JsSIP re-registers before it lapses). */
  registerExpires?: number
  publishExpires?: number
  subscribeExpires?: number
  /** SUBSCRIBEs outstanding at once while the roster is subscribed (default SUBSCRIBE_WINDOW). */
  subscribeWindow?: number
  /** How long IM waits for a connection before failing a message. */
  imQueueTimeoutMs?: number
  /** Reconnect back-off bounds. */
  reconnectBaseMs?: number
  reconnectMaxMs?: number
  /** How long to wait for REGISTER to be answered at sign-in and sign-out. */
  registerTimeoutMs?: number
  userAgent?: string
  /**
   * CRLF keep-alive interval (RFC 5626 §4.4.1 recommends 95–120 s for connection-oriented
   * transports); a missing pong within 10 s counts as a lost connection. 0 disables.
   */
  keepAliveIntervalMs?: number
  log?: (message: string) => void
}

interface Credentials {
  aor: string
  password: string
  displayName?: string
  request: SignInRequest
}

interface Live {
  ua: UA
  socket: TlsSipSocket | WsSipSocket
  stream: Duplex
  closed: boolean
  /**
   * Settles requests still in flight on this connection when it goes away. JsSIP would only
   * notice at its transaction timeout; the session wants to move on (re-queue, re-publish) now.
   */
  inFlight: Set<() => void>
}

/** The minimal view of JsSIP's IncomingRequest this module uses. */
interface Request {
  method: string
  to_tag?: string
  ruri: { user: string; scheme: string }
  from: { uri: { toString(): string } }
  body?: string
  getHeader(name: string): string | undefined
  reply(code: number, reason?: string, extraHeaders?: string[]): void
}

/**
 * One signed-in SIP account: registration, presence publication and subscriptions, and IM, over
 * a TLS connection the trust engine opened and approved.
 *
 * Life cycle: signed-out → connecting → registering → registered; a lost connection goes to
 * reconnecting (exponential back-off with jitter, trust re-evaluated by the connector on every
 * attempt) and back to registered; a final refusal (403, 404, untrusted server) goes to failed.
 * JsSIP's own connection recovery is not used: each connection gets a fresh UA, so no request
 * can go out on a socket the trust engine did not just approve.
 */
export class SipSession {
  readonly #o: SipSessionOptions
  readonly #timers: Timers
  readonly #random: () => number
  readonly #log: (m: string) => void
  readonly im: ImService
  readonly subscriptions: SubscriptionManager
  #publisher: PresencePublisher | null = null
  #state: SessionState = { status: 'signed-out' }
  #creds: Credentials | null = null
  #live: Live | null = null
  #everRegistered = false
  #attempt = 0
  #retryTimer: unknown = null
  #presence: { state: OwnPresenceState; note?: string } = { state: 'available' }
  /** Bumped on sign-in and sign-out, so callbacks of an older run do nothing. */
  #run = 0
  #signInWaiters: Array<(state: SessionState) => void> = []

  constructor(options: SipSessionOptions) {
    this.#o = options
    this.#timers = options.timers ?? realTimers
    this.#random = options.random ?? Math.random
    this.#log = options.log ?? (() => undefined)
    const events = options.events ?? {}
    this.im = new ImService({
      history: options.history,
      timers: this.#timers,
      queueTimeoutMs: options.imQueueTimeoutMs ?? 120_000,
      onUpdated: (m) => events.onMessageUpdated?.(m),
      onReceived: (m) => events.onMessageReceived?.(m),
      onTyping: (t) => events.onTyping?.(t),
      log: this.#log
    })
    this.subscriptions = new SubscriptionManager({
      timers: this.#timers,
      random: this.#random,
      ...(options.subscribeWindow !== undefined ? { window: options.subscribeWindow } : {}),
      onChange: (c) => events.onContactPresence?.(c)
    })
  }

  /** The current state. */
  get state(): SessionState {
    return { ...this.#state }
  }

  /** Our own presence as last set. */
  get presence(): Presence {
    return { ...this.#presence }
  }

  /** Where our PUBLISH stands (entity-tag and expiry, or the failure), for diagnostics. */
  get publication(): PublicationStatus {
    return this.#publisher?.status ?? { kind: 'idle' }
  }

  /**
   * Signs in and resolves once the outcome is known: `registered`, or `failed` with the reason
   * (wrong password, unknown user, untrusted server, network). Never rejects for those.
   */
  async signIn(request: SignInRequest): Promise<SessionState> {
    if (this.#state.status !== 'signed-out' && this.#state.status !== 'failed') {
      await this.signOut()
    }
    const run = ++this.#run
    this.#creds = {
      aor: normalizeAor(request.aor),
      password: request.password,
      ...(request.displayName ? { displayName: request.displayName } : {}),
      request
    }
    this.#everRegistered = false
    this.#attempt = 0
    const outcome = new Promise<SessionState>((resolve) => this.#signInWaiters.push(resolve))
    this.#setState({ status: 'connecting', aor: this.#creds.aor })
    void this.#connect(run)
    return outcome
  }

  /**
   * Signs out: removes our publication (Expires: 0), unsubscribes, unregisters, closes the
   * connection, and fails whatever is still queued (with a reason, never silently).
   */
  async signOut(): Promise<void> {
    const run = ++this.#run
    this.#clearRetry()
    const live = this.#live
    const publisher = this.#publisher
    this.#publisher = null
    this.subscriptions.terminateAll()
    this.im.detach()
    if (live && !live.closed && this.#state.status === 'registered') {
      if (publisher) await publisher.remove()
      await this.#unregister(live)
    }
    publisher?.dispose()
    if (live) this.#teardown(live)
    this.#live = null
    await this.im.failQueued('not sent: signed out before the message could be delivered')
    this.#creds = null
    if (run === this.#run) this.#setState({ status: 'signed-out' })
    // A sign-in still waiting for its outcome learns it was cancelled.
    this.#resolveSignIn()
  }

  /**
   * The connection in use was decided again and is no longer trusted (an exception revoked, the
   * policy changed): drop it at once, without a goodbye on it, and say why.
   */
  refuse(finding: TrustReason | null): void {
    if (this.#state.status === 'signed-out' || this.#state.status === 'failed') return
    this.#fail({
      code: 'untrusted',
      reason: finding?.detail ?? 'the server is no longer trusted',
      ...(finding ? { finding } : {})
    })
  }

  /** Sets our presence and publishes it when registered (kept and published after reconnects). */
  async setPresence(state: OwnPresenceState, note?: string): Promise<void> {
    this.#presence = note ? { state, note } : { state }
    if (this.#publisher && this.#state.status === 'registered') {
      await this.#publisher.publish(this.#pidf())
    }
  }

  /** Watches exactly these contacts' presence. */
  setContacts(uris: readonly string[]): void {
    this.subscriptions.setContacts(uris)
  }

  /** Stops everything without network traffic (app quit after sign-out, tests). */
  dispose(): void {
    this.#run++
    this.#clearRetry()
    this.#publisher?.dispose()
    this.subscriptions.dispose()
    this.im.dispose()
    if (this.#live) this.#teardown(this.#live)
    this.#live = null
    this.#resolveSignIn()
  }

  #pidf(): string {
    return buildPidf(this.#creds?.aor ?? '', this.#presence.state, this.#presence.note)
  }

  async #connect(run: number): Promise<void> {
    const creds = this.#creds
    if (!creds) return
    let connection: SipConnection
    try {
      const req = creds.request
      connection = await this.#o.connector({
        aor: creds.aor,
        domain: /@([^;?>]+)/.exec(creds.aor)?.[1] ?? '',
        transport: req.transport ?? 'tls',
        ...(req.server ? { server: req.server } : {}),
        ...(req.clientCertificate ? { clientCertificate: req.clientCertificate } : {}),
        attempt: this.#attempt
      })
    } catch (error) {
      if (run !== this.#run) return
      this.#connectionFailed(run, {
        code: 'network',
        reason: `could not connect: ${error instanceof Error ? error.message : String(error)}`
      })
      return
    }
    if (run !== this.#run) {
      connection.socket?.destroy()
      return
    }
    if (connection.verdict === 'no-verdict') {
      // Failed before a certificate could be judged (refused, client certificate, DNS).
      connection.socket?.destroy()
      const finding = connection.finding ?? undefined
      this.#connectionFailed(run, {
        code: finding?.code.startsWith('client-cert') ? 'client-certificate' : 'network',
        reason: `could not connect: ${finding?.detail ?? 'no server could be reached'}`,
        ...(finding ? { finding } : {})
      })
      return
    }
    if (connection.verdict !== 'trusted' && connection.verdict !== 'trusted-by-exception') {
      // No REGISTER, no credential, not a byte on a connection the trust engine refused (or
      // one waiting for the user's answer to its question).
      connection.socket?.destroy()
      this.#fail({
        code: 'untrusted',
        reason: connection.finding?.detail ?? 'the server could not be trusted; nothing was sent',
        ...(connection.finding ? { finding: connection.finding } : {})
      })
      return
    }
    const socket = connection.socket
    if (!socket || socket.destroyed) {
      this.#connectionFailed(run, { code: 'network', reason: 'the connection closed right away' })
      return
    }
    this.#start(run, creds, connection, socket)
  }

  #start(run: number, creds: Credentials, connection: SipConnection, stream: Duplex): void {
    const live: Live = {
      ua: null as unknown as UA,
      socket: null as unknown as TlsSipSocket | WsSipSocket,
      stream,
      closed: false,
      inFlight: new Set()
    }
    const onClosed = ({ error, reason }: SocketClosed) => {
      live.closed = true
      if (error && run === this.#run && this.#live === live) this.#connectionLost(run, live, reason)
    }
    const endpoint = { host: connection.host, port: connection.port }
    const trace = (direction: 'out' | 'in', text: string) =>
      this.#o.events?.onWire?.(direction, text)
    const ws = connection.transport === 'wss'
    live.socket = ws
      ? new WsSipSocket(stream, endpoint, {
          log: this.#log,
          trace,
          onClosed,
          ...(connection.wsPath ? { path: connection.wsPath } : {})
        })
      : new TlsSipSocket(stream, endpoint, {
          log: this.#log,
          trace,
          keepAliveIntervalMs: this.#o.keepAliveIntervalMs ?? 95_000,
          onClosed
        })
    const aorUser = /^sips?:([^@]+)@/i.exec(creds.aor)?.[1] ?? 'user'
    const local = stream as Duplex & { localAddress?: string; localPort?: number }
    // A Contact the registrar can route back over this very connection: our real local
    // address and port with transport=tls (RFC 3261 §18.2.2 / §10.2.1), or over WebSocket an
    // .invalid host with transport=ws (RFC 7118 §5.2). A random user part keeps each
    // connection's binding distinct.
    const contactHost =
      !ws && local.localAddress && local.localPort
        ? `${local.localAddress.includes(':') ? `[${local.localAddress}]` : local.localAddress}:${local.localPort}`
        : `${randomBytes(6).toString('hex')}.invalid`
    const contactUser = `${aorUser.replace(/[^\w.!~*'()&=+$,;?/-]/g, '')}-${randomBytes(4).toString('hex')}`
    const ua = new UA({
      sockets: [live.socket as never],
      uri: creds.aor,
      password: creds.password,
      ...(creds.displayName ? { display_name: creds.displayName } : {}),
      contact_uri: `sip:${contactUser}@${contactHost};transport=${ws ? 'ws' : 'tls'}`,
      register: false,
      register_expires: this.#o.registerExpires ?? 600,
      user_agent: this.#o.userAgent ?? 'TrustLine',
      // Recovery is ours (fresh trust check per attempt); keep JsSIP's from racing it.
      connection_recovery_min_interval: 3600,
      connection_recovery_max_interval: 3600
    })
    installUniqueBranches(ua)
    installPreemptiveAuth(ua)
    live.ua = ua
    this.#live = live
    this.#interceptRequests(ua)
    // Keep our own Contact (with transport=tls) in SUBSCRIBE and other requests instead of the
    // public GRUU (RFC 5627) the registrar hands back: a GRUU names the AOR's domain without a
    // transport, and a server that rewrites Contacts to the connection's source address (as
    // Kamailio's fix_nated_contact does) then sends the NOTIFYs over UDP, where we don't listen.
    Object.defineProperty((ua as unknown as UaInternals)._contact, 'pub_gruu', {
      get: () => null,
      set: () => undefined
    })

    ua.on('connected', () => {
      if (run !== this.#run || this.#live !== live) return
      this.#setState({
        status: 'registering',
        aor: creds.aor,
        ...(this.#attempt ? { attempt: this.#attempt } : {})
      })
      ua.register()
    })
    ua.on('registered', (e: { response: IncomingResponse }) => {
      if (run !== this.#run || this.#live !== live) return
      const expires = registeredExpires(e.response, this.#o.registerExpires ?? 600)
      const first = this.#state.status !== 'registered'
      this.#attempt = 0
      this.#setState({
        status: 'registered',
        aor: creds.aor,
        registeredUntil: new Date(this.#timers.now() + expires * 1000).toISOString()
      })
      if (first) this.#onRegistered(run, live)
    })
    ua.on('registrationFailed', (e: { response: IncomingResponse | null; cause?: string }) => {
      if (run !== this.#run || this.#live !== live) return
      this.#registrationFailed(run, live, e.response, e.cause)
    })
    ua.start()
  }

  #onRegistered(run: number, live: Live): void {
    this.#everRegistered = true
    this.#resolveSignIn()
    if (!this.#publisher) {
      this.#publisher = new PresencePublisher(this.#publishSend(), {
        expires: this.#o.publishExpires ?? 3600,
        timers: this.#timers,
        onStatus: (s) => {
          if (s.kind === 'failed') this.#log(`PUBLISH failed: ${s.status ?? ''} ${s.reason}`)
        }
      })
    }
    void this.#publisher.publish(this.#pidf())
    this.subscriptions.attach(this.#subscribeFn(run, live))
    this.im.attach(this.#imTransport(live))
  }

  #registrationFailed(
    run: number,
    live: Live,
    response: IncomingResponse | null,
    cause?: string
  ): void {
    const status = response?.status_code
    const reason = response?.reason_phrase || cause || 'registration failed'
    if (status === 401 || status === 407 || status === 403) {
      this.#fail({ code: 'wrong-password', status, reason })
    } else if (status === 404 || status === 604) {
      this.#fail({ code: 'unknown-user', status, reason })
    } else if (
      status !== undefined &&
      status >= 400 &&
      status < 500 &&
      status !== 408 &&
      status !== 423
    ) {
      this.#fail({ code: 'sip-error', status, reason })
    } else if (!this.#everRegistered && status === undefined && cause === 'Request Timeout') {
      this.#fail({ code: 'timeout', reason: 'the server did not answer REGISTER' })
    } else {
      // 5xx, 408, a timeout or a broken connection: the link is not usable, start over on a
      // fresh (freshly trusted) connection.
      this.#connectionLost(run, live, status ? `${status} ${reason}` : reason)
    }
  }

  #connectionLost(run: number, live: Live, reason: string): void {
    this.#teardown(live)
    if (this.#live === live) this.#live = null
    if (!this.#everRegistered) {
      this.#fail({ code: 'network', reason })
      return
    }
    this.#publisher?.suspend()
    this.subscriptions.detach(reason)
    this.im.detach()
    this.#connectionFailed(run, { code: 'network', reason })
  }

  #connectionFailed(run: number, failure: SessionFailure): void {
    if (!this.#everRegistered) {
      this.#fail(failure)
      return
    }
    this.#attempt++
    // Exponential back-off with "equal jitter": half fixed, half random, capped.
    const base = this.#o.reconnectBaseMs ?? 1000
    const cap = this.#o.reconnectMaxMs ?? 60_000
    const exp = Math.min(cap, base * 2 ** (this.#attempt - 1))
    const delay = Math.round(exp / 2 + (this.#random() * exp) / 2)
    this.#setState({
      status: 'reconnecting',
      ...(this.#creds ? { aor: this.#creds.aor } : {}),
      failure,
      attempt: this.#attempt,
      nextRetryAt: new Date(this.#timers.now() + delay).toISOString()
    })
    this.#clearRetry()
    this.#retryTimer = this.#timers.setTimeout(() => {
      this.#retryTimer = null
      if (run !== this.#run) return
      void this.#connect(run)
    }, delay)
  }

  #fail(failure: SessionFailure): void {
    this.#clearRetry()
    if (this.#live) this.#teardown(this.#live)
    this.#live = null
    // Its entity-tag belongs to this sign-in; the server lets the publication lapse.
    this.#publisher?.dispose()
    this.#publisher = null
    this.subscriptions.detach(failure.reason)
    this.im.detach()
    this.#run++
    this.#setState({
      status: 'failed',
      ...(this.#creds ? { aor: this.#creds.aor } : {}),
      failure
    })
    this.#resolveSignIn()
    // A final failure needs a new sign-in; don't keep the password around until then.
    this.#creds = null
    void this.im.failQueued(`not sent: ${failure.reason}`)
  }

  #resolveSignIn(): void {
    const waiters = this.#signInWaiters.splice(0)
    for (const w of waiters) w(this.state)
  }

  #teardown(live: Live): void {
    live.closed = true
    const inFlight = [...live.inFlight]
    live.inFlight.clear()
    for (const settle of inFlight) settle()
    try {
      live.ua.removeAllListeners()
      // Stop without a network goodbye: the socket is closed or about to be.
      live.socket.onconnect = () => undefined
      live.socket.ondisconnect = () => undefined
      live.ua.stop()
    } catch (error) {
      this.#log(`stopping JsSIP failed: ${String(error)}`)
    }
    live.stream.destroy()
  }

  #unregister(live: Live): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#timers.clearTimeout(timer)
        resolve()
      }
      const timer = this.#timers.setTimeout(done, this.#o.registerTimeoutMs ?? 5000)
      live.ua.once('unregistered', done)
      live.ua.once('registrationFailed', done)
      try {
        live.ua.unregister()
      } catch {
        done()
      }
    })
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) this.#timers.clearTimeout(this.#retryTimer)
    this.#retryTimer = null
  }

  #setState(state: SessionState): void {
    this.#state = state
    this.#o.events?.onStateChanged?.({ ...state })
  }

  /**
   * Answers two kinds of request ourselves, before JsSIP's UA would:
   * - an initial INVITE gets 488 at once: this client has no calls, and JsSIP's INVITE path
   *   touches `window` (WebRTC), which does not exist in the main process;
   * - an out-of-dialog MESSAGE is answered only after it is in history (fsync'd), so a 200 OK
   *   really means "stored"; 415 for types we don't show (RFC 3428 §7), 500 if storing failed.
   */
  #interceptRequests(ua: UA): void {
    const internals = ua as unknown as UaInternals
    const original = internals.receiveRequest.bind(ua)
    internals.receiveRequest = (incoming) => {
      const request = incoming as unknown as Request
      const method = request.method
      const mine = (method === 'INVITE' || method === 'MESSAGE') && !request.to_tag
      if (!mine) return original(incoming)
      const config = internals._configuration
      if (
        request.ruri.user !== config.uri.user &&
        request.ruri.user !== internals._contact.uri.user
      ) {
        request.reply(404)
        return
      }
      if (Transactions.checkTransaction(ua, incoming)) return
      if (method === 'INVITE') {
        new Transactions.InviteServerTransaction(ua, internals._transport, incoming)
        request.reply(488, 'Not Acceptable Here: TrustLine does not take calls')
        return
      }
      new Transactions.NonInviteServerTransaction(ua, internals._transport, incoming)
      const from = normalizeAor(request.from.uri.toString())
      this.im
        .receive(from, request.body ?? '', request.getHeader('Content-Type'))
        .then((verdict) => {
          if (verdict.status === 415)
            request.reply(415, 'Unsupported Media Type', [`Accept: ${verdict.accept}`])
          else request.reply(200)
        })
        .catch((error: unknown) => {
          this.#log(`storing an incoming MESSAGE failed: ${String(error)}`)
          request.reply(500, 'Could Not Store Message')
        })
    }
  }

  #publishSend(): PublishSend {
    return (req) =>
      new Promise<PublishResponse>((resolveOnce, rejectOnce) => {
        const live = this.#live
        const creds = this.#creds
        if (!live || live.closed || !creds) {
          rejectOnce(new Error('not connected'))
          return
        }
        const lost = () => rejectOnce(new Error('connection lost during PUBLISH'))
        live.inFlight.add(lost)
        const resolve = (r: PublishResponse) => {
          live.inFlight.delete(lost)
          resolveOnce(r)
        }
        const reject = (e: Error) => {
          live.inFlight.delete(lost)
          rejectOnce(e)
        }
        const ua = live.ua
        const target = (ua as unknown as UaInternals).normalizeTarget(creds.aor)
        // RFC 3903 §4: Event, Expires, SIP-If-Match; body only for initial/modify.
        const headers = ['Event: presence', `Expires: ${req.expires}`]
        if (req.ifMatch) headers.push(`SIP-If-Match: ${req.ifMatch}`)
        if (req.body !== undefined) headers.push(`Content-Type: ${PIDF_CONTENT_TYPE}`)
        const request = new OutgoingRequest(
          'PUBLISH',
          target,
          ua,
          { to_uri: target },
          headers,
          req.body
        )
        new RequestSender(ua, request, {
          onRequestTimeout: () => reject(new Error('no answer to PUBLISH')),
          onTransportError: () => reject(new Error('connection lost during PUBLISH')),
          onReceiveResponse: (response) => {
            if (response.status_code < 200) return
            const int = (name: string) => {
              const n = parseInt(response.getHeader(name) ?? '', 10)
              return Number.isFinite(n) ? n : undefined
            }
            const result: PublishResponse = {
              status: response.status_code,
              reason: response.reason_phrase
            }
            const etag = response.getHeader('SIP-ETag')
            if (etag) result.etag = etag.trim()
            const expires = int('Expires')
            if (expires !== undefined) result.expires = expires
            const minExpires = int('Min-Expires')
            if (minExpires !== undefined) result.minExpires = minExpires
            resolve(result)
          }
        }).send()
      })
  }

  #subscribeFn(run: number, live: Live): SubscribeFn {
    return (target, events) => {
      if (run !== this.#run || live.closed) throw new Error('not connected')
      const subscriber = live.ua.subscribe(target, 'presence', PIDF_CONTENT_TYPE, {
        expires: this.#o.subscribeExpires ?? 600
      })
      // JsSIP reports a refused SUBSCRIBE without its status; keep the last final response.
      let refusal: { status: number; reason: string } | null = null
      const internals = subscriber as unknown as {
        _receiveSubscribeResponse(r: IncomingResponse): void
      }
      const originalReceive = internals._receiveSubscribeResponse.bind(subscriber)
      internals._receiveSubscribeResponse = (response) => {
        if (response.status_code >= 300)
          refusal = { status: response.status_code, reason: response.reason_phrase }
        originalReceive(response)
      }
      const C = subscriber.C as unknown as Record<string, number>
      subscriber.on('accepted', () => events.onAccepted?.())
      subscriber.on('pending', () => events.onPending())
      subscriber.on('active', () => events.onActive())
      subscriber.on('notify', (_final, _request, body, contentType) =>
        events.onNotify(body, contentType)
      )
      subscriber.on('terminated', (code, reason, retryAfter) => {
        let end: SubscriptionEnd
        if (code === C.FINAL_NOTIFY_RECEIVED) {
          end = {
            reason: reason ?? 'deactivated',
            ...(retryAfter !== undefined ? { retryAfter } : {})
          }
        } else if (code === C.SUBSCRIBE_NON_OK_RESPONSE && refusal) {
          end = { reason: refusal.reason, status: refusal.status }
        } else if (code === C.SUBSCRIBE_AUTHENTICATION_FAILED) {
          end = { reason: 'authentication failed', status: refusal?.status ?? 401 }
        } else if (code === C.SUBSCRIBE_RESPONSE_TIMEOUT) {
          end = { reason: 'no answer to SUBSCRIBE', transport: true }
        } else if (code === C.UNSUBSCRIBE_TIMEOUT) {
          end = { reason: 'unsubscribed' }
        } else {
          end = { reason: `subscription failed (${code})`, transport: true }
        }
        events.onTerminated(end)
      })
      subscriber.subscribe()
      return { terminate: () => subscriber.terminate() }
    }
  }

  #imTransport(live: Live): ImTransport {
    return {
      sendMessage: (to, body, contentType) =>
        new Promise<SendOutcome>((resolveOnce) => {
          if (live.closed) {
            resolveOnce({ kind: 'transport-error', reason: 'not connected' })
            return
          }
          const lost = () => resolveOnce({ kind: 'transport-error', reason: 'connection lost' })
          live.inFlight.add(lost)
          const resolve = (outcome: SendOutcome) => {
            live.inFlight.delete(lost)
            resolveOnce(outcome)
          }
          try {
            live.ua.sendMessage(to, body, {
              contentType,
              eventHandlers: {
                succeeded: (e: { response: IncomingResponse }) =>
                  resolve({
                    kind: 'response',
                    status: e.response.status_code,
                    reason: e.response.reason_phrase
                  }),
                failed: (e: { response?: IncomingResponse | null; cause?: string }) => {
                  if (e.response) {
                    resolve({
                      kind: 'response',
                      status: e.response.status_code,
                      reason: e.response.reason_phrase
                    })
                  } else if (e.cause === 'Request Timeout') resolve({ kind: 'timeout' })
                  else resolve({ kind: 'transport-error', reason: e.cause ?? 'connection error' })
                }
              }
            })
          } catch (error) {
            resolve({ kind: 'transport-error', reason: String(error) })
          }
        })
    }
  }
}

function registeredExpires(response: IncomingResponse, fallback: number): number {
  const header = parseInt(response?.getHeader('Expires') ?? '', 10)
  if (Number.isFinite(header) && header > 0) return header
  const contact = /expires=(\d+)/i.exec(response?.getHeader('Contact') ?? '')
  return contact ? Number(contact[1]) : fallback
}
