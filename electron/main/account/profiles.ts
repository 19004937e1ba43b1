import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { z } from 'zod'
import { IpcFailure } from '../../../shared/ipc/result'
import type { SavedAccount, VaultStatus } from '../../../shared/types/account'
import type {
  ConversationSummary,
  History,
  ImFailure,
  ImMessage,
  ImState
} from '../../../shared/types/im'
import type { Contact } from '../../../shared/types/presence'
import type { ProfileView } from '../../../shared/types/profile'
import { normalizeAor, parseAor, sipUriSchema } from '../../../shared/types/sip'
import type { ImHistory } from '../sip/im'
import { ContactsStore } from '../storage/contacts-store'
import { errorCode, makePrivateDir, storageOf, syncDir, type Storage } from '../storage/durable'
import { HistoryStore } from '../storage/history-store'
import { JsonStore } from '../storage/json-store'
import { AccountStore, vaultStatusOf, type SecretVault } from './account-store'
import { migrateLegacyProfile } from './profile-migration'
import { ProfileSettings } from './profile-settings'

/** The folder under the data folder that holds one folder per account. */
export const PROFILES_FOLDER = 'profiles'

/**
 * The profile of an earlier version whose owner nobody knows, until the first sign-in claims it.
 * No account's folder can have this name: every one holds an `@`.
 */
export const UNCLAIMED_FOLDER = 'migrated'

/**
 * The folder name of an account's profile: `user@domain` as it is when that is plain lower-case
 * ASCII (the usual case, readable for the helpdesk), else a readable part and a hash of the exact
 * address. The hash keeps addresses apart that a case-insensitive file system (Windows, macOS)
 * would otherwise merge: the user part is case-sensitive (RFC 3261 §19.1.4). `sip:` and `sips:`
 * of one address are one account.
 */
export function profileFolderName(aor: string): string {
  const parsed = parseAor(aor)
  const key = parsed ? `${parsed.user}@${parsed.domain}` : aor.trim()
  if (/^[a-z0-9][a-z0-9._+-]*@[a-z0-9][a-z0-9.-]*$/.test(key) && key.length <= 120) return key
  const readable = key
    .toLowerCase()
    .replace(/[^a-z0-9._@+-]/g, '_')
    .replace(/^\./, '_')
    .slice(0, 80)
  return `${readable}~${createHash('sha256').update(key).digest('hex').slice(0, 12)}`
}

/** One account's data, each store in the account's folder. */
export interface Profile {
  readonly aor: string
  readonly dir: string
  readonly contacts: ContactsStore
  readonly history: HistoryStore
  /** "Remember me": the account and its password sealed by the OS keychain. */
  readonly account: AccountStore
  /** Display name and the CA certificates the user added for this account. */
  readonly settings: ProfileSettings
}

const indexSchema = z.object({
  version: z.literal(1),
  /** The account "remember me" kept: its data is shown before anyone signs in. */
  remembered: sipUriSchema.nullable()
})

/** Options of the profiles. */
export interface ProfilesOptions {
  /** The data folder: `profiles/<account>/` goes in it, next to the trust exceptions. */
  dataDir: string
  vault: SecretVault | null
  /** How every file is written (notices, a test's file system). */
  storage?: Partial<Storage>
  /**
   * Another account's data is shown now (or none): resolves once what follows from it is ready
   * (the session watching the new roster, the renderer told).
   */
  onChanged?: (profile: Profile | null, view: ProfileView | null) => Promise<void> | void
  log?: (message: string, error?: unknown) => void
}

const emptyHistory = (conversation: string): History => ({
  conversation: normalizeAor(conversation),
  messages: [],
  unread: 0,
  recoveredTornLine: false,
  hasOlder: false
})

/**
 * One profile per SIP account under `<data>/profiles/<account>/`: contacts, history (and with it
 * the unread state), remembered DNS-hijack answers, "remember me" and the account's own CAs.
 * Folders are the user's alone (0700), files too (0600), all written through storage/durable.
 *
 * Exactly one profile is *shown* at a time (or none): the account signing in or signed in, and
 * before any sign-in the remembered account's. Everything that reads or writes account data goes
 * through this class's ports (`contacts`, `history`; domain decisions follow `active`), so they
 * always answer for the profile shown and nothing can land in another account's files. A message
 * is bound to the profile it was written to: its later state changes go to the same file even if
 * another account's data is shown by then.
 *
 * On first start the single profile of an earlier version is moved in (see profile-migration.ts).
 */
