import type { EffectivePolicy, PolicySettings } from '../../../shared/types/policy'
import type { LoadedPolicy } from './load'
import { mergeSettings } from './merge'

/** What the policy service is built from. */
export interface PolicyServiceDeps {
  /** Reads the policy file, e.g. `() => loadPolicy({ allowEnvOverride: !app.isPackaged })`. */
  load: () => Promise<LoadedPolicy>
  /** The user's own choices for the policy-lockable settings. */
  userSettings: () => Partial<PolicySettings>
  /** Told once per load that found an invalid file, so it reaches the log. */
  onInvalid?: (error: string) => void
}

/** Holds the loaded policy; answers the settings in force and reloads on request. */
export interface PolicyService {
  /** The settings in force (user settings are read again on each call). */
  get(): EffectivePolicy
  /** Reads the policy file again. */
  reload(): Promise<EffectivePolicy>
}

/** Loads the policy once, then serves it; call before the first `get()`. */
export async function createPolicyService(deps: PolicyServiceDeps): Promise<PolicyService> {
  let loaded = await load()
  async function load(): Promise<LoadedPolicy> {
    const result = await deps.load()
    if (result.error !== undefined) deps.onInvalid?.(result.error)
    return result
  }
  return {
    get: () => mergeSettings(deps.userSettings(), loaded),
    reload: async () => {
      loaded = await load()
      return mergeSettings(deps.userSettings(), loaded)
    }
  }
}
