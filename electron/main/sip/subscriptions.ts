import type { ContactPresence, Presence, SubscriptionHealth } from '../../../shared/types/presence'
import { normalizeAor } from '../../../shared/types/sip'
import { backoffDelay, type BackoffPolicy } from './backoff'
import { parsePidf } from './pidf'
import { realTimers, type Timers } from './publish'

/** How a subscription ended, as the SIP layer reports it. */
export interface SubscriptionEnd {
  /**
   * Subscription-State reason of a final NOTIFY (RFC 6665 §4.1.3: deactivated, probation,
   * rejected, timeout, giveup, noresource, invariant), or a local cause.
   */
  reason: string
  /** SIP status when the SUBSCRIBE itself was refused. */
  status?: number
  /** Retry-After from the server, in seconds. */
  retryAfter?: number
  /** No answer or the connection broke. */
  transport?: boolean
}

/** Callbacks one presence subscription reports to. */
export interface SubscriptionEvents {
  /** A 2xx answered the SUBSCRIBE (RFC 6665 §4.1.2.1); the first NOTIFY is still to come. */
  onAccepted?(): void
  onPending(): void
  onActive(): void
  onNotify(body: string | undefined, contentType: string | undefined): void
  onTerminated(end: SubscriptionEnd): void
}

/** A live subscription the manager can end. */
export interface SubscriptionHandle {
  /** Unsubscribes (SUBSCRIBE with Expires: 0). */
  terminate(): void
}

/** Starts one `Event: presence` subscription (in production, a JsSIP Subscriber). */
export type SubscribeFn = (target: string, events: SubscriptionEvents) => SubscriptionHandle

interface Entry {
  uri: string
  presence: Presence
  health: SubscriptionHealth
  handle: SubscriptionHandle | null
  retryTimer: unknown
  failures: number
  /** Bumped on every (re)subscribe, so callbacks of an old subscription are ignored. */
  generation: number
  /** Waiting for a free slot in the window of outstanding SUBSCRIBEs. */
  queued: boolean
  /** Holds a slot: SUBSCRIBE sent, no first NOTIFY and no end yet. */
  inFlight: boolean
  /** Frees the slot if neither a 2xx, a NOTIFY nor an end came (Timer N). */
  slotTimer: unknown
}

/** Options of the manager. */
export interface SubscriptionManagerOptions {
  timers?: Timers
  onChange?: (contact: ContactPresence) => void
  /** Random in [0, 1) for retry jitter; injectable for tests. */
  random?: () => number
  /**
   * At most this many SUBSCRIBEs outstanding (sent, not yet answered by a first NOTIFY or an
   * end); the rest wait their turn. Default 20.
   */
  window?: number
  /** Runs `fn` on a later turn of the event loop (default `setImmediate`); injectable for tests. */
  defer?: (fn: () => void) => void
}

/** Default number of outstanding SUBSCRIBEs; see `SubscriptionManagerOptions.window`. */
export const SUBSCRIBE_WINDOW = 20

/**
 * How long a SUBSCRIBE may hold its slot without any answer: RFC 6665 §4.1.2.4 Timer N
 * (64*T1 = 32 s). A NOTIFY that overtook the 200 OK is refused by JsSIP with 481 and the
 * subscription may then stay silent until its refresh; the roster must not wait for that.
 */
export const SLOT_TIMEOUT_MS = 32_000

/** Back-off between subscription attempts after one ended: 30 s doubling up to 30 min. */
const RESUBSCRIBE_BACKOFF: BackoffPolicy = { baseMs: 30_000, maxMs: 30 * 60_000 }

// Reasons after which subscribing again at once is right (RFC 6665 §4.1.3).
const retryNow = new Set(['deactivated', 'timeout'])
// Reasons after which the server told us not to come back (same section).
const final = new Set(['rejected', 'noresource', 'invariant'])

/**
 * Keeps one presence subscription (RFC 3856) per contact alive and reports per contact what we
 * know and how healthy the subscription is. Refreshing an active subscription is JsSIP's
 * Subscriber's job; this class decides when to subscribe again after one ended.
 *
 * SUBSCRIBEs are paced: a roster of 1,000 contacts sent in one synchronous loop stalled the main
 * thread for hundreds of milliseconds (no socket reads, no IPC), held 1,000-2,000 JsSIP
 * transactions in flight and made the lab's Kamailio drop the connection. At most `window` are
 * outstanding; each first NOTIFY (or end) frees a slot and the next SUBSCRIBE goes out on a later
 * turn of the event loop, so incoming NOTIFYs are read in between.
 */
