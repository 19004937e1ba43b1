import type {
  Contact,
  ContactPresence,
  ContactView,
  OwnPresenceState,
  Presence
} from '../../../../shared/types/presence'
import { normalizeAor } from '../../../../shared/types/sip'
import { api } from '../api'
import { settle, type UiError } from './result'

/** A subscription with no NOTIFY for this long is shown as possibly out of date. */
export const staleAfterMs = 2 * 60 * 60 * 1000

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

/** Our own presence and the roster with each contact's live presence. */
class PresenceStore {
  own = $state.raw<Presence>({ state: 'offline' })
  contacts = $state.raw<ContactView[]>([])
  error = $state.raw<UiError | null>(null)
  contactsError = $state.raw<UiError | null>(null)
  #unsubscribers: (() => void)[] = []

  /** Contacts sorted by display name (then address), so the list does not jump around. */
  readonly sorted = $derived(
    [...this.contacts].sort((a, b) =>
      (a.displayName ?? a.uri).localeCompare(b.displayName ?? b.uri)
    )
  )

  async start(): Promise<void> {
    if (this.#unsubscribers.length === 0)
      this.#unsubscribers = [
        api.presence.onChanged((update) => this.#apply(update)),
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
    const list = await settle(
      () => api.contacts.list(),
      (e) => (this.contactsError = e)
    )
    if (list) {
      this.contacts = list
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
    const view = await settle(
      () => api.contacts.add(contact),
      (e) => (this.contactsError = e)
    )
    if (!view) return false
    this.contacts = [...this.contacts.filter((c) => !sameUri(c.uri, view.uri)), view]
    return true
  }

  async remove(uri: string): Promise<void> {
    this.contactsError = null
    const result = await settle(
      () => api.contacts.remove({ uri }),
      (e) => (this.contactsError = e)
    )
    if (result) this.contacts = this.contacts.filter((c) => !sameUri(c.uri, uri))
  }

  /** Sets a contact's unread count locally (the IM store tells us; the core owns the truth). */
  setUnread(uri: string, unread: number): void {
    this.contacts = this.contacts.map((c) => (sameUri(c.uri, uri) ? { ...c, unread } : c))
  }

  find(uri: string): ContactView | undefined {
    return this.contacts.find((c) => sameUri(c.uri, uri))
  }

  #apply(update: ContactPresence): void {
    this.contacts = this.contacts.map((c) =>
      sameUri(c.uri, update.uri)
        ? { ...c, presence: update.presence, subscription: update.subscription }
        : c
    )
  }

  stop(): void {
    for (const off of this.#unsubscribers) off()
    this.#unsubscribers = []
  }
}

/** Address comparison as the core does it (scheme and host case-insensitive, user exact). */
export function sameUri(a: string, b: string): boolean {
  return normalizeAor(a) === normalizeAor(b)
}

/** The presence singleton. */
export const presence = new PresenceStore()
