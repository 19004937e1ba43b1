import { join } from 'node:path'
import { z } from 'zod'
import {
  savedAccountSchema,
  type SavedAccount,
  type VaultStatus,
  type VaultUnavailableReason
} from '../../../shared/types/account'
import type { Storage } from '../storage/durable'
import { JsonStore } from '../storage/json-store'

/**
 * Keeps secrets encrypted by the OS (Electron safeStorage in the desktop app). The core only ever
 * sees this interface; the browser host and tests have none or a fake.
 */
export interface SecretVault {
  status(): Promise<VaultStatus>
  /** Encrypted bytes for a secret; throws when status() is not available. */
  encrypt(plain: string): Promise<Buffer>
  decrypt(sealed: Buffer): Promise<string>
}

const fileSchema = z.object({
  version: z.literal(1),
  account: savedAccountSchema.nullable(),
  /** The password sealed by the vault, base64; never plain text. */
  sealedPassword: z.string().nullable()
})

/** Whether `vault` can keep passwords here, and if not, why. */
export async function vaultStatusOf(vault: SecretVault | null): Promise<VaultStatus> {
  if (!vault) return { available: false, reason: 'browser-host' }
  return vault.status()
}

/** The remembered account and its sealed password (one per profile, see account/profiles.ts). */
export class AccountStore {
  readonly #store: JsonStore<typeof fileSchema>

  constructor(
    dataDir: string,
    readonly vault: SecretVault | null,
    storage?: Partial<Storage>
  ) {
    this.#store = new JsonStore(
      join(dataDir, 'account.json'),
      fileSchema,
      () => ({ version: 1 as const, account: null, sealedPassword: null }),
      { file: 'account', ...(storage ? { storage } : {}) }
    )
  }

  vaultStatus(): Promise<VaultStatus> {
    return vaultStatusOf(this.vault)
  }

  async saved(): Promise<SavedAccount | null> {
    return (await this.#store.load()).value.account
  }

  /**
   * Remembers the account; keeps the password only when the vault can encrypt it. Returns the
   * reason when the password could not be kept.
   */
  async remember(
    account: Omit<SavedAccount, 'hasSavedPassword'>,
    password: string | null
  ): Promise<{ account: SavedAccount; refused: VaultUnavailableReason | null }> {
    let sealed: string | null = null
    let refused: VaultUnavailableReason | null = null
    if (password !== null) {
      const status = await this.vaultStatus()
      if (status.available && this.vault) {
        sealed = (await this.vault.encrypt(password)).toString('base64')
      } else {
        refused = status.reason
      }
    }
    const saved: SavedAccount = { ...account, hasSavedPassword: sealed !== null }
    await this.#store.save({ version: 1, account: saved, sealedPassword: sealed })
    return { account: saved, refused }
  }

  /** The kept password for `aor`, or null. */
  async password(aor: string): Promise<string | null> {
    const { value } = await this.#store.load()
    if (!value.account || value.account.aor !== aor || !value.sealedPassword || !this.vault) {
      return null
    }
    return this.vault.decrypt(Buffer.from(value.sealedPassword, 'base64'))
  }

  async forget(): Promise<boolean> {
    const had = (await this.#store.load()).value.account !== null
    await this.#store.save({ version: 1, account: null, sealedPassword: null })
    return had
  }
}
