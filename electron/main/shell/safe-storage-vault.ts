import { safeStorage } from 'electron'
import type { SecretVault } from '../account/account-store'

/**
 * The OS keychain through Electron's safeStorage (async API). On Linux a `basic_text` backend
 * means no keyring was found and "encryption" would be a hard-coded key: we refuse to store
 * then, and say why, rather than pretend.
 */
export function createSafeStorageVault(): SecretVault {
  return {
    async status() {
      if (!(await safeStorage.isAsyncEncryptionAvailable())) {
        return {
          available: false,
          reason: 'Your system has no keychain TrustLine can use, so the password is not kept.'
        }
      }
      if (process.platform === 'linux') {
        const backend = safeStorage.getSelectedStorageBackend()
        if (backend === 'basic_text' || backend === 'unknown') {
          return {
            available: false,
            reason:
              'No desktop keyring (GNOME Keyring or KWallet) is running, so the password would be stored in plain text. TrustLine does not keep it.'
          }
        }
      }
      return { available: true, reason: null }
    },
    encrypt: (plain) => safeStorage.encryptStringAsync(plain),
    decrypt: async (sealed) => (await safeStorage.decryptStringAsync(sealed)).result
  }
}
