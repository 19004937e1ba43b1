import type { Duplex } from 'node:stream'
import type { ContactPresence, OwnPresenceState, Presence } from '../../../shared/types/presence'
import type { ImMessage, Typing } from '../../../shared/types/im'
import type { TrustReason, TrustVerdict } from '../../../shared/types/trust'
import {
  parseAor,
  type SessionFailure,
  type SessionState,
  type SignInRequest
} from '../../../shared/types/sip'
import type { AgentFactory, RegistrationFailure, SipAgent } from './agent'
import { backoffDelay } from './backoff'
import { ImService, type ImHistory } from './im'
import { createJsSipAgent } from './jssip/agent'
import { buildPidf } from './pidf'
import { ACCEPTED_MESSAGE_TYPES } from './receipts'
import {
  PresencePublisher,
  realTimers,
  type PublicationStatus,
  type PublishRequest,
  type PublishResponse,
  type Timers
} from './publish'
import { SubscriptionManager } from './subscriptions'
import { FLOW_TIMEOUT_MS } from './trusted-socket'

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
  /** The SIP stack for each connection (JsSIP by default). */
  agentFactory?: AgentFactory
  /** REGISTER expiry in seconds (the stack re-registers before it lapses). */
  registerExpires?: number
  publishExpires?: number
  subscribeExpires?: number
  /** SUBSCRIBEs outstanding at once while the roster is subscribed (default SUBSCRIBE_WINDOW). */
  subscribeWindow?: number
  /**
   * How long a message may take to be delivered (waiting for a connection, and retries after a
   * transient answer) before it is failed; see ImService.
   */
  imDeliveryTimeoutMs?: number
  /** Whether read receipts may go out (the user's choice or the policy's); default yes. */
  sendReadReceipts?: () => boolean
  /** Reconnect back-off bounds. */
  reconnectBaseMs?: number
  reconnectMaxMs?: number
  /** How long to wait for REGISTER to be answered at sign-in and sign-out. */
  registerTimeoutMs?: number
  userAgent?: string
  /**
   * After this long without a byte from the server, check the connection with a keep-alive
   * ping (RFC 5626 §4.4.1); 0 disables. Default 15 s, far below RFC 5626's 95-120 s because a
   * silently dead connection must be noticed within 30 s (15 s plus the 10 s flow timeout);
   * on a busy connection nothing is sent, since any incoming byte counts.
   */
  keepAliveIntervalMs?: number
  /** How long a flow check waits for the pong (RFC 5626 §4.4.1: 10 s). */
  flowTimeoutMs?: number
  log?: (message: string) => void
}

/** Default idle time before a keep-alive ping; see `SipSessionOptions.keepAliveIntervalMs`. */
export const KEEP_ALIVE_INTERVAL_MS = 15_000

interface Credentials {
  aor: string
  /** The AOR's domain, from the same parse. */
  domain: string
  password: string
  displayName?: string
  request: SignInRequest
}

/** One connection's stack, and whether the connection is gone. */
interface Live {
  agent: SipAgent
  closed: boolean
}

/**
 * One signed-in SIP account: registration, presence publication and subscriptions, and IM, over
 * a TLS connection the trust engine opened and approved. This class is the state machine; the
 * SIP stack of each connection sits behind the `SipAgent` port (`sip/jssip/`).
 *
 * Life cycle: signed-out → connecting → registering → registered; a lost connection goes to
 * reconnecting (exponential back-off with jitter, trust re-evaluated by the connector on every
 * attempt) and back to registered; a final refusal (403, 404, untrusted server) goes to failed.
 * Each connection gets a fresh agent, so no request can go out on a socket the trust engine did
 * not just approve. A connection that dies silently is found by the agent's flow checks (idle
 * keep-alive, and at once after a transaction timeout) and reported lost like any other.
 */
export class SipSession {
  readonly #o: SipSessionOptions
  readonly #timers: Timers
  readonly #random: () => number
  readonly #log: (m: string) => void
  readonly #agentFactory: AgentFactory
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
  /**
   * Incoming messages being stored. Signing out waits for them, so what reached this account is
   * in its history before another account's profile can be shown.
   */
  readonly #receiving = new Set<Promise<unknown>>()

  constructor(options: SipSessionOptions) {
    this.#o = options
    this.#timers = options.timers ?? realTimers
    this.#random = options.random ?? Math.random
    this.#log = options.log ?? (() => undefined)
    this.#agentFactory = options.agentFactory ?? createJsSipAgent
    const events = options.events ?? {}
    this.im = new ImService({
      history: options.history,
      timers: this.#timers,
      random: this.#random,
      ...(options.imDeliveryTimeoutMs !== undefined
        ? { deliveryTimeoutMs: options.imDeliveryTimeoutMs }
        : {}),
      self: () => this.#creds?.aor,
      ...(options.sendReadReceipts ? { sendReadReceipts: options.sendReadReceipts } : {}),
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
    const parsed = parseAor(request.aor)
    if (!parsed) {
      this.#setState({
        status: 'failed',
        failure: { code: 'internal', reason: `${request.aor} is not a SIP address` }
      })
      return this.state
    }
    this.#creds = {
      aor: parsed.aor,
      domain: parsed.domain,
      password: request.password,
      ...(request.displayName ? { displayName: request.displayName } : {}),
      request
    }
    this.#everRegistered = false
    this.#attempt = 0
    const outcome = new Promise<SessionState>((resolve) => this.#signInWaiters.push(resolve))
    this.#setState({ status: 'connecting', aor: this.#creds.aor })
    this.#connectNow(run)
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
      await live.agent.unregister()
    }
    publisher?.dispose()
    if (live) this.#teardown(live)
    this.#live = null
    await Promise.allSettled([...this.#receiving])
    await this.im.failQueued({ code: 'signed-out', reason: 'signed out before delivery' })
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

  /** Starts a connection attempt; whatever goes wrong in it ends in a state, never unhandled. */
  #connectNow(run: number): void {
    this.#connect(run).catch((error: unknown) => {
      this.#log(`connecting failed unexpectedly: ${String(error)}`)
      if (run === this.#run) this.#fail({ code: 'internal', reason: String(error) })
    })
  }

