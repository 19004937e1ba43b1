import { IpcFailure } from '../../../shared/ipc/result'
import type { AppInfo } from '../../../shared/types/app'
import type { Notice } from '../../../shared/types/notice'
import type { SipLogEntry } from '../../../shared/types/sip-log'
import type { RevocationMode, TrustReport } from '../../../shared/types/trust'
import { clientCertificateOf } from '../account/client-certificate'
import type { TrustExceptionEntry } from '../../../shared/types/trust-settings'
import type { ClientCertificateOption, ConnectionService } from '../account/connection-service'
import { exportReport } from '../account/report-export'
import type { DomainDecisionStore } from '../storage/domain-decisions'
import type { HandlerMap } from './types'

/** One helpdesk "test a server" request, as the engine takes it. */
export interface ServerCheckRequest {
  /** Where to connect: a name or an address. */
  host: string
  port: number
  /** The name the certificate must carry (and SNI) when it is not `host`. */
  servername?: string
  sipDomain?: string
  clientCertificate?: ClientCertificateOption
  revocation?: RevocationMode
}

/** The trust engine as the handlers use it. */
export interface TrustEngine {
  /** Connects, evaluates, closes; sends no SIP. */
  checkServer(request: ServerCheckRequest): Promise<TrustReport>
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
  /** The notices the user has not dismissed, included in the helpdesk report. */
  notices?: () => Notice[]
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
  // The helpdesk's last test belongs to the helpdesk view: it never replaces the report of the
  // connection the user is signed in with, and is exported on its own.
  let checked: TrustReport | null = null
  return {
    'trust:get-report': () => deps.connection.lastReport,
    'trust:check-server': async ({ clientCertificate, ...request }) => {
      const certificate = clientCertificateOf(clientCertificate)
      checked = await deps.engine.checkServer({
        ...request,
        ...(certificate ? { clientCertificate: certificate } : {})
      })
      return checked
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
    'trust:revoke-exception': async ({ host, port }) => {
      const revoked = await deps.exceptions.revoke(host, port)
      // A connection trusted by that exception is decided again, and dropped if it no longer is.
      if (revoked) await deps.connection.redecide()
      return { revoked }
    },
    'trust:list-domain-decisions': () => deps.decisions.list(),
    'trust:decide-domain': async ({ sipDomain, serverHost, allow }) => {
      // Only an answer to a question the core actually asked is stored: a page cannot
      // whitelist a (domain, server) pair nobody was asked about.
      if (!deps.connection.wasAsked(sipDomain, serverHost)) {
        throw new IpcFailure(
          'not-asked',
          `TrustLine has not asked whether ${serverHost} serves ${sipDomain}; sign in to that domain first.`
        )
      }
      const decision = await deps.decisions.decide(sipDomain, serverHost, allow)
      deps.connection.answered(sipDomain, serverHost)
      return decision
    },
    'trust:forget-domain-decision': async ({ sipDomain, serverHost }) => ({
      forgotten: await deps.decisions.forget(sipDomain, serverHost)
    }),
    'trust:export-report': ({ format, source }) => {
      // A server test is exported on its own: no session, no SIP log, no notices of the user's.
      if (source === 'server-check' && !checked) {
        throw new IpcFailure('no-report', 'No server has been tested yet.')
      }
      const input =
        source === 'server-check'
          ? { report: checked, connection: null, session: null, sipLog: [], notices: [] }
          : {
              report: deps.connection.lastReport,
              connection: deps.connection.info,
              session: deps.session(),
              sipLog: deps.sipLog?.() ?? [],
              notices: deps.notices?.() ?? []
            }
      return exportReport({ app: deps.appInfo(), ...input }, format)
    },
    'connection:get': () => deps.connection.info
  }
}