export class Profiles {
  readonly dataDir: string
  /** `<data>/profiles` */
  readonly root: string
  readonly #o: ProfilesOptions
  readonly #storage: Storage
  readonly #log: (message: string, error?: unknown) => void
  readonly #index: JsonStore<typeof indexSchema>
  readonly #opened = new Map<string, Profile>()
  /** An earlier profile taken by a sign-in whose outcome is not known yet (see settleClaim). */
  #pendingClaim: { aor: string; dir: string } | null = null
  /** The profile the last sign-in opened (see `signedIn`). */
  #chosen: Profile | null = null
  /** Which profile each message of this run was written to. */
  readonly #owners = new Map<string, Profile>()
  #active: Profile | null = null
  #view: ProfileView | null = null
  #ready: Promise<void> | null = null
  /** Changes of the profile shown, one at a time. */
  #chain: Promise<unknown> = Promise.resolve()

  constructor(options: ProfilesOptions) {
    this.#o = options
    this.dataDir = options.dataDir
    this.root = join(options.dataDir, PROFILES_FOLDER)
    this.#storage = storageOf(options.storage)
    this.#log = options.log ?? (() => undefined)
    this.#index = new JsonStore(
      join(options.dataDir, 'profiles.json'),
      indexSchema,
      () => ({ version: 1 as const, remembered: null }),
      { file: 'profiles', storage: this.#storage }
    )
  }

  /** The profile shown, or null. */
  get active(): Profile | null {
    return this.#active
  }

  /**
   * The profile shown because someone signed in (or is signing in) with it in this run; null
   * when the profile shown is only the remembered account's, before anyone typed its password.
   */
  get signedIn(): Profile | null {
    return this.#active === this.#chosen ? this.#chosen : null
  }

  /** Whose data is shown, as the renderer sees it. */
  get view(): ProfileView | null {
    return this.#view
  }

  /** The folder of an account's profile. */
  folderOf(aor: string): string {
    return join(this.root, profileFolderName(aor))
  }

