import { randomBytes } from 'node:crypto'
import type { Duplex } from 'node:stream'
import type {
  ConnectionInfo,
  DiscoveredServer,
  DomainQuestion
} from '../../../shared/types/connection'
import type { TrustReason, TrustReport } from '../../../shared/types/trust'
import type { EventSink } from '../ipc/types'
import { describeStep } from '../../../shared/discovery/wording'
import { discoverServer, type DnsResolver, type ServerOverride } from '../sip/discovery'
import type { SipConnection } from '../sip/session'
import type { DomainDecisionStore } from '../storage/domain-decisions'
import { aLabelName } from '../tls/chain/names'
import { isTrusted } from '../tls/decision'
import type { DomainAnswer } from '../tls/identity'
import { noVerdictReport } from '../tls/trust-service'

/** A client certificate for mutual TLS: PKCS#12 bytes, or PEM text holding certificate and key. */
export interface ClientCertificateOption {
  pfx?: Buffer
  pem?: string
  passphrase?: string
}

/** One trust check: the name the certificate must carry, the address dialled, how it was found. */
export interface TrustCheckRequest {
  host: string
  address: string
  port: number
  sipDomain: string | null
  /** How discovery found this server (the SIP-domain rule depends on it). */
  server: DiscoveredServer
  /** The user's remembered answer for (sipDomain, host), if any. */
  domainAnswer: DomainAnswer | null
  /** The connection attempt the report will belong to. */
  attemptId: string
  clientCertificate?: ClientCertificateOption
  /** The account's own CA certificates (DER): trust anchors with source 'account'. */
  extraCas?: Buffer[]
}

/** The trust engine's answer: the report, and the open, paused socket when trusted. */
export interface TrustCheckResult {
  report: TrustReport
  socket: Duplex | null
  /** Decides the same findings again with the exception store and policy as they are now. */
  redecide?: () => Promise<TrustReport>
}

/** Connects and evaluates (the trust engine in production). */
export type TrustChecker = (request: TrustCheckRequest) => Promise<TrustCheckResult>

/** The account being signed in, as far as the connection cares. */
export interface ConnectionAccount {
  sipDomain: string
  server?: ServerOverride
  /** SIP over TLS (default) or over a secure WebSocket on the same trusted TLS socket. */
  transport?: 'tls' | 'wss'
  /** WebSocket path for `wss`. */
  wsPath?: string
  clientCertificate?: ClientCertificateOption
  /** CA certificates the user added for this account (DER), unless the policy sets the CAs. */
  extraCas?: Buffer[]
}

/** What the service needs. */
export interface ConnectionServiceDeps {
  checker: TrustChecker
  resolver: DnsResolver
  decisions: DomainDecisionStore
  events: EventSink
  /**
   * Told when the connection in use is decided again (an exception revoked, the policy
   * reloaded) and is no longer trusted: the session must drop it.
   */
  onNoLongerTrusted?: (report: TrustReport) => void
  log?: (message: string, error?: unknown) => void
}

const questionKey = (sipDomain: string, serverHost: string) =>
  `${aLabelName(sipDomain)}\u0000${aLabelName(serverHost)}`

const emptyInfo = (account: ConnectionAccount | null): ConnectionInfo => ({
  attemptId: null,
  sipDomain: account?.sipDomain ?? null,
  server: null,
  transport: account?.transport ?? 'tls',
  trace: [],
  question: null
})

/**
 * Finds the server for the account, has the trust engine connect and decide, and hands the SIP
 * session either a trusted socket or a refusal with its headline finding. Runs again for every
 * reconnect, so trust is decided again each time.
 *
 * Every attempt has an id; its report (or a 'no-verdict' report saying why there is none)
 * replaces the previous one in every view, and signing out clears it, so no view ever shows a
 * verdict about another attempt.
 */
export class ConnectionService {
  readonly #deps: ConnectionServiceDeps
  #account: ConnectionAccount | null = null
  #info: ConnectionInfo = emptyInfo(null)
  #report: TrustReport | null = null
  /** The attempt whose connection the session is using, and how to decide it again. */
  #live: { attemptId: string; redecide: () => Promise<TrustReport> } | null = null
  /** DNS-hijack questions this process asked and the user has not answered yet. */
  readonly #asked = new Map<string, DomainQuestion>()

  constructor(deps: ConnectionServiceDeps) {
    this.#deps = deps
  }

  /** The connection panel's view. */
  get info(): ConnectionInfo {
    return this.#info
  }

  /** The report of the current connection attempt, or null (none yet, or signed out). */
  get lastReport(): TrustReport | null {
    return this.#report
  }

  /** Sets the account the next connection attempts are for (null: signed out); clears views. */
  configure(account: ConnectionAccount | null): void {
    this.#account = account
    this.#live = null
    this.#setReport(null)
    this.#update(emptyInfo(account))
  }

  /** Whether the core asked the DNS-hijack question for this pair and it is still open. */
  wasAsked(sipDomain: string, serverHost: string): boolean {
    return this.#asked.has(questionKey(sipDomain, serverHost))
  }

  /** The user answered the question for this pair: it is no longer open. */
  answered(sipDomain: string, serverHost: string): void {
    this.#asked.delete(questionKey(sipDomain, serverHost))
    const q = this.#info.question
    if (q && questionKey(q.sipDomain, q.serverHost) === questionKey(sipDomain, serverHost)) {
      this.#update({ ...this.#info, question: null })
    }
  }

