import { readFile, rename } from 'node:fs/promises'
import type { z } from 'zod'
import { writeFileAtomic } from './atomic-file'

/** What loading a JSON store found. */
export interface JsonLoad<T> {
  value: T
  /** Set when the file was unreadable or invalid; it was kept aside at `keptAs`. */
  error?: string
  keptAs?: string
}

/**
 * A small JSON file validated by a zod schema. A missing file is the default value; a corrupt or
 * invalid one is renamed aside (nothing is lost) and reported, and the store starts from the
 * default. Writes are atomic (temp file, fsync, rename).
 */
export class JsonStore<S extends z.ZodType> {
  constructor(
    readonly path: string,
    private readonly schema: S,
    private readonly fallback: () => z.output<S>
  ) {}

  async load(): Promise<JsonLoad<z.output<S>>> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { value: this.fallback() }
      return {
        value: this.fallback(),
        error: `${this.path} cannot be read: ${(error as Error).message}`
      }
    }
    let problem: string
    try {
      const parsed = this.schema.safeParse(JSON.parse(text))
      if (parsed.success) return { value: parsed.data }
      problem = parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`)
        .join('; ')
    } catch (error) {
      problem = `not valid JSON (${(error as Error).message})`
    }
    const keptAs = `${this.path}.bad-${Date.now()}`
    await rename(this.path, keptAs).catch(() => undefined)
    return {
      value: this.fallback(),
      error: `${this.path} is damaged: ${problem}. It was kept as ${keptAs} and a fresh one started.`,
      keptAs
    }
  }

  async save(value: z.output<S>): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify(value, null, 2)}\n`)
  }
}
