import { join } from 'node:path'
import { z } from 'zod'
import { contactSchema, type Contact } from '../../../shared/types/presence'
import { normalizeAor } from '../../../shared/types/sip'
import type { Storage } from './durable'
import { JsonStore, salvageList } from './json-store'

const fileSchema = z.object({ version: z.literal(1), contacts: z.array(contactSchema) })

/**
 * The roster, stored as one JSON file replaced atomically on every change. A damaged file is
 * moved aside (the valid contacts in it kept) and reported; it never stops the roster.
 */
export class ContactsStore {
  readonly path: string
  readonly #store: JsonStore<typeof fileSchema>
  #contacts: Promise<Contact[]> | null = null
  #chain: Promise<unknown> = Promise.resolve()

  constructor(dir: string, storage?: Partial<Storage>) {
    this.path = join(dir, 'contacts.json')
    this.#store = new JsonStore(
      this.path,
      fileSchema,
      () => ({ version: 1 as const, contacts: [] }),
      {
        file: 'contacts',
        salvage: salvageList('contacts', contactSchema, (contacts) => ({
          version: 1 as const,
          contacts
        })),
        ...(storage ? { storage } : {})
      }
    )
  }

  /** All contacts, loading the file on first use (a missing file is an empty roster). */
  async list(): Promise<Contact[]> {
    if (!this.#contacts) {
      const loading = this.#store.load().then(({ value }) => {
        const seen = new Map<string, Contact>()
        for (const c of value.contacts) {
          seen.set(normalizeAor(c.uri), { ...c, uri: normalizeAor(c.uri) })
        }
        return [...seen.values()]
      })
      this.#contacts = loading
      // A load that failed (only a bug makes it) is tried again next time.
      loading.catch(() => {
        if (this.#contacts === loading) this.#contacts = null
      })
    }
    return [...(await this.#contacts)]
  }

  /** Adds a contact or updates its display name; returns the stored entry. */
  add(contact: Contact): Promise<Contact> {
    return this.#serial(async () => {
      const uri = normalizeAor(contact.uri)
      const entry: Contact = contact.displayName
        ? { uri, displayName: contact.displayName }
        : { uri }
      const list = (await this.list()).filter((c) => c.uri !== uri)
      list.push(entry)
      await this.#save(list)
      return entry
    })
  }

  /** Removes a contact; returns whether it was there. */
  remove(uri: string): Promise<boolean> {
    return this.#serial(async () => {
      const key = normalizeAor(uri)
      const list = await this.list()
      const next = list.filter((c) => c.uri !== key)
      if (next.length === list.length) return false
      await this.#save(next)
      return true
    })
  }

  /** Stores the new roster; only once it is durable does the store answer with it. */
  async #save(list: Contact[]): Promise<void> {
    await this.#store.save({ version: 1, contacts: list })
    this.#contacts = Promise.resolve(list)
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(op, op)
    this.#chain = next.catch(() => undefined)
    return next
  }
}