export class SubscriptionManager {
  readonly #entries = new Map<string, Entry>()
  readonly #timers: Timers
  readonly #onChange: (c: ContactPresence) => void
  readonly #random: () => number
  readonly #window: number
  readonly #defer: (fn: () => void) => void
  /** Entries waiting for a slot, in the order they asked (a Set keeps insertion order). */
  readonly #queue = new Set<Entry>()
  #outstanding = 0
  #pumpScheduled = false
  /** Contacts changed in this turn, reported together in a microtask (see #changed). */
  readonly #dirty = new Set<Entry>()
  #subscribe: SubscribeFn | null = null

  constructor(options: SubscriptionManagerOptions = {}) {
    this.#timers = options.timers ?? realTimers
    this.#onChange = options.onChange ?? (() => undefined)
    this.#random = options.random ?? Math.random
    this.#window = Math.max(1, Math.floor(options.window ?? SUBSCRIBE_WINDOW))
    this.#defer = options.defer ?? ((fn) => setImmediate(fn))
  }

  /** SUBSCRIBEs outstanding and waiting for a slot (diagnostics). */
  get pacing(): { outstanding: number; queued: number; window: number } {
    return { outstanding: this.#outstanding, queued: this.#queue.size, window: this.#window }
  }

  /** Every contact's presence and subscription health. */
  list(): ContactPresence[] {
    return [...this.#entries.values()].map(view)
  }

  /** One contact's presence and health, if known. */
  get(uri: string): ContactPresence | undefined {
    const e = this.#entries.get(normalizeAor(uri))
    return e ? view(e) : undefined
  }

  /** Registered: subscribe to every contact through `subscribe`. */
  attach(subscribe: SubscribeFn): void {
    this.#subscribe = subscribe
    for (const e of this.#entries.values()) {
      e.failures = 0
      this.#start(e)
    }
  }

  /**
   * Connection lost: the dialogs are gone with it (their NOTIFYs can't reach us); keep the last
   * known presence but say the subscription is down until `attach` runs again.
   */
  detach(reason = 'connection lost'): void {
    this.#subscribe = null
    for (const e of this.#entries.values()) {
      this.#stop(e, false)
      this.#set(e, { status: 'error', reason })
    }
  }

  /** Sign-out: unsubscribe from everyone (RFC 6665 §4.1.2.3) and forget live state. */
  terminateAll(): void {
    this.#subscribe = null
    for (const e of this.#entries.values()) {
      this.#stop(e, true)
      e.presence = { state: 'unknown' }
      this.#set(e, { status: 'none' })
    }
  }

  /** Makes the watched set equal to `uris` (subscribing to new, unsubscribing removed ones). */
  setContacts(uris: readonly string[]): void {
    const wanted = new Set(uris.map(normalizeAor))
    for (const key of [...this.#entries.keys()]) if (!wanted.has(key)) this.remove(key)
    for (const uri of wanted) this.add(uri)
  }

  /** Starts watching a contact. */
  add(uri: string): void {
    const key = normalizeAor(uri)
    if (this.#entries.has(key)) return
    const e: Entry = {
      uri: key,
      presence: { state: 'unknown' },
      health: { status: 'none' },
      handle: null,
      retryTimer: null,
      failures: 0,
      generation: 0,
      queued: false,
      inFlight: false,
      slotTimer: null
    }
    this.#entries.set(key, e)
    this.#changed(e)
    if (this.#subscribe) this.#start(e)
  }

  /** Stops watching a contact. */
  remove(uri: string): void {
    const key = normalizeAor(uri)
    const e = this.#entries.get(key)
    if (!e) return
    this.#stop(e, true)
    this.#entries.delete(key)
  }

  /** Stops every timer without sending anything. */
  dispose(): void {
    for (const e of this.#entries.values()) this.#stop(e, false)
  }

  /** Asks for a (re)subscription: it goes out now if a slot is free, else when one frees. */
  #start(e: Entry): void {
    if (!this.#subscribe) return
    this.#stop(e, false)
    this.#set(e, { status: 'pending' })
    e.queued = true
    this.#queue.add(e)
    this.#pump()
  }

  /** Sends queued SUBSCRIBEs while slots are free. */
  #pump(): void {
    for (const e of this.#queue) {
      if (this.#outstanding >= this.#window || !this.#subscribe) return
      this.#queue.delete(e)
      e.queued = false
      if (this.#entries.get(e.uri) === e) this.#send(e, this.#subscribe)
    }
  }

  /** A slot freed: send the next SUBSCRIBE on a later turn, after pending socket reads. */
  #release(e: Entry): void {
    if (!e.inFlight) return
    e.inFlight = false
    if (e.slotTimer !== null) this.#timers.clearTimeout(e.slotTimer)
    e.slotTimer = null
    this.#outstanding--
    if (this.#pumpScheduled || this.#queue.size === 0) return
    this.#pumpScheduled = true
    this.#defer(() => {
      this.#pumpScheduled = false
      this.#pump()
    })
  }

  #send(e: Entry, subscribe: SubscribeFn): void {
    const generation = ++e.generation
    const live = () => e.generation === generation && this.#entries.get(e.uri) === e
    e.inFlight = true
    this.#outstanding++
    e.slotTimer = this.#timers.setTimeout(() => {
      e.slotTimer = null
      this.#release(e)
    }, SLOT_TIMEOUT_MS)
    try {
      e.handle = subscribe(e.uri, {
        onAccepted: () => {
          if (live()) this.#release(e)
        },
        // Any NOTIFY answers the SUBSCRIBE and frees its slot; JsSIP reports one without a
        // body only as a state change (pending or active), not as onNotify.
        onPending: () => {
          if (!live()) return
          this.#release(e)
          this.#set(e, { status: 'pending' })
        },
        onActive: () => {
          if (!live()) return
          this.#release(e)
          e.failures = 0
          this.#set(e, { status: 'active' })
        },
        onNotify: (body, contentType) => {
          if (!live()) return
          this.#release(e)
          e.failures = 0
          // A NOTIFY without a body (e.g. pending, or terminated) says nothing about presence.
          if (body && body.trim()) {
            const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase()
            e.presence =
              type && type !== 'application/pidf+xml' ? { state: 'unknown' } : parsePidf(body)
          }
          this.#set(e, { status: e.health.status === 'none' ? 'active' : e.health.status })
        },
        onTerminated: (end) => {
          if (live()) this.#ended(e, end)
        }
      })
    } catch (error) {
      this.#ended(e, { reason: `could not subscribe: ${String(error)}`, transport: true })
    }
  }

  #ended(e: Entry, end: SubscriptionEnd): void {
    this.#release(e)
    e.handle = null
    e.generation++
    const reason = end.status ? `${end.status} ${end.reason}` : end.reason
    const refused =
      end.status !== undefined && end.status >= 400 && end.status < 500 && end.status !== 408
    if (final.has(end.reason) || refused) {
      e.presence = { state: 'unknown' }
      this.#set(e, { status: refused ? 'error' : 'terminated', reason })
      return
    }
    if (!this.#subscribe) {
      this.#set(e, { status: 'terminated', reason })
      return
    }
    // Exponential back-off for probation/giveup, 5xx, timeouts and unknowns; Retry-After wins
    // when the server sent it (RFC 6665 §4.1.3).
    const delayMs =
      retryNow.has(end.reason) && e.failures === 0
        ? 0
        : backoffDelay(e.failures + 1, RESUBSCRIBE_BACKOFF, this.#random, end.retryAfter)
    e.failures++
    this.#set(e, { status: end.transport || end.status ? 'error' : 'terminated', reason })
    e.retryTimer = this.#timers.setTimeout(() => {
      e.retryTimer = null
      this.#start(e)
    }, delayMs)
  }

  #stop(e: Entry, unsubscribe: boolean): void {
    if (e.retryTimer !== null) this.#timers.clearTimeout(e.retryTimer)
    e.retryTimer = null
    if (e.queued) {
      e.queued = false
      this.#queue.delete(e)
    }
    this.#release(e)
    const handle = e.handle
    e.handle = null
    e.generation++
    if (handle && unsubscribe) {
      try {
        handle.terminate()
      } catch {
        // The dialog is already gone; the server will expire it.
      }
    }
  }

  #set(e: Entry, health: Omit<SubscriptionHealth, 'lastUpdate'>): void {
    e.health = { ...health, lastUpdate: new Date(this.#timers.now()).toISOString() }
    this.#changed(e)
  }

  /**
   * Reports a contact's change once per turn: JsSIP handles a NOTIFY as "active" and then
   * "notify" in one call, and a roster's attach marks every contact pending in one loop; each
   * of those was an event (and an IPC frame) of its own. A microtask keeps the order and comes
   * before any further I/O, so nothing is reported late. Removed contacts report nothing.
   */
  #changed(e: Entry): void {
    if (this.#dirty.size === 0) {
      queueMicrotask(() => {
        const batch = [...this.#dirty]
        this.#dirty.clear()
        for (const d of batch) if (this.#entries.get(d.uri) === d) this.#onChange(view(d))
      })
    }
    this.#dirty.add(e)
  }
}

function view(e: Entry): ContactPresence {
  return { uri: e.uri, presence: { ...e.presence }, subscription: { ...e.health } }
}
