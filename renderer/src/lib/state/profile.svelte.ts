import { fail } from '../../../../shared/ipc/result'
import type { ProfileView, TrustedCaList } from '../../../../shared/types/profile'
import { api } from '../api'
import { fileBase64 } from '../certificate-file'
import { settle, type UiError } from './result'

/**
 * Whose data the app shows (the account signed in or signing in, else the remembered one), and
 * that account's own CA certificates. The core decides both; this follows `profile:changed`.
 */
class ProfileStore {
  view = $state.raw<ProfileView | null>(null)
  cas = $state.raw<TrustedCaList | null>(null)
  /** Why the last change to the CAs failed. */
  error = $state.raw<UiError | null>(null)
  busy = $state(false)
  /** How many CAs the last add put in (for the confirmation). */
  lastAdded = $state<number | null>(null)
  #unsubscribe: (() => void) | null = null

  /** Loads whose data is shown and follows changes; the CA list follows the account. */
  async start(): Promise<void> {
    this.#unsubscribe ??= api.profile.onChanged((view) => {
      this.view = view
      this.lastAdded = null
      this.error = null
      void this.loadCas()
    })
    const view = await settle(
      () => api.profile.get(),
      () => undefined
    )
    if (view !== undefined) this.view = view
  }

  /** Reads the account's CAs and whether the policy locks them. */
  async loadCas(): Promise<void> {
    const list = await settle(
      () => api.profile.listCas(),
      (e) => (this.error = e)
    )
    if (list) this.cas = list
  }

  /** Adds the CA certificate(s) of a file the user picked; true once they are stored. */
  async addCa(file: File): Promise<boolean> {
    this.busy = true
    this.error = null
    this.lastAdded = null
    const before = this.cas?.cas.length ?? 0
    const list = await settle(
      async () => {
        const dataBase64 = await fileBase64(file)
        return dataBase64 === null
          ? fail('ca-file-too-big', file.name)
          : api.profile.addCa({ fileName: file.name, dataBase64 })
      },
      (e) => (this.error = e)
    )
    if (list) {
      this.cas = list
      this.lastAdded = list.cas.length - before
    }
    this.busy = false
    return list !== undefined
  }

  /** Removes one of the account's CAs. */
  async removeCa(sha256: string): Promise<void> {
    this.error = null
    this.lastAdded = null
    const list = await settle(
      () => api.profile.removeCa({ sha256 }),
      (e) => (this.error = e)
    )
    if (list) this.cas = list
  }

  /** Stops following the core (tests). */
  stop(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = null
  }
}

/** The profile singleton. */
export const profile = new ProfileStore()
