import type { Duplex } from 'node:stream'
import type { ImTransport } from './im'
import type { PublishSend, Timers } from './publish'
import type { SubscribeFn } from './subscriptions'

/**
 * The ports between the session's state machine and the SIP stack that runs one connection
 * (JsSIP in production: `sip/jssip/`). The session never sees the stack's classes; the stack
 * never decides what a failure means for the session.
 */

/** An out-of-dialog MESSAGE that came in (RFC 3428), as the IM service sees it. */
export interface IncomingMessage {
  /** The sender's address of record (From URI, normalized). */
  from: string
  /** From tag, Call-ID and CSeq number: the same on every copy of one request (RFC 3261 §8.2.2.2). */
  fromTag: string
  callId: string
  cseq: number
  body: string
  /** Content-Type header, as sent. */
  contentType: string | undefined
  /** Any other header of the request (first value), by case-insensitive name. */
  header(name: string): string | undefined
}

/** The final answer to an incoming MESSAGE: status, reason phrase and extra header lines. */
export interface ReceiveAnswer {
  status: number
  reason?: string
  /**
   * Whole header lines, e.g. `Accept-Encoding` for a 415 about a body coding. The Accept header
   * of a 415 is the stack's: one, listing `AgentSetup.accept` (RFC 3428 §7).
   */
  headers?: string[]
}

/**
 * Decides the answer to an incoming MESSAGE. It is sent only once the returned promise settles,
 * so a 200 can mean "stored"; a rejection is answered 500.
 */
export type ReceiveHandler = (message: IncomingMessage) => Promise<ReceiveAnswer>

/** How a REGISTER failed, as the stack saw it. */
export interface RegistrationFailure {
  /** Final status when the registrar answered. */
  status?: number
  reason: string
  /** No answer at all (RFC 3261 Timer F). */
  timeout: boolean
}

/** What the stack reports to the session about one connection. */
export interface AgentEvents {
  /** The connection carries SIP: time to REGISTER. */
  onConnected(): void
  /** A REGISTER (first or refresh) succeeded; the binding lasts `expires` seconds. */
  onRegistered(expires: number): void
  onRegistrationFailed(failure: RegistrationFailure): void
  /** The connection is gone (not by our own `stop`), with the reason in words for the log. */
  onLost(reason: string): void
}

/** Everything the stack needs for one connection the trust engine approved. */
export interface AgentSetup {
  /** The open, paused, trusted stream. */
  stream: Duplex
  host: string
  port: number
  transport: 'tls' | 'wss'
  /** HTTP path of the WebSocket endpoint for `wss`. */
  wsPath?: string
  aor: string
  password: string
  displayName?: string
  registerExpires: number
  subscribeExpires: number
  userAgent: string
  /** Ping after this long without a byte from the server (RFC 5626 §4.4.1); 0 disables. */
  keepAliveIntervalMs: number
  /** How long a ping waits for its pong before the connection counts as dead. */
  flowTimeoutMs: number
  /** How long sign-out waits for the un-REGISTER to be answered. */
  registerTimeoutMs: number
  timers: Timers
  events: AgentEvents
  receive: ReceiveHandler
  /**
   * The MESSAGE bodies `receive` takes, for the one Accept header of every 415 and OPTIONS
   * answer (RFC 3261 §21.4.16, §11.2).
   */
  accept: string
  log: (message: string) => void
  /** Sees every SIP message on the wire (the helpdesk's SIP log). */
  trace?: (direction: 'out' | 'in', text: string) => void
}

/** One connection's SIP stack. */
export interface SipAgent {
  /** Starts using the connection; `onConnected` follows. */
  start(): void
  /** Sends REGISTER (refreshes are the stack's job). */
  register(): void
  /** Removes our binding (Expires: 0); resolves when answered or after `registerTimeoutMs`. */
  unregister(): Promise<void>
  /**
   * Stops at once without a network goodbye and closes the connection. Requests still in flight
   * end now as transport errors (no answer will come), not at their transaction timeout.
   */
  stop(): void
  readonly publish: PublishSend
  readonly subscribe: SubscribeFn
  readonly messages: ImTransport
}

/** Makes the SIP stack for one connection. */
export type AgentFactory = (setup: AgentSetup) => SipAgent
