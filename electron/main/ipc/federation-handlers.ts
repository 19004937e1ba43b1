import { IpcFailure } from '../../../shared/ipc/result'
import type { FederationCheckRequest, FederationReport } from '../../../shared/types/federation'
import { CaFileError } from '../tls/anchors'
import { ConnectError } from '../tls/connector'
import type { HandlerMap } from './types'

/** What the federation handler needs: the check itself, with the core's DNS and trust settings. */
export interface FederationHandlerDeps {
  check(request: FederationCheckRequest): Promise<FederationReport>
}

/**
 * Handler for `federation:check`. The report is the answer whatever the verdict; only input the
 * user must fix (our certificate file, its passphrase, a CA file) fails, with its own code.
 */
export function createFederationHandlers(
  deps: FederationHandlerDeps
): HandlerMap<'federation:check'> {
  return {
    'federation:check': async (request) => {
      try {
        return await deps.check(request)
      } catch (error) {
        if (error instanceof ConnectError) throw new IpcFailure(error.code, error.message)
        if (error instanceof CaFileError) throw new IpcFailure('ca-file', error.message)
        throw error
      }
    }
  }
}
