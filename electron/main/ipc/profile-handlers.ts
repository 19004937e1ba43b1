import { IpcFailure } from '../../../shared/ipc/result'
import type { EffectivePolicy } from '../../../shared/types/policy'
import type { TrustedCaList } from '../../../shared/types/profile'
import type { Profiles } from '../account/profiles'
import { accountCaLock } from '../policy/account-cas'
import type { HandlerMap } from './types'

/** What the profile handlers need. */
export interface ProfileHandlerDeps {
  profiles: Pick<Profiles, 'active' | 'signedIn' | 'view' | 'start'>
  /** The enterprise policy in force (null: none). */
  policy: () => EffectivePolicy | null
}

/** Handlers for the `profile:` channels: whose data is shown, and that account's own CAs. */
export function createProfileHandlers(
  deps: ProfileHandlerDeps
): HandlerMap<'profile:get' | 'profile:list-cas' | 'profile:add-ca' | 'profile:remove-ca'> {
  const list = async (): Promise<TrustedCaList> => {
    await deps.profiles.start()
    const profile = deps.profiles.active
    return {
      aor: profile?.aor ?? null,
      cas: profile ? await profile.settings.trustedCas() : [],
      locked: accountCaLock(deps.policy())
    }
  }

  /** The profile whose CAs may change now; refuses when the policy sets the CAs or none is shown. */
  const changeable = async () => {
    await deps.profiles.start()
    const locked = accountCaLock(deps.policy())
    if (locked) {
      throw new IpcFailure(
        'policy-forbids',
        locked.reason === 'policy-sets-cas'
          ? `The trusted CAs are set by your organisation's policy (${locked.by}); ask your IT department to add a CA there.`
          : `Your organisation's policy (${locked.by}) does not let you trust servers yourself; ask your IT department to add the CA to the policy.`
      )
    }
    // Only for an account someone signed in with (or tried to) in this run: the remembered
    // account's profile shown at the sign-in screen is not open to whoever sits there.
    const profile = deps.profiles.signedIn
    if (!profile) {
      throw new IpcFailure(
        'not-signed-in',
        'Sign in (or start signing in) first: the CAs you add belong to your account.'
      )
    }
    return profile
  }

  return {
    'profile:get': async () => {
      await deps.profiles.start()
      return deps.profiles.view
    },
    'profile:list-cas': list,
    'profile:add-ca': async ({ fileName, dataBase64 }) => {
      const profile = await changeable()
      await profile.settings.addCas(fileName, Buffer.from(dataBase64, 'base64'))
      return list()
    },
    'profile:remove-ca': async ({ sha256 }) => {
      const profile = await changeable()
      await profile.settings.removeCa(sha256)
      return list()
    }
  }
}
