import { randomBytes, randomUUID } from 'node:crypto'
import type { ImFailure, ImFailureCode, ImMessage, ImState, Typing } from '../../../shared/types/im'
import { normalizeAor } from '../../../shared/types/sip'
import type { IncomingMessage, ReceiveAnswer } from './agent'
import { backoffDelay, type BackoffPolicy } from './backoff'
import { ACCEPTED_ENCODINGS } from './content-coding'
import { CPIM_CONTENT_TYPE } from './cpim'
import { buildImdnCpim, type ImdnNotification } from './imdn'
import { realTimers, type Timers } from './publish'
import {
  classifyIncoming,
  cpimText,
  ISCOMPOSING_CONTENT_TYPE,
  outgoingMayMove,
  receiptState,
  TEXT_CONTENT_TYPE,
  type Incoming
} from './receipts'
import { escapeXml, parseXml } from './xml'

export { ISCOMPOSING_CONTENT_TYPE, TEXT_CONTENT_TYPE }
const ISCOMPOSING_NS = 'urn:ietf:params:xml:ns:im-iscomposing'

/** What makes the copies of one MESSAGE one request for the receiver (RFC 3261 §8.2.2.2). */
export interface RequestIdentity {
  callId: string
  fromTag: string
  cseq: number
}

/** One MESSAGE to send. */
export interface OutgoingMessage {
  to: string
  body: string
  contentType: string
  /** Sent with this identity, the same on every copy; a fresh one when absent. */
  identity?: RequestIdentity
}

/** The final answer to one MESSAGE, or why none came. */
export type SendOutcome =
  | {
      kind: 'response'
      status: number
      reason: string
      /** Retry-After of the answer, in seconds (RFC 3261 §20.33). */
      retryAfter?: number
    }
  /** No response: the connection went away (the message may be retried). */
  | { kind: 'transport-error'; reason: string }
  /** No response in time (Timer F, RFC 3261 §17.1.2.2). */
  | { kind: 'timeout' }
  /** Not sent: the address cannot be put in a request. */
  | { kind: 'invalid'; reason: string }

/** What the IM service needs from the live SIP session. */
export interface ImTransport {
  sendMessage(message: OutgoingMessage): Promise<SendOutcome>
}

/** Where messages are kept; the history store in production. */
export interface ImHistory {
  append(message: ImMessage): Promise<ImMessage>
  updateState(
    conversation: string,
    id: string,
    state: ImMessage['state'],
    failure?: ImFailure
  ): Promise<ImMessage | undefined>
  /** The received message of this conversation with this `dedupeKey`, if it is there. */
  findReceived(conversation: string, dedupeKey: string): Promise<ImMessage | undefined>
  /** One message of a conversation by id (a receipt names the message it is about). */
  message(conversation: string, id: string): Promise<ImMessage | undefined>
  /** A conversation's newest messages, oldest first. */
  history(conversation: string): Promise<{ messages: ImMessage[] }>
}

/** Options of the IM service. */
export interface ImServiceOptions {
  history: ImHistory
  timers?: Timers
  /** Random in [0, 1) for retry jitter. */
  random?: () => number
  /**
   * How long a message may take from being sent until it is delivered (waiting for a connection,
   * and retries after a transient answer) before it is failed. Default 5 minutes: longer than a
   * server restart plus both ends' reconnect back-off.
   */
  deliveryTimeoutMs?: number
  /** Back-off between retries after a transient answer (default 2 s, doubling up to 30 s). */
  retry?: BackoffPolicy
  /** How long typing indications to a peer stay off after it answered 415. */
  typingBackoffMs?: number
  /** A new message id; it is also the Call-ID of its MESSAGE and its IMDN Message-ID. */
  newId?: () => string
  /** Our own address of record (From of what we wrap in CPIM); undefined while signed out. */
  self?: () => string | undefined
  /** Whether read receipts may go out (the privacy setting, maybe locked by policy). */
  sendReadReceipts?: () => boolean
  onUpdated?: (message: ImMessage) => void
  onReceived?: (message: ImMessage) => void
  onTyping?: (typing: Typing) => void
  log?: (message: string) => void
}