  /**
   * Decides the connection in use again (after an exception was revoked or the policy
   * reloaded). When it is no longer trusted the session is told to drop it. Returns the new
   * report, or null when no connection is in use.
   */
  async redecide(): Promise<TrustReport | null> {
    const live = this.#live
    if (!live) return null
    const report = await live.redecide()
    if (this.#live !== live) return null
    this.#setReport(report)
    if (!isTrusted(report.verdict)) {
      this.#live = null
      this.#deps.onNoLongerTrusted?.(report)
    }
    return report
  }

  /** The SIP session's connector: call once per connection attempt. */
  readonly connect = async (): Promise<SipConnection> => {
    const account = this.#account
    if (!account) throw new Error('no account is configured for this connection')
    const attemptId = randomBytes(8).toString('hex')
    this.#live = null
    this.#setReport(null)
    this.#update({ ...emptyInfo(account), attemptId })
    const transport =
      account.transport === 'wss'
        ? { transport: 'wss' as const, wsPath: account.wsPath ?? '/' }
        : { transport: 'tls' as const }
    if (account.transport === 'wss' && !account.server) {
      // No DNS record names a SIP WebSocket endpoint (RFC 7118 §5 leaves it to configuration).
      throw new Error('SIP over WebSocket needs the server address and port (and its path).')
    }
    const { candidates, trace } = await discoverServer(
      account.sipDomain,
      this.#deps.resolver,
      account.server
    )
    this.#update({ ...this.#info, trace })
    const failures: TrustReason[] = []
    // The first failed attempt whose server still showed its certificate (it wanted or refused
    // our client certificate): its report keeps the chain and the certificate's own verdict.
    let shown: { report: TrustReport; server: (typeof candidates)[number] } | null = null
    for (const server of candidates) {
      let result: TrustCheckResult
      try {
        result = await this.#deps.checker({
          host: server.host,
          address: server.address,
          port: server.port,
          sipDomain: account.sipDomain,
          server,
          domainAnswer: (await this.#deps.decisions.get(account.sipDomain, server.host)) ?? null,
          attemptId,
          ...(account.clientCertificate ? { clientCertificate: account.clientCertificate } : {}),
          ...(account.extraCas?.length ? { extraCas: account.extraCas } : {})
        })
      } catch (error) {
        // A broken configuration (an unreadable CA file) or a bug: this server gets no verdict.
        this.#deps.log?.(`checking ${server.host}:${server.port} failed`, error)
        failures.push(unexpectedFailure(server, error))
        continue
      }
      const { report, socket } = result
      if (report.verdict === 'no-verdict') {
        failures.push(...report.reasons)
        if (!shown && report.serverCertificate !== 'not-judged') shown = { report, server }
        continue
      }
      const base = { host: server.host, port: server.port, finding: report.headline }
      const question = report.reasons.find((r) => r.code === 'sip-domain-unconfirmed')
      let pending: DomainQuestion | null = null
      if (report.verdict === 'needs-question' && question) {
        pending = {
          sipDomain: account.sipDomain,
          serverHost: server.host,
          port: server.port,
          certificateNames: Array.isArray(question.params['names']) ? question.params['names'] : []
        }
        this.#asked.set(questionKey(account.sipDomain, server.host), pending)
      }
      this.#update({ ...this.#info, server, question: pending })
      this.#setReport(report)
      if (isTrusted(report.verdict) && socket) {
        if (result.redecide) this.#live = { attemptId, redecide: result.redecide }
        return { ...base, ...transport, verdict: report.verdict, socket }
      }
      socket?.destroy()
      return { ...base, verdict: report.verdict, socket: null }
    }
    const first = candidates[0]
    if (shown) this.#update({ ...this.#info, server: shown.server })
    const report =
      shown?.report ??
      noVerdictReport(
        {
          attemptId,
          host: first?.host ?? account.sipDomain,
          port: first?.port ?? account.server?.port ?? 5061,
          servername: null,
          sipDomain: account.sipDomain,
          revocation: 'off'
        },
        failures.length
          ? failures
          : [
              {
                code: 'connection-failed',
                severity: 'error',
                certIndex: null,
                certSubject: null,
                params: { cause: 'no-server', sipDomain: account.sipDomain },
                detail: trace
                  .map((s) => describeStep(s))
                  .map((s) => `${s.query}: ${s.answer}`)
                  .join('; ')
              }
            ]
      )
    this.#setReport(report)
    return {
      host: report.host,
      port: report.port,
      verdict: 'no-verdict',
      socket: null,
      finding: report.headline
    }
  }

  #setReport(report: TrustReport | null): void {
    this.#report = report
    this.#deps.events.emit('trust:report-changed', report)
  }

  #update(info: ConnectionInfo): void {
    this.#info = info
    this.#deps.events.emit('connection:changed', info)
  }
}

function unexpectedFailure(server: DiscoveredServer, error: unknown): TrustReason {
  const caFile = (error as { name?: string }).name === 'CaFileError'
  return {
    code: 'connection-failed',
    severity: 'error',
    certIndex: null,
    certSubject: null,
    params: {
      cause: caFile ? 'ca-file' : 'internal',
      host: server.host,
      port: server.port
    },
    detail: error instanceof Error ? error.message : String(error)
  }
}
