import { IpcFailure } from '../../../shared/ipc/result'
import type { AppInfo } from '../../../shared/types/app'
import type { SipLogEntry } from '../../../shared/types/sip-log'
import type { TrustReport } from '../../../shared/types/trust'
import type { TrustExceptionEntry } from '../../../shared/types/trust-settings'
import type { ConnectionService } from '../account/connection-service'
import { exportReport } from '../account/report-export'
import type { DomainDecisionStore } from '../storage/domain-decisions'
import type { HandlerMap } from './types'

/** The trust engine as the handlers use it. */
export interface TrustEngine {
  /** Connects to host:port, evaluates, closes; sends no SIP. */
  checkServer(request: {
    host: string
    port: number
    sipDomain?: string
    servername?: string
  }): Promise<TrustReport>
}

/** The exceptions store as the handlers use it. */
export interface ExceptionStore {
  list(): Promise<TrustExceptionEntry[]>
  /** Accepts the certificate the last report for host:port showed; throws IpcFailure otherwise. */
  accept(request: { host: string; port: number; sha256: string }): Promise<TrustExceptionEntry>
  revoke(host: string, port: number): Promise<boolean>
}

/** What the trust handlers need. */
export interface TrustHandlerDeps {
  engine: TrustEngine
  exceptions: ExceptionStore
  decisions: DomainDecisionStore
  connection: ConnectionService
  appInfo: () => AppInfo
  session: () => { status: string; aor?: string; failure?: { code: string; reason: string } }
  /** The SIP log (already redacted), included in the helpdesk report. */
  sipLog?: () => SipLogEntry[]
  /** Enterprise policy: may users add trust exceptions? */
  exceptionsAllowed: () => { allowed: boolean; lockedBy?: string }
}

type TrustInvoke =
  | 'trust:get-report'
  | 'trust:check-server'
  | 'trust:accept-exception'
  | 'trust:list-exceptions'
  | 'trust:revoke-exception'
  | 'trust:list-domain-decisions'
  | 'trust:decide-domain'
  | 'trust:forget-domain-decision'
  | 'trust:export-report'
  | 'connection:get'

/** Handlers for the `trust:` and `connection:` channels. */
export function createTrustHandlers(deps: TrustHandlerDeps): HandlerMap<TrustInvoke> {
  return {
    'trust:get-report': () => deps.connection.lastReport,
    'trust:check-server': async (request) => {
      const report = await deps.engine.checkServer(request)
      deps.connection.recordReport(report)
      return report
    },
    'trust:accept-exception': async (request) => {
      const policy = deps.exceptionsAllowed()
      if (!policy.allowed) {
        throw new IpcFailure(
          'policy-forbids',
          `Your organisation does not allow trust exceptions${policy.lockedBy ? ` (set by ${policy.lockedBy})` : ''}. Ask your IT department to fix the server's certificate or to add its CA to the policy.`
        )
      }
      return deps.exceptions.accept(request)
    },
    'trust:list-exceptions': () => deps.exceptions.list(),
    'trust:revoke-exception': async ({ host, port }) => ({
      revoked: await deps.exceptions.revoke(host, port)
    }),
    'trust:list-domain-decisions': () => deps.decisions.list(),
    'trust:decide-domain': ({ sipDomain, serverHost, allow }) =>
      deps.decisions.decide(sipDomain, serverHost, allow),
    'trust:forget-domain-decision': async ({ sipDomain, serverHost }) => ({
      forgotten: await deps.decisions.forget(sipDomain, serverHost)
    }),
    'trust:export-report': ({ format }) =>
      exportReport(
        {
          app: deps.appInfo(),
          report: deps.connection.lastReport,
          connection: deps.connection.info,
          session: deps.session(),
          sipLog: deps.sipLog?.() ?? []
        },
        format
      ),
    'connection:get': () => deps.connection.info
  }
}
