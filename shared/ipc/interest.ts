import { z } from 'zod'
import { eventNames, type EventName } from './contract'

/**
 * Event interest: a page says which event channels it listens to, and the host sends it only
 * those. Without it every event went to every page: a presence storm streamed ~4,000 SIP log
 * entries (4 MB of JSON) to a page whose SIP ladder was not even open.
 */

/** Fixed IPC channel (Electron) on which the preload reports interest; not part of the contract. */
export const EVENT_INTEREST_CHANNEL = 'trustline:event-interest'

/** One change of interest: start or stop receiving `channel`. */
export const interestSchema = z.object({
  channel: z.enum(eventNames as [EventName, ...EventName[]]),
  on: z.boolean()
})

/** One change of interest. */
export type Interest = z.infer<typeof interestSchema>

/**
 * What the preload may send on EVENT_INTEREST_CHANNEL: a change of interest, or `reset` when a
 * page (re)loads, so a reloaded window does not keep the channels its previous page wanted.
 */
export const interestMessageSchema = z.union([interestSchema, z.object({ reset: z.literal(true) })])

/**
 * Listeners per event channel on the page side. Reports a channel's first listener (`on`) and
 * its last one leaving (`off`), so the adapter tells the host exactly when interest changes.
 */
export class ListenerRegistry {
  readonly #listeners = new Map<EventName, Set<(payload: unknown) => void>>()

  constructor(private readonly onChange: (interest: Interest) => void) {}

  /** Adds a listener; returns the function that removes it. */
  add(channel: EventName, listener: (payload: unknown) => void): () => void {
    let set = this.#listeners.get(channel)
    if (!set) {
      set = new Set()
      this.#listeners.set(channel, set)
    }
    // Each add is its own registration, even of the same function, and is removed on its own.
    const wrapped = (payload: unknown) => listener(payload)
    set.add(wrapped)
    if (set.size === 1) this.onChange({ channel, on: true })
    return () => {
      if (!set.delete(wrapped)) return
      if (set.size === 0) {
        this.#listeners.delete(channel)
        this.onChange({ channel, on: false })
      }
    }
  }

  /** Delivers a payload to the channel's listeners. */
  emit(channel: string, payload: unknown): void {
    for (const listener of this.#listeners.get(channel as EventName) ?? []) listener(payload)
  }
}

/** The host side: which channels each client (page, socket) wants. */
export class EventInterest<Client> {
  readonly #wanted = new Map<Client, Set<EventName>>()

  /** Applies one change of interest from `client`. */
  set(client: Client, interest: Interest): void {
    let set = this.#wanted.get(client)
    if (!set) {
      set = new Set()
      this.#wanted.set(client, set)
    }
    if (interest.on) set.add(interest.channel)
    else set.delete(interest.channel)
  }

  /** Whether `client` listens to `channel`. */
  wants(client: Client, channel: EventName): boolean {
    return this.#wanted.get(client)?.has(channel) ?? false
  }

  /** The client is gone. */
  forget(client: Client): void {
    this.#wanted.delete(client)
  }

  /** Clients that asked for something. */
  clients(): Client[] {
    return [...this.#wanted.keys()]
  }
}
