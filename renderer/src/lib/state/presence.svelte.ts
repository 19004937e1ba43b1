import type {
  Contact,
  ContactPresence,
  ContactView,
  OwnPresenceState,
  Presence
} from '../../../../shared/types/presence'
import { normalizeAor } from '../../../../shared/types/sip'
import { api } from '../api'
import { i18n } from '../i18n/i18n.svelte'
import { settle, type UiError } from './result'

/** A subscription with no NOTIFY for this long is shown as possibly out of date. */
export const staleAfterMs = 2 * 60 * 60 * 1000

/**
 * How long presence updates wait when there is no animation frame to wait for (no
 * `requestAnimationFrame`, or a hidden page, where Chromium runs no frames): about one frame.
 */
const frameMs = 16

/**
 * A visible page can be hidden before its next frame, and a hidden page runs no frames: this
 * timer then applies the updates instead.
 */
const hiddenBackupMs = 100

/**
 * Most contacts whose presence changes in one frame. Each changed row is rendered again; a page
 * that fell behind (a busy machine, a long frame) would otherwise take its whole backlog in one
 * frame and make that frame long too. 200 per frame is still far above a storm's pace (about a
 * thousand changes a second, 17 a frame), so it only spreads a backlog over a few frames.
 */
export const maxUpdatesPerFrame = 200

/** True when a contact's presence may be out of date (subscription not active, or quiet too long). */
export function isStale(contact: Pick<ContactView, 'subscription'>, now = Date.now()): boolean {
  const { status, lastUpdate } = contact.subscription
  if (status === 'pending' || status === 'terminated' || status === 'error') return true
  if (status === 'active' && lastUpdate) {
    const at = Date.parse(lastUpdate)
    return Number.isFinite(at) && now - at > staleAfterMs
  }
  return false
}

/** What a roster entry is sorted by, with its key. */
interface SortEntry {
  key: string
  name: string
  uri: string
}

function sortEntry(key: string, contact: ContactView): SortEntry {
  return { key, name: contact.displayName ?? contact.uri, uri: contact.uri }
}

type Roster = ReadonlyMap<string, ContactView>

/** The contact with a presence update applied, if there is one. */
function withUpdate(contact: ContactView, update: ContactPresence | undefined): ContactView {
  return update
    ? { ...contact, presence: update.presence, subscription: update.subscription }
    : contact
}

/**
 * A new roster map: each contact through `change` (null drops it), then `added` at the end. Built
 * anew rather than copied and mutated because the map is state that is replaced as a whole (a
 * SvelteMap would signal every one of a storm's 1,000 updates on its own).
 */
function rebuilt(
  roster: Roster,
  change: (key: string, contact: ContactView) => ContactView | null,
  added: readonly [string, ContactView][] = []
): Roster {
  const entries: [string, ContactView][] = []
  for (const [key, contact] of roster) {
    const next = change(key, contact)
    if (next) entries.push([key, next])
  }
  return new Map([...entries, ...added])
}

/** Keys sorted by display name, then address. */
function inDisplayOrder(entries: readonly SortEntry[], collator: Intl.Collator): string[] {
  return [...entries]
    .sort((a, b) => collator.compare(a.name, b.name) || collator.compare(a.uri, b.uri))
    .map((e) => e.key)
}

/**
 * Our own presence and the roster with each contact's live presence.
 *
 * A sign-in with 1,000 contacts brings 1,000 `presence:changed` events within a second or so.
 * Contacts are kept in a map by normalized address, so an event finds its contact without
 * scanning the roster; the events of one animation frame are applied in one state replacement,
 * so the list reconciles once per frame; and the sort order is computed again only when the roster
 * or a name changes (a presence change never moves a contact).
 */
