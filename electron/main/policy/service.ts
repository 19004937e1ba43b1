import { IpcFailure } from '../../../shared/ipc/result'
import type { EffectivePolicy, PolicySettings, UserSettings } from '../../../shared/types/policy'
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
  /** Keeps the user's choices durably (UserSettingsFile.set); without it they cannot change. */
  saveUserSettings?: (patch: UserSettings) => Promise<void>
}

/** Holds the loaded policy; answers the settings in force and reloads on request. */
export interface PolicyService {
  /** The settings in force (user settings are read again on each call). */
  get(): EffectivePolicy
  /** Reads the policy file again. */
  reload(): Promise<EffectivePolicy>
  /**
   * Saves the user's choice for settings the policy does not lock and answers the settings in
   * force; refuses (`policy-locked`) when the policy locks one of them.
   */
  setUser(patch: UserSettings): Promise<EffectivePolicy>
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
    },
    setUser: async (patch) => {
      const current = mergeSettings(deps.userSettings(), loaded)
      for (const key of Object.keys(patch) as Array<keyof UserSettings>) {
        const setting = current.settings[key]
        if (setting.locked) {
          throw new IpcFailure(
            'policy-locked',
            `This setting is set by your organisation's policy (${setting.lockedBy ?? current.source}).`
          )
        }
      }
      if (!deps.saveUserSettings) {
        throw new IpcFailure('unavailable', 'Settings cannot be saved here.')
      }
      await deps.saveUserSettings(patch)
      return mergeSettings(deps.userSettings(), loaded)
    }
  }
}
