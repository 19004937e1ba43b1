import type { EffectivePolicy, PresetServer } from '../../../../shared/types/policy'
import { domainIn } from '../../../../shared/types/policy'
import { api } from '../api'
import { settle, type UiError } from './result'

/** The enterprise policy in force: which settings IT locked, for the forms that show them. */
class PolicyStore {
  policy = $state.raw<EffectivePolicy | null>(null)
  error = $state.raw<UiError | null>(null)
  loading = $state(false)

  /** Trust exceptions are allowed unless a policy says otherwise. */
  readonly exceptionsAllowed = $derived(this.policy?.settings.allowTrustExceptions.value ?? true)

  /** The server IT fixed, if the policy locks it. */
  readonly lockedServer: PresetServer | null = $derived(
    this.policy?.settings.server.locked ? this.policy.settings.server.value : null
  )

  /** Whether read receipts go out, and whether the policy fixed that. */
  readonly readReceipts = $derived(
    this.policy?.settings.sendReadReceipts ?? { value: true, locked: false, lockedBy: null }
  )

  /** The SIP domains IT allows, or null for any. */
  readonly allowedDomains: string[] | null = $derived(
    this.policy?.settings.allowedSipDomains.value ?? null
  )

  /** The settings IT locked, by name, for the settings page. */
  readonly locked = $derived(
    this.policy
      ? Object.entries(this.policy.settings)
          .filter(([, s]) => s.locked)
          .map(([name, s]) => ({ name, value: s.value, lockedBy: s.lockedBy }))
      : []
  )

  /** True when the policy lets users sign in to this SIP domain. */
  domainAllowed(domain: string): boolean {
    const allowed = this.allowedDomains
    return allowed === null || domainIn(domain, allowed)
  }

  async load(): Promise<void> {
    await this.#fetch(() => api.policy.get())
  }

  /** Reads the policy file again (after IT fixed or deployed it). */
  async reload(): Promise<void> {
    await this.#fetch(() => api.policy.reload())
  }

  /** Turns read receipts on or off (refused by the core when the policy locks them). */
  async setReadReceipts(value: boolean): Promise<void> {
    await this.#fetch(() => api.policy.set({ sendReadReceipts: value }))
  }

  async #fetch(
    call: () => ReturnType<typeof api.policy.get | typeof api.policy.set>
  ): Promise<void> {
    this.loading = true
    const policy = await settle(call, (e) => (this.error = e))
    this.loading = false
    if (policy) {
      this.policy = policy
      this.error = null
    }
  }
}

/** The policy singleton. */
export const policy = new PolicyStore()