class PresenceStore {
  own = $state.raw<Presence>({ state: 'offline' })
  error = $state.raw<UiError | null>(null)
  contactsError = $state.raw<UiError | null>(null)
  /** Contacts by normalized address, in roster order; replaced, never mutated. */
  #byKey = $state.raw<Roster>(new Map())
  /** What the roster is sorted by; replaced only when a contact comes, goes or is renamed. */
  #sortEntries = $state.raw<readonly SortEntry[]>([])
  /** Presence updates not applied yet, by normalized address (the last one wins), oldest first. */
  #pending = new Map<string, ContactPresence>()
  /** One map per roster request in flight: the updates that arrived since it was sent. */
  #inFlight = new Set<Map<string, ContactPresence>>()
  #cancelFlush: (() => void) | null = null
  #unsubscribers: (() => void)[] = []

  readonly #contacts = $derived([...this.#byKey.values()])
  readonly #keys = $derived(new Set(this.#sortEntries.map((e) => e.key)))
  // One collator for all comparisons, made again only when the UI's language changes.
  readonly #collator = $derived(new Intl.Collator(i18n.language))
  readonly #order = $derived(inDisplayOrder(this.#sortEntries, this.#collator))

  /** Contacts sorted by display name (then address), so the list does not jump around. */
  readonly sorted: ContactView[] = $derived(
    this.#order.flatMap((key) => this.#byKey.get(key) ?? [])
  )

  /** The roster in the order the core gave it. Setting it replaces the whole roster. */
  get contacts(): ContactView[] {
    return this.#contacts
  }

  set contacts(list: readonly ContactView[]) {
    this.#setRoster(list, new Map())
  }

  async start(): Promise<void> {
    if (this.#unsubscribers.length === 0)
      this.#unsubscribers = [
        api.presence.onChanged((update) => this.#queue(update)),
        // Set in another window (or restored after a reconnect): follow it here too.
        api.presence.onOwnChanged((own) => {
          this.own = own
        })
      ]
    const own = await settle(
      () => api.presence.get(),
      (e) => (this.error = e)
    )
    if (own) this.own = own
    await this.loadContacts()
  }

  async loadContacts(): Promise<void> {
    const [list, since] = await this.#withUpdatesSince(() =>
      settle(
        () => api.contacts.list(),
        (e) => (this.contactsError = e)
      )
    )
    if (list) {
      this.#setRoster(list, since)
      this.contactsError = null
    }
  }

  async setOwn(state: OwnPresenceState, note?: string): Promise<void> {
    this.error = null
    const trimmed = note?.trim()
    const presence = await settle(
      () => api.presence.set(trimmed ? { state, note: trimmed } : { state }),
      (e) => (this.error = e)
    )
    if (presence) this.own = presence
  }

