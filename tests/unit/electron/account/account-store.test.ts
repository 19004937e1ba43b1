import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { safeStorage } from 'electron'
import { afterEach, describe, expect, it } from 'vitest'
import { AccountStore } from '../../../../electron/main/account/account-store'
import { createSafeStorageVault } from '../../../../electron/main/shell/safe-storage-vault'

const fake = safeStorage as unknown as { available: boolean; backend: string }
afterEach(() => {
  fake.available = true
  fake.backend = 'gnome_libsecret'
})

const dir = () => mkdtempSync(join(tmpdir(), 'tl-acct-'))
const account = { aor: 'sip:alice@example.org' }

describe('AccountStore with the safeStorage vault', () => {
  it('keeps the password sealed, never in plain text, and gives it back', async () => {
    const d = dir()
    const store = new AccountStore(d, createSafeStorageVault())
    const { account: saved, refused } = await store.remember(account, 'hunter2')
    expect(refused).toBeNull()
    expect(saved.hasSavedPassword).toBe(true)
    expect(readFileSync(join(d, 'account.json'), 'utf8')).not.toContain('hunter2')
    expect(await new AccountStore(d, createSafeStorageVault()).password(account.aor)).toBe(
      'hunter2'
    )
    expect(await store.password('sip:mallory@example.org')).toBeNull()
  })

  it.skipIf(process.platform !== 'linux')(
    'refuses the plain-text backend and says why, remembering only the address',
    async () => {
      fake.backend = 'basic_text'
      const store = new AccountStore(dir(), createSafeStorageVault())
      const { account: saved, refused } = await store.remember(account, 'hunter2')
      expect(refused).toBe('plain-text')
      expect(saved.hasSavedPassword).toBe(false)
      expect(await store.password(account.aor)).toBeNull()
    }
  )

  it('refuses when no encryption is available at all', async () => {
    fake.available = false
    const status = await new AccountStore(dir(), createSafeStorageVault()).vaultStatus()
    expect(status.available).toBe(false)
    expect(status.reason).toBe('no-keychain')
  })

  it('has no vault under the browser host, and says so', async () => {
    const store = new AccountStore(dir(), null)
    expect((await store.vaultStatus()).reason).toBe('browser-host')
    const { refused } = await store.remember(account, 'x')
    expect(refused).toBe('browser-host')
  })

  it('forgets the account and its password', async () => {
    const store = new AccountStore(dir(), createSafeStorageVault())
    await store.remember(account, 'hunter2')
    expect(await store.forget()).toBe(true)
    expect(await store.saved()).toBeNull()
    expect(await store.password(account.aor)).toBeNull()
  })
})
