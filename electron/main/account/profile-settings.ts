import { join } from 'node:path'
import { z } from 'zod'
import { IpcFailure } from '../../../shared/ipc/result'
import { trustedCaSchema, type TrustedCa } from '../../../shared/types/profile'
import { sipUriSchema } from '../../../shared/types/sip'
import { errorCode, storageOf, type Storage } from '../storage/durable'
import { JsonStore } from '../storage/json-store'
import { readCaFile } from './trusted-ca-file'

/** Most CAs one account may add: enough for any honest use, bounded for the anchor set. */
export const MAX_TRUSTED_CAS = 64

const storedCaSchema = trustedCaSchema.extend({
  /** The certificate, DER as base64. */
  der: z.string().min(1).max(400_000)
})
type StoredCa = z.infer<typeof storedCaSchema>

const fileSchema = z.object({
  version: z.literal(1),
  /** Whose profile this is (the folder name alone may be a hash). */
  aor: sipUriSchema,
  displayName: z.string().max(200).optional(),
  trustedCas: z.array(storedCaSchema)
})
type ProfileFile = z.infer<typeof fileSchema>

const publicCa = ({ der: _der, ...ca }: StoredCa): TrustedCa => ({ ...ca })

/**
 * A profile's own settings (`profile.json`): whose it is, the display name last used, and the CA
 * certificates the user added for the account (extra trust anchors, source 'account'). A damaged
 * file is set aside and reported; the valid CAs in it are kept.
 */
export class ProfileSettings {
  readonly path: string
  readonly #store: JsonStore<typeof fileSchema>
  readonly #storage: Storage
  #value: Promise<ProfileFile> | null = null
  #chain: Promise<unknown> = Promise.resolve()

  constructor(
    dir: string,
    readonly aor: string,
    storage?: Partial<Storage>
  ) {
    this.path = join(dir, 'profile.json')
    this.#storage = storageOf(storage)
    const fresh = (): ProfileFile => ({ version: 1, aor, trustedCas: [] })
    this.#store = new JsonStore(this.path, fileSchema, fresh, {
      file: 'profile',
      salvage: (raw) => {
        const list = (raw as { trustedCas?: unknown } | null)?.trustedCas
        const kept = Array.isArray(list)
          ? list.flatMap((c) => {
              const parsed = storedCaSchema.safeParse(c)
              return parsed.success ? [parsed.data] : []
            })
          : []
        return { value: { ...fresh(), trustedCas: kept }, kept: kept.length }
      },
      ...(storage ? { storage } : {})
    })
  }

  /** The display name last used for this account, if any. */
  async displayName(): Promise<string | undefined> {
    return (await this.#load()).displayName
  }

  /**
   * Records whose profile this is (on its first use) and the display name given at sign-in; writes
   * only when something changed. Without a name the one on file stays.
   */
  record(displayName?: string): Promise<void> {
    return this.#serial(async () => {
      const current = await this.#load()
      if (
        (await this.#onDisk()) &&
        (displayName === undefined || displayName === current.displayName)
      )
        return
      await this.#save({ ...current, ...(displayName !== undefined ? { displayName } : {}) })
    })
  }

  /** The CAs the user added, oldest first. */
  async trustedCas(): Promise<TrustedCa[]> {
    return (await this.#load()).trustedCas.map(publicCa)
  }

  /** The CAs the user added, as the trust engine takes them. */
  async trustedCaDer(): Promise<Buffer[]> {
    return (await this.#load()).trustedCas.map((c) => Buffer.from(c.der, 'base64'))
  }

  /**
   * Adds the CA certificate(s) of a file (checked by readCaFile); one already there is kept as it
   * was. Resolves once stored.
   */
  addCas(fileName: string, bytes: Buffer, now = new Date()): Promise<TrustedCa[]> {
    const read = readCaFile(fileName, bytes)
    return this.#serial(async () => {
      const current = await this.#load()
      const known = new Set(current.trustedCas.map((c) => c.sha256))
      const added: StoredCa[] = read
        .filter((c) => !known.has(c.sha256))
        .map((c) => ({
          sha256: c.sha256,
          subject: c.subject,
          fileName,
          addedAt: now.toISOString(),
          der: c.der.toString('base64')
        }))
      const trustedCas = [...current.trustedCas, ...added]
      if (trustedCas.length > MAX_TRUSTED_CAS) {
        throw new IpcFailure(
          'ca-file-invalid',
          `An account can have at most ${MAX_TRUSTED_CAS} CA certificates of its own; remove some first.`
        )
      }
      if (added.length) await this.#save({ ...current, trustedCas })
      return trustedCas.map(publicCa)
    })
  }

  /** Removes a CA by its SHA-256 (any case, with or without colons); false if it was not there. */
  removeCa(sha256: string): Promise<boolean> {
    const wanted = sha256.replace(/:/g, '').toUpperCase()
    return this.#serial(async () => {
      const current = await this.#load()
      const trustedCas = current.trustedCas.filter(
        (c) => c.sha256.replace(/:/g, '').toUpperCase() !== wanted
      )
      if (trustedCas.length === current.trustedCas.length) return false
      await this.#save({ ...current, trustedCas })
      return true
    })
  }

  async #onDisk(): Promise<boolean> {
    try {
      await this.#storage.fs.stat(this.path)
      return true
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false
      throw error
    }
  }

  #load(): Promise<ProfileFile> {
    if (!this.#value) {
      const loading = this.#store.load().then(({ value }) => value)
      this.#value = loading
      loading.catch(() => {
        if (this.#value === loading) this.#value = null
      })
    }
    return this.#value
  }

  /** Stores `next`; it is what the settings answer only once it is durable. */
  async #save(next: ProfileFile): Promise<void> {
    await this.#store.save({ ...next, aor: this.aor })
    this.#value = Promise.resolve({ ...next, aor: this.aor })
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(op, op)
    this.#chain = next.catch(() => undefined)
    return next
  }
}
