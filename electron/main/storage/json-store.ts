import { IpcFailure } from '../../../shared/ipc/result'
import type { Damage, DataFile } from '../../../shared/types/notice'
import type { z } from 'zod'
import {
  errorCode,
  errorDetail,
  removeStaleTemps,
  setAside,
  storageOf,
  writeFailed,
  writeFileAtomic,
  type Storage
} from './durable'

/** Larger than any file of ours can honestly be: not read, treated as damaged. */
const MAX_JSON_BYTES = 32 * 1024 * 1024

/** What loading a JSON store found. */
export interface JsonLoad<T> {
  value: T
  /** Set when the file was damaged (for logs; the user gets a notice). */
  error?: string
  /** Where the damaged file was moved. */
  keptAs?: string
}

/** Options of a JSON store. */
export interface JsonStoreOptions<T> {
  /** Which file this is, for notices. */
  file: DataFile
  /**
   * What can still be used from a file that is JSON but not valid as a whole (say, one bad entry
   * in a list): the value and how many entries it keeps. Null when nothing can.
   */
  salvage?: (raw: unknown) => { value: T; kept: number } | null
  storage?: Partial<Storage>
}

/**
 * The salvage of a list file: the entries of `raw[key]` that `item` accepts, made into the
 * file's value by `wrap`. Nothing when `raw[key]` is not an array.
 */
export function salvageList<T, V>(key: string, item: z.ZodType<T>, wrap: (items: T[]) => V) {
  return (raw: unknown): { value: V; kept: number } | null => {
    const list = (raw as Record<string, unknown> | null)?.[key]
    if (!Array.isArray(list)) return null
    const kept = list.flatMap((entry) => {
      const parsed = item.safeParse(entry)
      return parsed.success ? [parsed.data] : []
    })
    return { value: wrap(kept), kept: kept.length }
  }
}

/**
 * A small JSON file validated by a zod schema, read and written through the one persistence path
 * (storage/durable). A missing file is the default value. A damaged one (not JSON, not our
 * format, unreadable) is moved aside under a new timestamped name, never deleted or reset in
 * place; what can be salvaged is kept and stored again, and the user gets a notice naming the
 * file, the backup and what was kept. When even moving it aside fails, the file is left alone and
 * every save is refused, so it is never overwritten. Temp files of interrupted saves are removed
 * on first load.
 */
export class JsonStore<S extends z.ZodType> {
  readonly #storage: Storage
  #swept: Promise<void> | null = null
  /** Loads run one at a time, so a damaged file is moved aside once. */
  #loading: Promise<unknown> = Promise.resolve()
  /** Why saving is refused (a damaged file that could not be moved aside), or null. */
  #blocked: string | null = null

  constructor(
    readonly path: string,
    private readonly schema: S,
    private readonly fallback: () => z.output<S>,
    private readonly options: JsonStoreOptions<z.output<S>>
  ) {
    this.#storage = storageOf(options.storage)
  }

  load(): Promise<JsonLoad<z.output<S>>> {
    const next = this.#loading.then(() => this.#load())
    this.#loading = next.catch(() => undefined)
    return next
  }

  async #load(): Promise<JsonLoad<z.output<S>>> {
    const { fs, log } = this.#storage
    this.#swept ??= removeStaleTemps(fs, this.path).then((n) => {
      if (n) log(`removed ${n} temp file(s) of interrupted writes of ${this.path}`)
    })
    await this.#swept
    let text: string
    try {
      const stat = await fs.stat(this.path)
      if (stat.size > MAX_JSON_BYTES) {
        return await this.#damaged('invalid', `larger than ${MAX_JSON_BYTES} bytes`, null)
      }
      text = (await fs.readFile(this.path)).toString('utf8')
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { value: this.fallback() }
      return this.#damaged('unreadable', errorDetail(error), null)
    }
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch (error) {
      return this.#damaged('not-json', errorDetail(error), null)
    }
    const parsed = this.schema.safeParse(raw)
    if (parsed.success) return { value: parsed.data }
    const problem = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`)
      .join('; ')
    return this.#damaged('invalid', problem, this.options.salvage?.(raw) ?? null)
  }

  async save(value: z.output<S>): Promise<void> {
    if (this.#blocked) throw new IpcFailure('storage-failed', this.#blocked)
    try {
      await writeFileAtomic(this.#storage.fs, this.path, `${JSON.stringify(value, null, 2)}\n`)
    } catch (error) {
      throw writeFailed(this.#storage, this.options.file, this.path, error)
    }
  }

  async #damaged(
    damage: Damage,
    detail: string,
    salvaged: { value: z.output<S>; kept: number } | null
  ): Promise<JsonLoad<z.output<S>>> {
    const value = salvaged?.value ?? this.fallback()
    const kept = salvaged?.kept ?? 0
    let keptAs: string
    try {
      keptAs = await setAside(this.#storage, {
        file: this.options.file,
        path: this.path,
        damage,
        detail,
        kept
      })
    } catch (error) {
      this.#blocked = `${this.path} is damaged and could not be moved aside (${errorDetail(error)}); it is left as it is and nothing is saved over it.`
      return { value, error: this.#blocked }
    }
    // What was kept is stored again so the next start finds a valid file (a failure here is
    // already a notice of its own; the value is still used in this run).
    if (salvaged) await this.save(value).catch(() => undefined)
    return {
      value,
      error: `${this.path} is damaged (${damage}: ${detail}); it was kept as ${keptAs}, ${kept} entries kept.`,
      keptAs
    }
  }
}
