import type { SessionState } from '../../../shared/types/sip'
import type { Profiles } from '../account/profiles'
import type { HandlerMap } from './types'

/** What the account handlers need. */
export interface AccountHandlerDeps {
  profiles: Pick<Profiles, 'remembered' | 'vaultStatus'>
  /** The sign-in service's: sign in with the remembered account, forget it. */
  signInSaved(aor: string): Promise<SessionState>
  forgetSaved(): Promise<boolean>
}

/** Handlers for the `account:` channels ("remember me"). */
export function createAccountHandlers(
  deps: AccountHandlerDeps
): HandlerMap<'account:get-saved' | 'account:sign-in-saved' | 'account:forget'> {
  return {
    'account:get-saved': async () => ({
      account: await deps.profiles.remembered(),
      vault: await deps.profiles.vaultStatus()
    }),
    'account:sign-in-saved': ({ aor }) => deps.signInSaved(aor),
    'account:forget': async () => ({ forgotten: await deps.forgetSaved() })
  }
}
