/**
 * Presence publication (RFC 3903, event package `presence` per RFC 3856).
 *
 * The Event State Compositor identifies our published state by the entity-tag it returns in
 * SIP-ETag; every later PUBLISH (refresh, modify, remove) names it in SIP-If-Match. This class
 * keeps that tag, refreshes before expiry and recovers from 412 and 423. It knows nothing of
 * JsSIP: requests go through an injected `send`, so the logic is testable in memory.
 */

/** One PUBLISH to send. */
export interface PublishRequest {
  /** Expires header value in seconds; 0 removes the publication (RFC 3903 §4.5). */
  expires: number
  /** SIP-If-Match: the entity-tag of the state this request refreshes, modifies or removes. */
  ifMatch?: string
  /** PIDF body; absent for a refresh or a removal (RFC 3903 §4.3, §4.5). */
  body?: string
}

/** What came back for a PUBLISH. */
export interface PublishResponse {
  status: number
  reason: string
  /** SIP-ETag of a 2xx. */
  etag?: string
  /** Expires of a 2xx (the server may shorten ours). */
  expires?: number
  /** Min-Expires of a 423 (RFC 3261 §20.23). */
  minExpires?: number
}

/** Sends one PUBLISH; rejects only when no response arrived (timeout, transport error). */
export type PublishSend = (request: PublishRequest) => Promise<PublishResponse>

/** Where the publication stands, for the UI and for logs. */
export type PublicationStatus =
  | { kind: 'idle' }
  | { kind: 'published'; etag: string; expiresAt: number }
  | { kind: 'failed'; status?: number; reason: string }

/** Timer functions, injectable for tests. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  now(): number
}

/** Real timers. */
export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms)
    t.unref?.()
    return t
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now()
}

/** Options of the publisher. */
export interface PublisherOptions {
  /** Requested Expires in seconds. */
  expires?: number
  timers?: Timers
  onStatus?: (status: PublicationStatus) => void
}

const MAX_423_RETRIES = 3
const RETRY_AFTER_FAILURE_MS = 60_000

/** When to refresh a publication that lasts `expires` seconds: well before it lapses. */
export function refreshDelayMs(expires: number): number {
  return (expires > 120 ? expires - 60 : expires / 2) * 1000
}

/** Keeps our presence published with entity-tag bookkeeping. */
export class PresencePublisher {
  readonly #send: PublishSend
  readonly #timers: Timers
  readonly #onStatus: (status: PublicationStatus) => void
  #expires: number
  #etag: string | null = null
  #body: string | null = null
  #timer: unknown = null
  #status: PublicationStatus = { kind: 'idle' }
  #suspended = false
  // Operations run one at a time so two PUBLISHes never race on the entity-tag.
  #chain: Promise<unknown> = Promise.resolve()

  constructor(send: PublishSend, options: PublisherOptions = {}) {
    this.#send = send
    this.#timers = options.timers ?? realTimers
    this.#onStatus = options.onStatus ?? (() => undefined)
    this.#expires = options.expires ?? 3600
  }

  /** Current status. */
  get status(): PublicationStatus {
    return this.#status
  }

  /** The entity-tag the server holds for us, if any. */
  get etag(): string | null {
    return this.#etag
  }

  /**
   * Publishes `body`: an initial PUBLISH when nothing is published, otherwise a modification of
   * the published state (SIP-If-Match). Resolves to the resulting status.
   */
  publish(body: string): Promise<PublicationStatus> {
    this.#body = body
    this.#suspended = false
    return this.#enqueue(() => this.#doPublish(true))
  }