/** An outgoing message not yet accepted or failed. */
interface Outgoing {
  message: ImMessage
  identity: RequestIdentity
  /**
   * Sent in CPIM with receipt requests (true) or as plain text (false); decided at the first
   * attempt, so every copy is the same request. Null before the first attempt.
   */
  cpim: boolean | null
  /** When it fails at the latest. */
  deadline: number
  /**
   * It met an outage (queued without a connection, or its attempt ended without an answer):
   * transient answers are retried, because the peer may be reconnecting as well.
   */
  retries: boolean
  /** Transient failures so far (the back-off exponent). */
  failures: number
  /** The last transient failure: what it fails with if the deadline comes first. */
  last: ImFailure | null
  /** Waiting for a connection, waiting to retry, or with the transport. */
  phase: 'waiting' | 'retrying' | 'sending'
  retryTimer: unknown
  deadlineTimer: unknown
}

/** Answers that mean "not now" rather than "no" (RFC 3261 §21.4.9, §21.4.18, §21.5.4). */
const TRANSIENT = new Set([408, 480, 503])

/** Failure codes of final answers to a MESSAGE; other 5xx are `server-error`, the rest `refused`. */
const FAILURE_CODES: Readonly<Record<number, ImFailureCode>> = {
  401: 'not-authorized',
  403: 'forbidden',
  404: 'not-found',
  407: 'not-authorized',
  408: 'no-answer',
  413: 'too-large',
  415: 'unsupported',
  480: 'offline',
  486: 'busy',
  488: 'unsupported',
  513: 'too-large',
  600: 'busy',
  603: 'declined',
  604: 'not-found',
  606: 'unsupported'
}

/** Why a MESSAGE was not delivered, from the server's final non-2xx answer. */
export function deliveryFailure(status: number, reason: string): ImFailure {
  const code = FAILURE_CODES[status] ?? (status >= 500 && status < 600 ? 'server-error' : 'refused')
  return { code, status, reason }
}

// RFC 3994 §3.3: an active indication is refreshed at most this often, and the receiver treats
// an active state as idle after the announced refresh interval (default 120 s).
const TYPING_REFRESH_S = 60
const DEFAULT_REMOTE_REFRESH_S = 120

/**
 * Instant messaging over SIP MESSAGE (RFC 3428) with typing indications (RFC 3994).
 *
 * Delivery: every outgoing message is in history before anything is sent, and ends `accepted`
 * (the server answered 2xx) or `failed` with a code saying why; nothing is dropped silently.
 * Every copy of a message goes out with the same Call-ID, From tag and CSeq, so a copy sent again
 * after a connection was lost without an answer is recognised by the receiver (and by us:
 * received messages are kept once per sender, Call-ID and CSeq, and a copy is answered 200 but
 * not shown again). A message that met an outage (queued without a connection, or left without
 * an answer) is retried after a transient answer (408, 480, 503; Retry-After honoured) with
 * back-off, since the peer may be reconnecting too; every message fails at the latest after
 * `deliveryTimeoutMs`.
 *
 * Beyond the server (RFC 5438 IMDN): a peer that showed it understands CPIM and IMDN (it sent
 * either) gets our messages in CPIM (RFC 3862) asking for delivery and read receipts, others
 * plain text, whose receipts (Linphone sends them anyway) quote the Call-ID, the message id. A
 * receipt moves our message on to `delivered` or `displayed`, never back. We send a delivery
 * receipt once a received message is stored, and a read receipt once our user has seen it
 * (`markSeen`), if the privacy setting lets us.
 */
export class ImService {
  readonly #o: Required<Omit<ImServiceOptions, 'log'>> & { log: (m: string) => void }
  #transport: ImTransport | null = null
  readonly #outgoing = new Map<string, Outgoing>()
  /** Incoming copies being stored, by dedupe key: a copy that arrives meanwhile waits for it. */
  readonly #receiving = new Map<string, Promise<void>>()
  readonly #typingOff = new Map<string, number>()
  readonly #typingSent = new Map<string, { active: boolean; at: number }>()
  readonly #remoteTyping = new Map<string, unknown>()
  /** Peers that showed they understand CPIM and IMDN (they sent either), for this sign-in. */
  readonly #speaksImdn = new Set<string>()
  /** The state change of each message being recorded, so changes of one message queue. */
  readonly #updates = new Map<string, Promise<ImMessage>>()