  /**
   * Moves an earlier version's data into its profile (once), then shows the remembered account's
   * profile. Safe to call again; never rejects (what went wrong is logged and, for files, a
   * notice), so nothing waiting for it hangs.
   */
  start(): Promise<void> {
    this.#ready ??= this.#serial(async () => {
      try {
        await this.#migrate()
      } catch (error) {
        this.#log('moving the earlier profile into its own folder failed', error)
      }
      await this.#activate(await this.#rememberedProfile())
    }).catch((error: unknown) => this.#log('opening the remembered profile failed', error))
    return this.#ready
  }

  /**
   * Shows `aor`'s profile from now on, for a sign-in: its folder is made if new, claiming the
   * earlier version's unclaimed profile if there is one; the display name is recorded.
   */
  async open(aor: string, displayName?: string): Promise<Profile> {
    await this.start()
    return this.#serial(async () => {
      const canonical = parseAor(aor)?.aor ?? aor
      await this.#claimUnclaimed(canonical)
      const profile = this.#profileOf(canonical)
      await makePrivateDir(this.#storage.fs, profile.dir)
      await profile.settings.record(displayName)
      await this.#activate(profile)
      this.#chosen = profile
      return profile
    })
  }

  /** After a sign-out: show the remembered account's profile, or none. */
  async showRemembered(): Promise<void> {
    await this.start()
    await this.#serial(async () => {
      this.#chosen = null
      await this.#activate(await this.#rememberedProfile())
    })
  }

  /** Whether passwords can be kept here. */
  vaultStatus(): Promise<VaultStatus> {
    return vaultStatusOf(this.#o.vault)
  }

  /** The remembered account (never its password), or null. */
  async remembered(): Promise<SavedAccount | null> {
    await this.start()
    const aor = (await this.#index.load()).value.remembered
    return aor ? this.#profileOf(aor).account.saved() : null
  }

  /**
   * Remembers the account in its profile (the password only if the OS keychain can seal it) and
   * makes it the one shown before sign-in. Another account remembered before is forgotten with its
   * password: one account is remembered per computer user, as before profiles.
   */
  async remember(
    account: Omit<SavedAccount, 'hasSavedPassword'>,
    password: string | null
  ): Promise<{ account: SavedAccount; refused: string | null }> {
    const profile = this.#profileOf(account.aor)
    const result = await profile.account.remember({ ...account, aor: profile.aor }, password)
    const previous = (await this.#index.load()).value.remembered
    if (previous !== profile.aor) {
      await this.#index.save({ version: 1, remembered: profile.aor })
      if (previous) await this.#profileOf(previous).account.forget()
    }
    return result
  }

  /** The kept password of the remembered account `aor`, or null. */
  async password(aor: string): Promise<string | null> {
    const remembered = (await this.#index.load()).value.remembered
    const canonical = parseAor(aor)?.aor ?? aor
    if (!remembered || remembered !== canonical) return null
    return this.#profileOf(remembered).account.password(remembered)
  }

  /** Forgets the remembered account and its password; its data stays in its profile. */
  async forget(): Promise<boolean> {
    const remembered = (await this.#index.load()).value.remembered
    if (!remembered) return false
    const had = await this.#profileOf(remembered).account.forget()
    await this.#index.save({ version: 1, remembered: null })
    return had
  }

  /** The roster of the profile shown (none: empty, and nothing can be added). */
  readonly contacts = {
    list: async (): Promise<Contact[]> => {
      await this.start()
      return this.#active ? this.#active.contacts.list() : []
    },
    add: async (contact: Contact): Promise<Contact> =>
      (await this.#required('keep contacts')).contacts.add(contact),
    remove: async (uri: string): Promise<boolean> => {
      await this.start()
      return this.#active ? this.#active.contacts.remove(uri) : false
    }
  }

  /**
   * The history of the profile shown, as the IM handlers and the session's IM service use it.
   * Writes bind to the profile shown when they are made (read synchronously, before any await).
   */
  readonly history: Omit<ImHistory, 'history'> & {
    history(conversation: string, limit?: number, before?: string): Promise<History>
    markRead(conversation: string): Promise<void>
    unread(conversation: string): Promise<number>
    summaries(): Promise<ConversationSummary[]>
  } = {
    history: async (conversation, limit, before) => {
      await this.start()
      const profile = this.#active
      return profile
        ? profile.history.history(conversation, limit, before)
        : emptyHistory(conversation)
    },
    markRead: async (conversation) => {
      await this.start()
      await this.#active?.history.markRead(conversation)
    },
    unread: async (conversation) => {
      await this.start()
      return this.#active ? this.#active.history.unread(conversation) : 0
    },
    summaries: async () => {
      await this.start()
      return this.#active ? this.#active.history.summaries() : []
    },
    append: (message: ImMessage) => {
      const profile = this.#active
      if (!profile) {
        return Promise.reject(new IpcFailure('not-signed-in', 'Sign in before sending messages.'))
      }
      this.#owners.set(message.id, profile)
      return profile.history.append(message)
    },
    updateState: async (
      conversation: string,
      id: string,
      state: ImState,
      failure?: ImFailure
    ): Promise<ImMessage | undefined> => {
      const profile = this.#owners.get(id) ?? this.#active
      if (!profile) return undefined
      const updated = await profile.history.updateState(conversation, id, state, failure)
      if (state === 'accepted' || state === 'failed') this.#owners.delete(id)
      return updated
    },
    // A receipt names a message we sent: it is in the profile that message was written to.
    message: (conversation: string, id: string) => {
      const profile = this.#owners.get(id) ?? this.#active
      return profile ? profile.history.message(conversation, id) : Promise.resolve(undefined)
    },
    findReceived: (conversation: string, dedupeKey: string) => {
      const profile = this.#active
      return profile
        ? profile.history.findReceived(conversation, dedupeKey)
        : Promise.resolve(undefined)
    }
  }

  /** The profile shown; refuses (not-signed-in) when none is. */
  async #required(what: string): Promise<Profile> {
    await this.start()
    if (!this.#active) {
      throw new IpcFailure('not-signed-in', `Sign in to ${what}: they belong to your account.`)
    }
    return this.#active
  }

  /** The profile of `aor`, its stores made once per run. */
  #profileOf(aor: string): Profile {
    const canonical = parseAor(aor)?.aor ?? aor
    const dir = this.folderOf(canonical)
    let profile = this.#opened.get(dir)
    if (!profile) {
      const storage = this.#storage
      profile = {
        aor: canonical,
        dir,
        contacts: new ContactsStore(dir, storage),
        history: new HistoryStore(dir, storage),
        account: new AccountStore(dir, this.#o.vault, storage),
        settings: new ProfileSettings(dir, canonical, storage)
      }
      this.#opened.set(dir, profile)
    }
    return profile
  }

  async #rememberedProfile(): Promise<Profile | null> {
    const aor = (await this.#index.load()).value.remembered
    if (!aor || !(await this.#exists(this.folderOf(aor)))) return null
    return this.#profileOf(aor)
  }

  async #activate(profile: Profile | null): Promise<void> {
    const name = profile ? await profile.settings.displayName() : undefined
    const view: ProfileView | null = profile
      ? { aor: profile.aor, ...(name ? { displayName: name } : {}) }
      : null
    const same =
      profile === this.#active &&
      view?.aor === this.#view?.aor &&
      view?.displayName === this.#view?.displayName
    this.#active = profile
    this.#view = view
    if (!same) await this.#o.onChanged?.(profile, view)
  }

  /** Moves an earlier version's single profile into its folder and says so. */
  async #migrate(): Promise<void> {
    const result = await migrateLegacyProfile({
      dataDir: this.dataDir,
      folderOf: (aor) => this.folderOf(aor),
      unclaimed: join(this.root, UNCLAIMED_FOLDER),
      storage: this.#storage
    })
    const detail = result.dir ? `moved ${result.moved.join(', ')} from ${this.dataDir}` : null
    if (result.dir) this.#log(`earlier profile: ${detail} to ${result.dir}`)
    if (result.owner && result.dir) {
      const profile = this.#profileOf(result.owner)
      await profile.settings.record()
      await this.#index.save({ version: 1, remembered: profile.aor })
      this.#storage.notices.raise({
        code: 'profile-migrated',
        params: { aor: profile.aor, path: result.dir, detail: detail ?? '' }
      })
    }
    // Said at every start until someone signs in and takes it.
    const unclaimed = join(this.root, UNCLAIMED_FOLDER)
    if (await this.#exists(unclaimed)) {
      this.#storage.notices.raise({
        code: 'profile-unclaimed',
        params: { path: unclaimed, detail: detail ?? 'kept since an earlier start' }
      })
    }
  }

  /**
   * The first sign-in of an account without a profile takes the earlier version's unclaimed one:
   * its folder is renamed to the account's (one step), before any of its stores is opened.
   */
  async #claimUnclaimed(aor: string): Promise<void> {
    const unclaimed = join(this.root, UNCLAIMED_FOLDER)
    const dir = this.folderOf(aor)
    if ((await this.#exists(dir)) || !(await this.#exists(unclaimed))) return
    // Stores made for this folder before it existed hold nothing: make them again over the data.
    this.#opened.delete(dir)
    await this.#storage.fs.rename(unclaimed, dir)
    await syncDir(this.#storage.fs, this.root)
    this.#pendingClaim = { aor, dir }
  }

  /**
   * The sign-in that took the earlier version's unclaimed profile has its outcome: registered,
   * the profile is that account's for good (and the user is told); anything else (a mistyped
   * address, a wrong password, no server), it goes back to waiting, so a failed attempt never
   * hands someone's earlier chats to the next person who signs in.
   */
  settleClaim(aor: string, registered: boolean): Promise<void> {
    const canonical = parseAor(aor)?.aor ?? aor
    return this.#serial(async () => {
      const claim = this.#pendingClaim
      if (!claim || claim.aor !== canonical) return
      this.#pendingClaim = null
      const unclaimed = join(this.root, UNCLAIMED_FOLDER)
      if (registered) {
        this.#log(`the earlier profile ${unclaimed} is now ${canonical}'s (${claim.dir})`)
        this.#storage.notices.raise({
          code: 'profile-claimed',
          params: {
            aor: canonical,
            path: claim.dir,
            detail: `renamed ${unclaimed} to ${claim.dir}`
          }
        })
        return
      }
      if (this.#active?.dir === claim.dir) await this.#activate(await this.#rememberedProfile())
      this.#opened.delete(claim.dir)
      try {
        await this.#storage.fs.rename(claim.dir, unclaimed)
        await syncDir(this.#storage.fs, this.root)
        this.#log(`${canonical} did not sign in: the earlier profile waits again in ${unclaimed}`)
      } catch (error) {
        this.#log(`could not put the earlier profile back to ${unclaimed}`, error)
      }
    })
  }

  async #exists(path: string): Promise<boolean> {
    try {
      await this.#storage.fs.stat(path)
      return true
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false
      throw error
    }
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(op, op)
    this.#chain = next.catch(() => undefined)
    return next
  }
}
