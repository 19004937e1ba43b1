import { join } from 'node:path'
import {
  errorCode,
  makePrivateDir,
  PRIVATE_FILE_MODE,
  storageOf,
  syncDir,
  type Storage
} from '../storage/durable'
import { AccountStore } from './account-store'

/**
 * What an earlier version kept at the top of the data folder for its one user, in the order they
 * are moved: `account.json` last, because it says whose the rest is, so a move cut short by a
 * crash is finished for the same account on the next start. Trust exceptions stay where they are:
 * they describe servers, not people.
 */
export const LEGACY_ITEMS = ['contacts.json', 'domain-decisions.json', 'history', 'account.json']

/** What migrating found and did. */
export interface MigrationResult {
  /** The items moved (file and folder names), empty when there was nothing to migrate. */
  moved: string[]
  /**
   * The account the data belongs to: the one "remember me" kept, which the new profile remembers
   * too. Null when nobody knows.
   */
  owner: string | null
  /** The profile folder the data went to. */
  dir: string | null
}

async function exists(storage: Storage, path: string): Promise<boolean> {
  try {
    await storage.fs.stat(path)
    return true
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false
    throw error
  }
}

/**
 * Moves `from` to `to` by rename (one step on the same file system, so a crash leaves it in one
 * place or the other). Where `to` exists already, `from` is kept next to it under a new name
 * (`<name>.earlier-<UTC time>`) rather than overwriting either.
 */
async function moveInto(storage: Storage, from: string, to: string, now: Date): Promise<void> {
  let target = to
  if (await exists(storage, to)) {
    const stamp = now.toISOString().replace(/[:.]/g, '-')
    for (let n = 1; ; n++) {
      target = `${to}.earlier-${stamp}${n > 1 ? `-${n}` : ''}`
      if (!(await exists(storage, target))) break
    }
  }
  await storage.fs.rename(from, target)
}

/** Makes a moved file, or a moved history folder and its files, the user's alone. */
async function makePrivate(storage: Storage, path: string): Promise<void> {
  if (process.platform === 'win32') return
  const { fs } = storage
  if ((await fs.stat(path)).isDirectory()) {
    await makePrivateDir(fs, path)
    for (const name of await fs.readdir(path)) {
      await fs.chmod(join(path, name), PRIVATE_FILE_MODE).catch(() => undefined)
    }
  } else {
    await fs.chmod(path, PRIVATE_FILE_MODE)
  }
}

/**
 * Moves the single profile of an earlier version (its files at the top of `dataDir`) into a
 * profile folder: the remembered account's (`account.json`) when there is one, else `unclaimed`,
 * which the first sign-in claims. History files do not say whose they are (only the peer's
 * address is in them), so without a remembered account the owner is unknown.
 *
 * `folderOf` names an account's folder. A damaged `account.json` is set aside (and reported) by
 * the account store as ever, and the data goes to `unclaimed`.
 */
export async function migrateLegacyProfile(options: {
  dataDir: string
  folderOf: (aor: string) => string
  unclaimed: string
  storage?: Partial<Storage>
  now?: Date
}): Promise<MigrationResult> {
  const storage = storageOf(options.storage)
  const now = options.now ?? new Date()
  const present: string[] = []
  for (const name of LEGACY_ITEMS) {
    if (await exists(storage, join(options.dataDir, name))) present.push(name)
  }
  if (present.length === 0) return { moved: [], owner: null, dir: null }
  let owner: string | null = null
  if (present.includes('account.json')) {
    const legacy = new AccountStore(options.dataDir, null, storage)
    owner = (await legacy.saved())?.aor ?? null
  }
  const dir = owner ? options.folderOf(owner) : options.unclaimed
  await makePrivateDir(storage.fs, dir)
  const moved: string[] = []
  for (const name of present) {
    const from = join(options.dataDir, name)
    // Set aside as damaged by the account store just now: nothing left to move.
    if (!(await exists(storage, from))) continue
    await moveInto(storage, from, join(dir, name), now)
    moved.push(name)
  }
  for (const name of moved) await makePrivate(storage, join(dir, name)).catch(() => undefined)
  await syncDir(storage.fs, dir)
  await syncDir(storage.fs, options.dataDir)
  return { moved, owner, dir }
}
