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
        return { available: false, reason: 'no-keychain' }
      }
      if (process.platform === 'linux') {
        const backend = safeStorage.getSelectedStorageBackend()
        if (backend === 'basic_text' || backend === 'unknown') {
          return { available: false, reason: 'plain-text' }
        }
      }
      return { available: true, reason: null }
    },
    encrypt: (plain) => safeStorage.encryptStringAsync(plain),
    decrypt: async (sealed) => (await safeStorage.decryptStringAsync(sealed)).result
  }
}