  constructor(options: ImServiceOptions) {
    this.#o = {
      timers: realTimers,
      random: Math.random,
      deliveryTimeoutMs: 5 * 60_000,
      retry: { baseMs: 2000, maxMs: 30_000 },
      typingBackoffMs: 10 * 60_000,
      newId: randomUUID,
      self: () => undefined,
      sendReadReceipts: () => true,
      onUpdated: () => undefined,
      onReceived: () => undefined,
      onTyping: () => undefined,
      log: () => undefined,
      ...options
    }
  }

  /** Messages waiting for a connection. */
  get queued(): readonly ImMessage[] {
    return [...this.#outgoing.values()].filter((o) => o.phase === 'waiting').map((o) => o.message)
  }

  /**
   * The session is registered: send through `transport`, starting with what waited for it. A
   * message waiting to retry goes now too, its back-off starting over: the new connection is
   * news (the peer may be back as well).
   */
  attach(transport: ImTransport): void {
    this.#transport = transport
    for (const o of [...this.#outgoing.values()]) {
      if (o.phase === 'sending') continue
      if (o.retryTimer !== null) this.#o.timers.clearTimeout(o.retryTimer)
      o.retryTimer = null
      o.failures = 0
      this.#attempt(o)
    }
  }

  /** The connection is gone: queue from now on. */
  detach(): void {
    this.#transport = null
  }

  /** Signed out or the session ended: every message not delivered yet fails now, saying why. */
  async failQueued(failure: ImFailure): Promise<void> {
    // What peers showed they understand belongs to this sign-in; the next may be another account.
    this.#speaksImdn.clear()
    const pending = [...this.#outgoing.values()]
    await Promise.all(pending.map((o) => this.#finish(o, 'failed', failure)))
  }

  /** Sends a text message; resolves once it is recorded (queued or sending), not delivered. */
  async send(to: string, body: string): Promise<ImMessage> {
    const conversation = normalizeAor(to)
    const message: ImMessage = {
      id: this.#o.newId(),
      conversation,
      direction: 'out',
      body,
      sentAt: new Date(this.#o.timers.now()).toISOString(),
      state: this.#transport ? 'sending' : 'queued'
    }
    const stored = await this.#o.history.append(message)
    this.#o.onUpdated(stored)
    this.#typingSent.delete(conversation)
    const o: Outgoing = {
      message: stored,
      // The message id is unique: it serves as the Call-ID of every copy.
      identity: { callId: stored.id, fromTag: randomBytes(8).toString('hex'), cseq: 1 },
      cpim: null,
      deadline: this.#o.timers.now() + this.#o.deliveryTimeoutMs,
      retries: !this.#transport,
      failures: 0,
      last: null,
      phase: 'waiting',
      retryTimer: null,
      deadlineTimer: null
    }
    o.deadlineTimer = this.#o.timers.setTimeout(() => {
      o.deadlineTimer = null
      // A message with the transport fails when its answer (or the lack of one) comes.
      if (o.phase !== 'sending') this.#fail(o, o.last ?? this.#noConnection())
    }, this.#o.deliveryTimeoutMs)
    this.#outgoing.set(stored.id, o)
    this.#attempt(o)
    return stored
  }

  /**
   * Handles an incoming MESSAGE and says what to answer: 200 once it is stored (or when it is
   * a copy of one already stored), 415 for a type we do not show (RFC 3428 §7; the stack adds
   * the one Accept header) or a body coding the transport could not undo (with
   * Accept-Encoding, RFC 3261 §21.4.16), 400 for a CPIM or IMDN body that is not one. Text,
   * in CPIM or not, is stored and shown; receipts move our messages on. Rejects if it could not
   * be stored (the caller answers 500 and the sender tries again).
   */
  async receive(incoming: IncomingMessage): Promise<ReceiveAnswer> {
    const conversation = normalizeAor(incoming.from)
    if (incoming.header('Content-Encoding') !== undefined) {
      // Still coded: the transport could not undo it (unknown coding, corrupt, too large).
      return {
        status: 415,
        reason: 'Unsupported Media Type',
        headers: [`Accept-Encoding: ${ACCEPTED_ENCODINGS}`]
      }
    }
    const carried = classifyIncoming(incoming.contentType, incoming.body)
    if (carried.kind === 'unsupported') return { status: 415, reason: 'Unsupported Media Type' }
    if (carried.kind === 'malformed')
      return { status: 400, reason: `Bad Request: ${carried.reason}` }
    if (carried.kind === 'composing') {
      this.#onComposing(conversation, carried.body)
      return { status: 200 }
    }
    if (carried.cpim || carried.kind === 'receipt') this.#speaksImdn.add(conversation)
    if (carried.kind === 'receipt') {
      await this.#onReceipt(conversation, carried.notification)
      return { status: 200 }
    }
    const dedupeKey = `${conversation} ${incoming.callId} ${incoming.cseq}`
    const earlier = this.#receiving.get(dedupeKey)
    if (earlier) {
      try {
        await earlier
        return { status: 200 }
      } catch {
        // The first copy could not be stored: this one tries.
      }
    }
    const storing = this.#store(conversation, carried, dedupeKey)
    this.#receiving.set(dedupeKey, storing)
    try {
      await storing
    } finally {
      if (this.#receiving.get(dedupeKey) === storing) this.#receiving.delete(dedupeKey)
    }
    return { status: 200 }
  }

  /**
   * Our user has seen the conversation (open chat, window in front): every received message
   * that asked for a read receipt becomes `displayed`, and the receipt goes out unless the user
   * or the policy turned read receipts off (then it never goes, not even later). While not
   * connected nothing changes, so the receipts go when the chat is seen again.
   */
  async markSeen(conversation: string): Promise<void> {
    const peer = normalizeAor(conversation)
    const allowed = this.#o.sendReadReceipts()
    if (allowed && !this.#transport) return
    const { messages } = await this.#o.history.history(peer)
    for (const m of messages) {
      if (m.direction !== 'in' || m.state !== 'received' || !m.displayReceipt) continue
      await this.#update(m, 'displayed')
      if (allowed) {
        this.#sendReceipt(peer, {
          kind: 'display',
          status: 'displayed',
          messageId: m.displayReceipt.messageId,
          dateTime: new Date(m.writtenAt ?? m.sentAt)
        })
      }
    }
  }

  /**
   * Tells a peer we are (or stopped) typing. Skipped while not connected, and for a while after
   * the peer's side answered 415 (it does not understand RFC 3994) — its user would otherwise
   * see nothing but we would keep sending.
   */
  async setTyping(to: string, active: boolean): Promise<'sent' | 'skipped'> {
    const conversation = normalizeAor(to)
    const transport = this.#transport
    if (!transport) return 'skipped'
    const now = this.#o.timers.now()
    const off = this.#typingOff.get(conversation)
    if (off !== undefined && now < off) return 'skipped'
    const last = this.#typingSent.get(conversation)
    if (!active && (!last || !last.active)) return 'skipped'
    if (active && last?.active && now - last.at < TYPING_REFRESH_S * 1000) return 'skipped'
    this.#typingSent.set(conversation, { active, at: now })
    const outcome = await transport.sendMessage({
      to: conversation,
      body: isComposingBody(active),
      contentType: ISCOMPOSING_CONTENT_TYPE
    })
    if (outcome.kind === 'response' && [415, 405, 501].includes(outcome.status)) {
      this.#typingOff.set(conversation, now + this.#o.typingBackoffMs)
      this.#o.log(
        `typing indications to ${conversation} paused: ${outcome.status} ${outcome.reason}`
      )
    }
    return 'sent'
  }

  /** Stops timers (the service is being thrown away). */
  dispose(): void {
    for (const o of this.#outgoing.values()) this.#clearTimers(o)
    this.#outgoing.clear()
    for (const t of this.#remoteTyping.values()) this.#o.timers.clearTimeout(t)
    this.#remoteTyping.clear()
  }

  /**
   * Stores a received text once, then tells the sender it arrived if asked (RFC 5438 §7.1.1:
   * after the durable store, as the 200 is). A copy of a message we have (the sender lost our 200
   * with its connection) is not shown again, but its receipt goes again: it may have been lost
   * the same way.
   */
  async #store(
    conversation: string,
    text: Extract<Incoming, { kind: 'text' }>,
    dedupeKey: string
  ): Promise<void> {
    let stored = await this.#o.history.findReceived(conversation, dedupeKey)
    if (!stored) {
      this.#clearRemoteTyping(conversation)
      const request = text.request
      stored = await this.#o.history.append({
        id: this.#o.newId(),
        conversation,
        direction: 'in',
        body: text.body,
        sentAt: new Date(this.#o.timers.now()).toISOString(),
        state: 'received',
        dedupeKey,
        ...(text.writtenAt ? { writtenAt: text.writtenAt } : {}),
        ...(text.author && text.author !== conversation ? { author: text.author } : {}),
        ...(request?.dispositions.has('display')
          ? { displayReceipt: { messageId: request.messageId } }
          : {})
      })
      this.#o.onReceived(stored)
    }
    if (text.request?.dispositions.has('positive-delivery')) {
      this.#sendReceipt(conversation, {
        kind: 'delivery',
        status: 'delivered',
        messageId: text.request.messageId,
        dateTime: new Date(text.writtenAt ?? stored.sentAt)
      })
    }
  }

  /** Sends now if connected, else waits for `attach`. Never rejects: errors end in the log. */
  #attempt(o: Outgoing): void {
    const transport = this.#transport
    if (!transport) {
      o.phase = 'waiting'
      return
    }
    o.phase = 'sending'
    this.#deliver(o, transport).catch((error: unknown) => {
      this.#o.log(`delivering message ${o.message.id} failed: ${String(error)}`)
      if (this.#outgoing.get(o.message.id) !== o) return
      // Try again with the next connection, or fail now if its time is up: never in limbo.
      if (this.#o.timers.now() >= o.deadline) this.#fail(o, o.last ?? this.#noConnection())
      else o.phase = 'waiting'
    })
  }

  async #deliver(o: Outgoing, transport: ImTransport): Promise<void> {
    const current = () => this.#outgoing.get(o.message.id) === o
    if (o.message.state !== 'sending') o.message = await this.#update(o.message, 'sending')
    if (!current()) return
    o.cpim ??= this.#speaksImdn.has(o.message.conversation) && this.#o.self() !== undefined
    let outcome = await this.#sendText(transport, o)
    if (!current()) return
    if (outcome.kind === 'response' && outcome.status === 415 && o.cpim) {
      // It did not take CPIM after all: plain text to it from now on, and this message again
      // now, as a new request (next CSeq): the refused one was not stored, this is no copy.
      this.#speaksImdn.delete(o.message.conversation)
      o.cpim = false
      o.identity = { ...o.identity, cseq: o.identity.cseq + 1 }
      outcome = await this.#sendText(transport, o)
      if (!current()) return
    }
    if (outcome.kind === 'response') {
      if (outcome.status >= 200 && outcome.status < 300) {
        await this.#finish(o, 'accepted')
        return
      }
      const failure = deliveryFailure(outcome.status, outcome.reason)
      if (o.retries && TRANSIENT.has(outcome.status))
        this.#retryLater(o, failure, outcome.retryAfter)
      else await this.#finish(o, 'failed', failure)
    } else if (outcome.kind === 'timeout') {
      // No answer: the request may have died with its connection (the agent checks it now).
      o.retries = true
      this.#retryLater(o, { code: 'no-answer', reason: 'no answer from the server' })
    } else if (outcome.kind === 'invalid') {
      await this.#finish(o, 'failed', { code: 'invalid-address', reason: outcome.reason })
    } else {
      // The connection dropped before an answer: send the same request on the next one.
      o.retries = true
      if (this.#o.timers.now() >= o.deadline) {
        await this.#finish(o, 'failed', o.last ?? this.#noConnection())
        return
      }
      o.phase = 'waiting'
      o.message = await this.#update(o.message, 'queued')
      if (!current() || o.phase !== 'waiting') return
      // A new connection is there already: send now. Still the same one (the session has not
      // noticed its loss yet, or a send failed on it): try again after back-off.
      if (this.#transport && this.#transport !== transport) this.#attempt(o)
      else if (this.#transport) this.#retryLater(o, o.last ?? this.#noConnection())
    }
  }

  /** One MESSAGE with the text, in CPIM with receipt requests or plain, with its identity. */
  async #sendText(transport: ImTransport, o: Outgoing): Promise<SendOutcome> {
    const self = this.#o.self()
    const cpim = o.cpim === true && self !== undefined
    const m = o.message
    try {
      return await transport.sendMessage({
        to: m.conversation,
        body: cpim
          ? cpimText({
              from: self,
              to: m.conversation,
              messageId: m.id,
              body: m.body,
              now: new Date(m.sentAt)
            })
          : m.body,
        contentType: cpim ? CPIM_CONTENT_TYPE : TEXT_CONTENT_TYPE,
        identity: o.identity
      })
    } catch (error) {
      return { kind: 'transport-error', reason: String(error) }
    }
  }

  /**
   * A receipt for one of our messages: the state moves forward, never back. A message still on
   * its way that the peer's device reports delivered needs no more copies.
   */
  async #onReceipt(conversation: string, n: ImdnNotification): Promise<void> {
    const state = receiptState(n)
    if (!state) return
    const failure: ImFailure | undefined =
      state === 'failed'
        ? {
            code: 'recipient-failed',
            params: { status: n.status },
            reason: `the recipient's device reported it as not delivered (${n.status})`
          }
        : undefined
    const o = this.#outgoing.get(n.messageId)
    if (o && o.message.conversation === conversation) {
      await this.#finish(o, state, failure)
      return
    }
    const message = await this.#o.history.message(conversation, n.messageId)
    if (!message || message.direction !== 'out') {
      this.#o.log(`receipt from ${conversation} for a message we do not know (${n.messageId})`)
      return
    }
    await this.#update(message, state, failure)
  }

  /**
   * Sends a receipt as Linphone expects it: the IMDN document in CPIM (RFC 5438 §7.1.1), its
   * Call-ID the notification's Message-ID. Best effort: it is not queued, and a failure is
   * logged (the sender's message stays as its server left it).
   */
  #sendReceipt(
    conversation: string,
    n: ({ kind: 'delivery'; status: 'delivered' } | { kind: 'display'; status: 'displayed' }) & {
      messageId: string
      dateTime: Date
    }
  ): void {
    const transport = this.#transport
    const self = this.#o.self()
    if (!transport || !self) {
      this.#o.log(`${n.kind} receipt to ${conversation} not sent: not connected`)
      return
    }
    const id = this.#o.newId()
    const body = buildImdnCpim({
      ...n,
      from: self,
      to: conversation,
      recipientUri: self,
      notificationId: id,
      now: new Date(this.#o.timers.now())
    })
    transport
      .sendMessage({
        to: conversation,
        body,
        contentType: CPIM_CONTENT_TYPE,
        identity: { callId: id, fromTag: randomBytes(8).toString('hex'), cseq: 1 }
      })
      .then((outcome) => {
        if (outcome.kind !== 'response' || outcome.status >= 300) {
          const why =
            outcome.kind === 'response' ? `${outcome.status} ${outcome.reason}` : outcome.kind
          this.#o.log(`${n.kind} receipt to ${conversation} not delivered: ${why}`)
        }
      })
      .catch((error: unknown) =>
        this.#o.log(`${n.kind} receipt to ${conversation} failed: ${String(error)}`)
      )
  }

  /** Tries again after back-off (or the server's Retry-After), unless that passes the deadline. */
  #retryLater(o: Outgoing, failure: ImFailure, retryAfterSeconds?: number): void {
    o.last = failure
    o.failures++
    const delay = backoffDelay(o.failures, this.#o.retry, this.#o.random, retryAfterSeconds)
    if (this.#o.timers.now() + delay >= o.deadline) {
      this.#fail(o, failure)
      return
    }
    o.phase = 'retrying'
    o.retryTimer = this.#o.timers.setTimeout(() => {
      o.retryTimer = null
      if (this.#outgoing.get(o.message.id) === o) this.#attempt(o)
    }, delay)
  }

  /** Fails a message from a timer: the outcome ends in history or the log, never unhandled. */
  #fail(o: Outgoing, failure: ImFailure): void {
    this.#finish(o, 'failed', failure).catch((error: unknown) =>
      this.#o.log(`failing message ${o.message.id} failed: ${String(error)}`)
    )
  }

  /** Ends a message's delivery: no more attempts, the final state recorded and reported. */
  async #finish(o: Outgoing, state: ImState, failure?: ImFailure): Promise<void> {
    if (this.#outgoing.get(o.message.id) !== o) return
    this.#outgoing.delete(o.message.id)
    this.#clearTimers(o)
    o.message = await this.#update(o.message, state, failure)
  }

  #clearTimers(o: Outgoing): void {
    if (o.retryTimer !== null) this.#o.timers.clearTimeout(o.retryTimer)
    if (o.deadlineTimer !== null) this.#o.timers.clearTimeout(o.deadlineTimer)
    o.retryTimer = o.deadlineTimer = null
  }

  #noConnection(): ImFailure {
    const seconds = Math.round(this.#o.deliveryTimeoutMs / 1000)
    return {
      code: 'no-connection',
      params: { seconds },
      reason: `no connection to the server within ${seconds} s`
    }
  }

  /**
   * Records a state change and reports it. If history cannot record it (disk full, say), the
   * change is still reported, since it is true (the server did accept the message), and the
   * log says it was not recorded; it never becomes an unhandled rejection. An outgoing message
   * only moves forward: a receipt may have come before the server's answer (or a retry's), and
   * the later state is kept.
   */
  #update(message: ImMessage, state: ImState, failure?: ImFailure): Promise<ImMessage> {
    // One change of a message at a time, so the check above and the write are one step: a
    // receipt and the server's answer racing each other cannot both pass it.
    const id = message.id
    const next = (this.#updates.get(id) ?? Promise.resolve()).then(() =>
      this.#updateNow(message, state, failure)
    )
    this.#updates.set(id, next)
    const forget = () => {
      if (this.#updates.get(id) === next) this.#updates.delete(id)
    }
    next.then(forget, forget)
    return next
  }

  /** `#update` in turn; never rejects. */
  async #updateNow(message: ImMessage, state: ImState, failure?: ImFailure): Promise<ImMessage> {
    let recorded: ImMessage | undefined
    try {
      if (message.direction === 'out') {
        const current = await this.#o.history.message(message.conversation, message.id)
        if (current && current.state !== state && !outgoingMayMove(current.state, state)) {
          return current
        }
      }
      recorded = await this.#o.history.updateState(message.conversation, message.id, state, failure)
    } catch (error) {
      this.#o.log(`could not record message ${message.id} as ${state}: ${String(error)}`)
    }
    const { failure: _previous, ...rest } = message
    const updated = recorded ?? { ...rest, state, ...(failure ? { failure } : {}) }
    this.#o.onUpdated(updated)
    return updated
  }

  #onComposing(conversation: string, body: string): void {
    let active = false
    let refresh = DEFAULT_REMOTE_REFRESH_S
    try {
      const root = parseXml(body)
      if (root.local === 'isComposing' && (root.ns === ISCOMPOSING_NS || root.ns === '')) {
        const state = root.children
          .find((c) => c.local === 'state')
          ?.text.trim()
          .toLowerCase()
        active = state === 'active'
        const r = Number(root.children.find((c) => c.local === 'refresh')?.text.trim())
        if (Number.isFinite(r) && r > 0) refresh = Math.min(r, 3600)
      }
    } catch {
      active = false
    }
    this.#clearRemoteTyping(conversation, active)
    if (active) {
      this.#remoteTyping.set(
        conversation,
        this.#o.timers.setTimeout(() => this.#clearRemoteTyping(conversation), refresh * 1000)
      )
      this.#o.onTyping({ conversation, active: true })
    }
  }

  #clearRemoteTyping(conversation: string, silent = false): void {
    const timer = this.#remoteTyping.get(conversation)
    if (timer === undefined) return
    this.#o.timers.clearTimeout(timer)
    this.#remoteTyping.delete(conversation)
    if (!silent) this.#o.onTyping({ conversation, active: false })
  }
}

/** An isComposing document (RFC 3994 §4). */
export function isComposingBody(active: boolean): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    `<isComposing xmlns="${ISCOMPOSING_NS}">` +
    `<state>${active ? 'active' : 'idle'}</state>` +
    `<contenttype>${escapeXml('text/plain')}</contenttype>` +
    (active ? `<refresh>${TYPING_REFRESH_S}</refresh>` : '') +
    '</isComposing>\r\n'
  )
}
