import { randomUUID } from 'node:crypto'
import type { ImFailure, ImMessage, Typing } from '../../../shared/types/im'
import { normalizeAor } from '../../../shared/types/sip'
import { realTimers, type Timers } from './publish'
import { escapeXml, parseXml } from './xml'

/** Content type of our instant messages (RFC 3428 §9 recommends text/plain with a charset). */
export const TEXT_CONTENT_TYPE = 'text/plain;charset=UTF-8'
/** Content type of an isComposing indication (RFC 3994 §5). */
export const ISCOMPOSING_CONTENT_TYPE = 'application/im-iscomposing+xml'
const ISCOMPOSING_NS = 'urn:ietf:params:xml:ns:im-iscomposing'

/** The final answer to one MESSAGE, or why none came. */
export type SendOutcome =
  | { kind: 'response'; status: number; reason: string }
  /** No response: the connection went away (the message may be retried). */
  | { kind: 'transport-error'; reason: string }
  /** No response in time (JsSIP Timer F, RFC 3261 §17.1.2.2). */
  | { kind: 'timeout' }

/** What the IM service needs from the live SIP session. */
export interface ImTransport {
  sendMessage(to: string, body: string, contentType: string): Promise<SendOutcome>
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
}

/** Options of the IM service. */
export interface ImServiceOptions {
  history: ImHistory
  timers?: Timers
  /** How long a message may wait for a connection before it is marked failed. */
  queueTimeoutMs?: number
  /** How long typing indications to a peer stay off after it answered 415. */
  typingBackoffMs?: number
  newId?: () => string
  onUpdated?: (message: ImMessage) => void
  onReceived?: (message: ImMessage) => void
  onTyping?: (typing: Typing) => void
  log?: (message: string) => void
}

/** What to answer to an incoming MESSAGE. */
export type ReceiveVerdict = { status: 200 } | { status: 415; accept: string }

interface Pending {
  message: ImMessage
  timer: unknown
}

// RFC 3994 §3.3: an active indication is refreshed at most this often, and the receiver treats
// an active state as idle after the announced refresh interval (default 120 s).
const TYPING_REFRESH_S = 60
const DEFAULT_REMOTE_REFRESH_S = 120

/**
 * Instant messaging over SIP MESSAGE (RFC 3428) with typing indications (RFC 3994).
 *
 * Every outgoing message is in history before anything is sent, and ends `accepted` or
 * `failed` with a reason: sent at once when connected, otherwise queued until reconnect or until
 * the queue timeout, when it fails. Nothing is dropped silently.
 */
export class ImService {
  readonly #o: Required<Omit<ImServiceOptions, 'log'>> & { log: (m: string) => void }
  #transport: ImTransport | null = null
  readonly #queue: Pending[] = []
  readonly #typingOff = new Map<string, number>()
  readonly #typingSent = new Map<string, { active: boolean; at: number }>()
  readonly #remoteTyping = new Map<string, unknown>()

  constructor(options: ImServiceOptions) {
    this.#o = {
      timers: realTimers,
      queueTimeoutMs: 120_000,
      typingBackoffMs: 10 * 60_000,
      newId: randomUUID,
      onUpdated: () => undefined,
      onReceived: () => undefined,
      onTyping: () => undefined,
      log: () => undefined,
      ...options
    }
  }

  /** Messages waiting for a connection. */
  get queued(): readonly ImMessage[] {
    return this.#queue.map((p) => p.message)
  }

  /** The session is registered: send through `transport` and deliver the queue. */
  attach(transport: ImTransport): void {
    this.#transport = transport
    const waiting = this.#queue.splice(0)
    for (const p of waiting) {
      this.#o.timers.clearTimeout(p.timer)
      void this.#dispatch(p.message)
    }
  }

  /** The connection is gone: queue from now on. */
  detach(): void {
    this.#transport = null
  }

  /** Signed out: everything still queued fails now, with the reason. */
  async failQueued(reason: string): Promise<void> {
    const waiting = this.#queue.splice(0)
    for (const p of waiting) {
      this.#o.timers.clearTimeout(p.timer)
      await this.#update(p.message, 'failed', { reason })
    }
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
    if (this.#transport) void this.#dispatch(stored)
    else this.#enqueue(stored)
    return stored
  }

  /** Handles an incoming MESSAGE and says what to answer. */
  async receive(
    from: string,
    body: string,
    contentType: string | undefined
  ): Promise<ReceiveVerdict> {
    const conversation = normalizeAor(from)
    const type = (contentType ?? 'text/plain').split(';')[0]?.trim().toLowerCase()
    if (type === ISCOMPOSING_CONTENT_TYPE) {
      this.#onComposing(conversation, body)
      return { status: 200 }
    }
    if (type !== 'text/plain') {
      return { status: 415, accept: `text/plain, ${ISCOMPOSING_CONTENT_TYPE}` }
    }
    this.#clearRemoteTyping(conversation)
    const message: ImMessage = {
      id: this.#o.newId(),
      conversation,
      direction: 'in',
      body,
      sentAt: new Date(this.#o.timers.now()).toISOString(),
      state: 'received'
    }
    const stored = await this.#o.history.append(message)
    this.#o.onReceived(stored)
    return { status: 200 }
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
    const outcome = await transport.sendMessage(
      conversation,
      isComposingBody(active),
      ISCOMPOSING_CONTENT_TYPE
    )
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
    for (const p of this.#queue) this.#o.timers.clearTimeout(p.timer)
    for (const t of this.#remoteTyping.values()) this.#o.timers.clearTimeout(t)
    this.#remoteTyping.clear()
  }

  #enqueue(message: ImMessage): void {
    const pending: Pending = { message, timer: null }
    pending.timer = this.#o.timers.setTimeout(() => {
      const i = this.#queue.indexOf(pending)
      if (i < 0) return
      this.#queue.splice(i, 1)
      void this.#update(message, 'failed', {
        reason: `not sent: no connection to the server within ${Math.round(this.#o.queueTimeoutMs / 1000)} s`
      })
    }, this.#o.queueTimeoutMs)
    this.#queue.push(pending)
  }

  async #dispatch(message: ImMessage): Promise<void> {
    const transport = this.#transport
    if (!transport) {
      this.#enqueue(message)
      return
    }
    if (message.state !== 'sending') message = await this.#update(message, 'sending')
    let outcome: SendOutcome
    try {
      outcome = await transport.sendMessage(message.conversation, message.body, TEXT_CONTENT_TYPE)
    } catch (error) {
      outcome = { kind: 'transport-error', reason: String(error) }
    }
    if (outcome.kind === 'response') {
      if (outcome.status >= 200 && outcome.status < 300) await this.#update(message, 'accepted')
      else await this.#update(message, 'failed', { status: outcome.status, reason: outcome.reason })
    } else if (outcome.kind === 'timeout') {
      await this.#update(message, 'failed', { status: 408, reason: 'no answer from the server' })
    } else {
      // The connection dropped before an answer: wait for the next one rather than give up.
      message = await this.#update(message, 'queued')
      if (this.#transport && this.#transport !== transport) void this.#dispatch(message)
      else this.#enqueue(message)
    }
  }

  async #update(
    message: ImMessage,
    state: ImMessage['state'],
    failure?: ImFailure
  ): Promise<ImMessage> {
    const updated = (await this.#o.history.updateState(
      message.conversation,
      message.id,
      state,
      failure
    )) ?? { ...message, state, ...(failure ? { failure } : {}) }
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