  async add(contact: Contact): Promise<boolean> {
    this.contactsError = null
    const [added, since] = await this.#withUpdatesSince(() =>
      settle(
        () => api.contacts.add(contact),
        (e) => (this.contactsError = e)
      )
    )
    if (!added) return false
    this.#flush()
    const key = normalizeAor(added.uri)
    const view = withUpdate(added, since.get(key))
    // A contact added again goes to the end of the roster, as the core keeps it.
    this.#byKey = rebuilt(this.#byKey, (k, c) => (k === key ? null : c), [[key, view]])
    this.#sortEntries = [...this.#sortEntries.filter((e) => e.key !== key), sortEntry(key, view)]
    return true
  }

  async remove(uri: string): Promise<void> {
    this.contactsError = null
    const result = await settle(
      () => api.contacts.remove({ uri }),
      (e) => (this.contactsError = e)
    )
    if (!result) return
    const key = this.#keyOf(uri)
    if (!this.#byKey.has(key)) return
    this.#byKey = rebuilt(this.#byKey, (k, c) => (k === key ? null : c))
    this.#sortEntries = this.#sortEntries.filter((e) => e.key !== key)
    this.#pending.delete(key)
  }

  /** Sets a contact's unread count locally (the IM store tells us; the core owns the truth). */
  setUnread(uri: string, unread: number): void {
    const key = this.#keyOf(uri)
    const contact = this.#byKey.get(key)
    if (!contact || contact.unread === unread) return
    this.#byKey = rebuilt(this.#byKey, (k, c) => (k === key ? { ...c, unread } : c))
  }

  /** The contact with this address (any spelling the core would take as the same), if any. */
  find(uri: string): ContactView | undefined {
    return this.#byKey.get(this.#keyOf(uri))
  }

  /**
   * True when this address is in the roster. Unlike `find`, it does not depend on presence, so a
   * derived value that only asks "is this a contact?" is not recomputed by presence updates.
   */
  has(uri: string): boolean {
    return this.#keys.has(this.#keyOf(uri))
  }

  stop(): void {
    for (const off of this.#unsubscribers) off()
    this.#unsubscribers = []
  }

  /**
   * The map key for an address. The core sends normalized addresses, so the regex runs only for
   * other spellings; it reads the roster keys, not presence, so `has` stays presence-free.
   */
  #keyOf(uri: string): string {
    return this.#keys.has(uri) ? uri : normalizeAor(uri)
  }

  /**
   * Runs a request whose answer carries presence (`contacts:list`, `contacts:add`) and returns the
   * answer with the last update per contact that arrived while it was in flight. The core reads
   * presence and then awaits each contact's unread count, so updates sent meanwhile overtake the
   * answer on the wire: they are newer than its copy and must not be lost (a contact would show
   * "waiting for approval" until its next NOTIFY, possibly an hour later).
   */
  async #withUpdatesSince<T>(
    request: () => Promise<T>
  ): Promise<[T, ReadonlyMap<string, ContactPresence>]> {
    const since = new Map<string, ContactPresence>()
    this.#inFlight.add(since)
    try {
      return [await request(), since]
    } finally {
      this.#inFlight.delete(since)
    }
  }

  /** Replaces the roster; `since` are updates newer than `list` (see #withUpdatesSince). */
  #setRoster(list: readonly ContactView[], since: ReadonlyMap<string, ContactPresence>): void {
    // Updates queued before this roster are older than it: apply them to the old one first.
    this.#flush()
    const byKey: Roster = new Map(
      list.map((contact) => {
        const key = normalizeAor(contact.uri)
        return [key, withUpdate(contact, since.get(key))]
      })
    )
    this.#byKey = byKey
    this.#sortEntries = [...byKey].map(([key, contact]) => sortEntry(key, contact))
  }

  #queue(update: ContactPresence): void {
    const key = this.#keyOf(update.uri)
    this.#pending.set(key, update)
    for (const since of this.#inFlight) since.set(key, update)
    if (!this.#cancelFlush)
      this.#cancelFlush = this.#schedule(() => this.#flush(maxUpdatesPerFrame))
  }

  /** Runs `flush` with the next frame, or about a frame later where no frame will come. */
  #schedule(flush: () => void): () => void {
    const visible = typeof document === 'undefined' || document.visibilityState !== 'hidden'
    if (typeof requestAnimationFrame !== 'function' || !visible) {
      const timer = setTimeout(flush, frameMs)
      return () => clearTimeout(timer)
    }
    const frame = requestAnimationFrame(flush)
    const timer = setTimeout(flush, hiddenBackupMs)
    return () => {
      cancelAnimationFrame(frame)
      clearTimeout(timer)
    }
  }

  /**
   * Applies queued presence updates in one state replacement: the oldest `limit` of them, the
   * rest with the next frame (a new roster takes them all first).
   */
  #flush(limit = Number.POSITIVE_INFINITY): void {
    this.#cancelFlush?.()
    this.#cancelFlush = null
    let batch: ReadonlyMap<string, ContactPresence> = this.#pending
    if (this.#pending.size > limit) {
      const taken: [string, ContactPresence][] = []
      for (const entry of this.#pending) {
        if (taken.length >= limit) break
        taken.push(entry)
      }
      for (const [key] of taken) this.#pending.delete(key)
      batch = new Map(taken)
      this.#cancelFlush = this.#schedule(() => this.#flush(maxUpdatesPerFrame))
    } else this.#pending = new Map()
    // An update for an address not (or no longer) in the roster is dropped, as it always was.
    const applies = [...batch.keys()].some((key) => this.#byKey.has(key))
    if (applies)
      this.#byKey = rebuilt(this.#byKey, (key, contact) => withUpdate(contact, batch.get(key)))
  }
}

/** The presence singleton. */
export const presence = new PresenceStore()
