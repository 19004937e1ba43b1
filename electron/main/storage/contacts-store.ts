import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { contactSchema, type Contact } from '../../../shared/types/presence'
import { normalizeAor } from '../../../shared/types/sip'
import { writeFileAtomic } from './atomic-file'

const fileSchema = z.object({ version: z.literal(1), contacts: z.array(contactSchema) })

/** Thrown when the contacts file exists but cannot be read as our format. */
export class ContactsFileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ContactsFileError'
  }
}

/** The roster, stored as one JSON file replaced atomically on every change. */
export class ContactsStore {
  readonly path: string
  #contacts: Contact[] | null = null
  #chain: Promise<unknown> = Promise.resolve()

  constructor(dir: string) {
    this.path = join(dir, 'contacts.json')
  }

  /** All contacts, loading the file on first use (a missing file is an empty roster). */
  async list(): Promise<Contact[]> {
    if (this.#contacts) return [...this.#contacts]
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.#contacts = []
        return []
      }
      throw error
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new ContactsFileError(`${this.path} is not valid JSON`)
    }
    const result = fileSchema.safeParse(parsed)
    if (!result.success) throw new ContactsFileError(`${this.path} is not a contacts file`)
    this.#contacts = result.data.contacts.map((c) => ({ ...c, uri: normalizeAor(c.uri) }))
    return [...this.#contacts]
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

  async #save(list: Contact[]): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify({ version: 1, contacts: list }, null, 2)}\n`)
    this.#contacts = list
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(op, op)
    this.#chain = next.catch(() => undefined)
    return next
  }
}