  async #connect(run: number): Promise<void> {
    const creds = this.#creds
    if (!creds) return
    let connection: SipConnection
    try {
      const req = creds.request
      connection = await this.#o.connector({
        aor: creds.aor,
        domain: creds.domain,
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
    const current = (live: Live) => run === this.#run && this.#live === live
    const live: Live = { agent: null as unknown as SipAgent, closed: false }
    const registerExpires = this.#o.registerExpires ?? 600
    live.agent = this.#agentFactory({
      stream,
      host: connection.host,
      port: connection.port,
      transport: connection.transport ?? 'tls',
      ...(connection.wsPath ? { wsPath: connection.wsPath } : {}),
      aor: creds.aor,
      password: creds.password,
      ...(creds.displayName ? { displayName: creds.displayName } : {}),
      registerExpires,
      subscribeExpires: this.#o.subscribeExpires ?? 600,
      userAgent: this.#o.userAgent ?? 'TrustLine',
      keepAliveIntervalMs: this.#o.keepAliveIntervalMs ?? KEEP_ALIVE_INTERVAL_MS,
      flowTimeoutMs: this.#o.flowTimeoutMs ?? FLOW_TIMEOUT_MS,
      registerTimeoutMs: this.#o.registerTimeoutMs ?? 5000,
      timers: this.#timers,
      log: this.#log,
      trace: (direction, text) => this.#o.events?.onWire?.(direction, text),
      receive: (message) => this.#received(this.im.receive(message)),
      accept: ACCEPTED_MESSAGE_TYPES,
      events: {
        onConnected: () => {
          if (!current(live)) return
          this.#setState({
            status: 'registering',
            aor: creds.aor,
            ...(this.#attempt ? { attempt: this.#attempt } : {})
          })
          live.agent.register()
        },
        onRegistered: (expires) => {
          if (!current(live)) return
          const first = this.#state.status !== 'registered'
          this.#attempt = 0
          this.#setState({
            status: 'registered',
            aor: creds.aor,
            registeredUntil: new Date(this.#timers.now() + expires * 1000).toISOString()
          })
          if (first) this.#onRegistered(live)
        },
        onRegistrationFailed: (failure) => {
          if (current(live)) this.#registrationFailed(run, live, failure)
        },
        onLost: (reason) => {
          live.closed = true
          if (current(live)) this.#connectionLost(run, live, reason)
        }
      }
    })
    this.#live = live
    live.agent.start()
  }

  #onRegistered(live: Live): void {
    this.#everRegistered = true
    this.#resolveSignIn()
    if (!this.#publisher) {
      this.#publisher = new PresencePublisher((request) => this.#publishNow(request), {
        expires: this.#o.publishExpires ?? 3600,
        timers: this.#timers,
        onStatus: (s) => {
          if (s.kind === 'failed') this.#log(`PUBLISH failed: ${s.status ?? ''} ${s.reason}`)
        }
      })
    }
    this.#publisher
      .publish(this.#pidf())
      .catch((error: unknown) => this.#log(`publishing presence failed: ${String(error)}`))
    this.subscriptions.attach(live.agent.subscribe)
    this.im.attach(live.agent.messages)
  }

  /** PUBLISH over whatever connection is live when the publisher sends (it outlives them). */
  #publishNow(request: PublishRequest): Promise<PublishResponse> {
    const live = this.#live
    if (!live || live.closed || !this.#creds) return Promise.reject(new Error('not connected'))
    return live.agent.publish(request)
  }

  #registrationFailed(run: number, live: Live, failure: RegistrationFailure): void {
    const { status, reason } = failure
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
    } else if (!this.#everRegistered && failure.timeout) {
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
    const delay = backoffDelay(
      this.#attempt,
      { baseMs: this.#o.reconnectBaseMs ?? 1000, maxMs: this.#o.reconnectMaxMs ?? 60_000 },
      this.#random
    )
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
      this.#connectNow(run)
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
    this.im
      .failQueued({
        code: 'connection-failed',
        params: { cause: failure.code },
        reason: failure.reason
      })
      .catch((error: unknown) => this.#log(`failing queued messages failed: ${String(error)}`))
  }

  /** Keeps track of an incoming message until it is stored (or failed to be). */
  #received<T>(storing: Promise<T>): Promise<T> {
    this.#receiving.add(storing)
    const done = () => this.#receiving.delete(storing)
    storing.then(done, done)
    return storing
  }

  #resolveSignIn(): void {
    const waiters = this.#signInWaiters.splice(0)
    for (const w of waiters) w(this.state)
  }

  #teardown(live: Live): void {
    live.closed = true
    live.agent.stop()
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) this.#timers.clearTimeout(this.#retryTimer)
    this.#retryTimer = null
  }

  #setState(state: SessionState): void {
    this.#state = state
    this.#o.events?.onStateChanged?.({ ...state })
  }
}