  /** Removes the publication (Expires: 0), as on sign-out. Resolves once the server answered. */
  remove(): Promise<PublicationStatus> {
    this.#body = null
    return this.#enqueue(async () => {
      this.#clearTimer()
      const etag = this.#etag
      if (!etag) return this.#setStatus({ kind: 'idle' })
      this.#etag = null
      try {
        await this.#send({ expires: 0, ifMatch: etag })
      } catch {
        // The server lets the state lapse at its expiry anyway; nothing else to do.
      }
      return this.#setStatus({ kind: 'idle' })
    })
  }

  /** Stops refreshing (connection lost); the entity-tag is kept to modify it after reconnect. */
  suspend(): void {
    this.#suspended = true
    this.#clearTimer()
  }

  /** Forgets everything without sending (the session is gone). */
  dispose(): void {
    this.#clearTimer()
    this.#etag = null
    this.#body = null
  }

  #enqueue(op: () => Promise<PublicationStatus>): Promise<PublicationStatus> {
    const next = this.#chain.then(op, op)
    this.#chain = next.catch(() => undefined)
    return next
  }

  /** A refresh or retry from a timer: whatever goes wrong ends as the publication's status. */
  #inBackground(op: () => Promise<PublicationStatus>): void {
    this.#enqueue(op).catch((error: unknown) => {
      try {
        this.#setStatus({ kind: 'failed', reason: `PUBLISH failed: ${String(error)}` })
      } catch {
        // The status listener itself threw (that is what failed): the status is set, and a
        // throw here would be an unhandled rejection.
      }
    })
  }

  async #doPublish(withBody: boolean): Promise<PublicationStatus> {
    this.#clearTimer()
    const body = this.#body
    if (body === null) return this.#status
    let expires = this.#expires
    let retried412 = false
    for (let attempt = 0; attempt <= MAX_423_RETRIES + 1; attempt++) {
      const request: PublishRequest = { expires }
      if (this.#etag) request.ifMatch = this.#etag
      if (withBody || !this.#etag) request.body = body
      let response: PublishResponse
      try {
        response = await this.#send(request)
      } catch (error) {
        return this.#failed({
          kind: 'failed',
          reason: error instanceof Error ? error.message : String(error)
        })
      }
      if (response.status >= 200 && response.status < 300) {
        if (!response.etag) {
          return this.#setStatus({
            kind: 'failed',
            status: response.status,
            reason: 'server accepted the PUBLISH without a SIP-ETag (RFC 3903 §6)'
          })
        }
        this.#etag = response.etag
        const granted = response.expires && response.expires > 0 ? response.expires : expires
        if (!this.#suspended) {
          this.#timer = this.#timers.setTimeout(() => {
            this.#timer = null
            this.#inBackground(() => this.#doPublish(false))
          }, refreshDelayMs(granted))
        }
        return this.#setStatus({
          kind: 'published',
          etag: response.etag,
          expiresAt: this.#timers.now() + granted * 1000
        })
      }
      if (response.status === 412 && !retried412) {
        // Conditional Request Failed: the server forgot our entity-tag (expired, restarted).
        // Start over with an initial PUBLISH carrying the full state (RFC 3903 §4.4 note).
        retried412 = true
        this.#etag = null
        withBody = true
        continue
      }
      if (response.status === 423 && response.minExpires && response.minExpires > expires) {
        // Interval Too Brief: retry with the server's minimum (RFC 3903 §6, step 6).
        expires = response.minExpires
        this.#expires = response.minExpires
        continue
      }
      if (response.status === 412) this.#etag = null
      return this.#failed({ kind: 'failed', status: response.status, reason: response.reason })
    }
    return this.#failed({ kind: 'failed', reason: 'too many PUBLISH retries' })
  }

  // A failed publication would leave contacts seeing a stale state, so try again later; the
  // session suspends us while the connection is down and publishes afresh after reconnecting.
  #failed(status: PublicationStatus): PublicationStatus {
    if (this.#suspended) return this.#setStatus(status)
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null
      this.#inBackground(() => this.#doPublish(true))
    }, RETRY_AFTER_FAILURE_MS)
    return this.#setStatus(status)
  }

  #clearTimer(): void {
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer)
    this.#timer = null
  }

  #setStatus(status: PublicationStatus): PublicationStatus {
    this.#status = status
    this.#onStatus(status)
    return status
  }
}
