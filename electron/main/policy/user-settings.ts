import { userSettingsSchema, type UserSettings } from '../../../shared/types/policy'
import type { Storage } from '../storage/durable'
import { JsonStore } from '../storage/json-store'

/**
 * The user's own choices for the policy-lockable settings (today: read receipts), kept in one
 * small JSON file in the data folder, written through the one durable path. A damaged file is
 * moved aside and reported (a notice), and the defaults apply until the user chooses again.
 */
export class UserSettingsFile {
  readonly #store: JsonStore<typeof userSettingsSchema>
  #value: UserSettings

  private constructor(store: JsonStore<typeof userSettingsSchema>, value: UserSettings) {
    this.#store = store
    this.#value = value
  }

  /** Loads `path` (missing: no choices yet). */
  static async open(path: string, storage: Partial<Storage> = {}): Promise<UserSettingsFile> {
    const store = new JsonStore(path, userSettingsSchema, () => ({}), {
      file: 'user-settings',
      storage
    })
    const loaded = await store.load()
    if (loaded.error) storage.log?.(`settings: ${loaded.error}`)
    return new UserSettingsFile(store, loaded.value)
  }

  /** The choices as saved. */
  get(): UserSettings {
    return { ...this.#value }
  }

  /** Saves the choices in `patch` durably before they count; rejects (and keeps the old) if not. */
  async set(patch: UserSettings): Promise<void> {
    const next = { ...this.#value, ...patch }
    await this.#store.save(next)
    this.#value = next
  }
}
