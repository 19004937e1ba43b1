import { IpcFailure } from '../../../shared/ipc/result'
import type { SessionState } from '../../../shared/types/sip'
import type { AccountStore } from '../account/account-store'
import type { HandlerMap } from './types'

/** What the account handlers need. */
export interface AccountHandlerDeps {
  accounts: AccountStore
  signIn(request: {
    aor: string
    password: string
    server?: { host: string; port?: number }
  }): Promise<SessionState>
  onSavedChanged(): void
}

/** Handlers for the `account:` channels ("remember me"). */
export function createAccountHandlers(
  deps: AccountHandlerDeps
): HandlerMap<'account:get-saved' | 'account:sign-in-saved' | 'account:forget'> {
  return {
    'account:get-saved': async () => ({
      account: await deps.accounts.saved(),
      vault: await deps.accounts.vaultStatus()
    }),
    'account:sign-in-saved': async ({ aor }) => {
      const saved = await deps.accounts.saved()
      const password = await deps.accounts.password(aor)
      if (!saved || password === null) {
        throw new IpcFailure(
          'no-saved-password',
          `No password is kept for ${aor}. Type it and tick "Remember me" to keep it.`
        )
      }
      return deps.signIn({
        aor,
        password,
        ...(saved.server ? { server: saved.server } : {})
      })
    },
    'account:forget': async () => {
      const forgotten = await deps.accounts.forget()
      deps.onSavedChanged()
      return { forgotten }
    }
  }
}
