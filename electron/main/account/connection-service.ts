import type { Duplex } from 'node:stream'
import type { ConnectionInfo, DiscoveredServer } from '../../../shared/types/connection'
import type { TrustReport } from '../../../shared/types/trust'
import type { EventSink } from '../ipc/types'
import {
  discoverServer,
  hijackRuleApplies,
  type DnsResolver,
  type ServerOverride
} from '../sip/discovery'
import type { SipConnection } from '../sip/session'
import type { DomainDecisionStore } from '../storage/domain-decisions'

/** A client certificate for mutual TLS: PKCS#12 bytes, or PEM text holding certificate and key. */
export interface ClientCertificateOption {
  pfx?: Buffer
  pem?: string
  passphrase?: string
}

/** One trust check: the name the certificate must carry, and the address actually dialled. */
export interface TrustCheckRequest {
  host: string
  address: string
  port: number
  sipDomain: string | null
  clientCertificate?: ClientCertificateOption
}

/** The trust engine's answer: the report, and the open, paused socket when trusted. */
export interface TrustCheckResult {
  report: TrustReport
  socket: Duplex | null
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
}

/** What the service needs. */
export interface ConnectionServiceDeps {
  checker: TrustChecker
  resolver: DnsResolver
  decisions: DomainDecisionStore
  events: EventSink
}

const leafOf = (report: TrustReport) => report.sentChain[0] ?? report.builtChain[0]

/**
 * Finds the server for the account, has the trust engine connect and judge it, applies the
 * DNS-hijack rule, and hands the SIP session either a trusted socket or a refusal with the
 * reason. Runs again for every reconnect, so trust is re-evaluated each time.
 */
export class ConnectionService {
  readonly #deps: ConnectionServiceDeps
  #account: ConnectionAccount | null = null
  #info: ConnectionInfo = {
    sipDomain: null,
    server: null,
    transport: 'tls',
    trace: [],
    question: null
  }
  #report: TrustReport | null = null

  constructor(deps: ConnectionServiceDeps) {
    this.#deps = deps
  }

  /** The connection panel's view. */
  get info(): ConnectionInfo {
    return this.#info
  }

  /** The report of the last connection attempt, or null. */
  get lastReport(): TrustReport | null {
    return this.#report
  }

  /** Sets the account the next connection attempts are for. */
  configure(account: ConnectionAccount | null): void {
    this.#account = account
    this.#update({
      sipDomain: account?.sipDomain ?? null,
      server: null,
      transport: account?.transport ?? 'tls',
      trace: [],
      question: null
    })
  }

  /** Records a report made outside a sign-in (the helpdesk's "check this server"). */
  recordReport(report: TrustReport): void {
    this.#report = report
    this.#deps.events.emit('trust:report-changed', report)
  }

  /** The SIP session's connector: call once per connection attempt. */
  readonly connect = async (): Promise<SipConnection> => {
    const account = this.#account
    if (!account) throw new Error('no account is configured for this connection')
    if (account.transport === 'wss' && !account.server) {
      // No DNS record names a SIP WebSocket endpoint (RFC 7118 §5 leaves it to configuration).
      throw new Error('SIP over WebSocket needs the server address and port (and its path).')
    }
    const { candidates, trace } = await discoverServer(
      account.sipDomain,
      this.#deps.resolver,
      account.server
    )
    this.#update({ ...this.#info, trace, server: null, question: null })
    if (!candidates.length) {
      throw new Error(
        `no SIP server was found for ${account.sipDomain} (${trace.map((s) => `${s.query}: ${s.answer}`).join('; ')})`
      )
    }
    const failures: string[] = []
    for (const server of candidates) {
      let result: TrustCheckResult
      try {
        result = await this.#deps.checker({
          host: server.host,
          address: server.address,
          port: server.port,
          // The engine checks the server's own name (RFC 6125); whether that server may serve the
          // SIP domain is the DNS-hijack rule below, which can ask the user instead of refusing.
          sipDomain: null,
          ...(account.clientCertificate ? { clientCertificate: account.clientCertificate } : {})
        })
      } catch (error) {
        failures.push(
          `${server.host}:${server.port} (${server.address}): ${(error as Error).message}`
        )
        continue
      }
      this.#update({ ...this.#info, server })
      const judged = await this.#judge(account, server, result)
      this.recordReport(judged.report)
      return judged.connection
    }
    throw new Error(`could not reach any SIP server: ${failures.join('; ')}`)
  }

  async #judge(
    account: ConnectionAccount,
    server: DiscoveredServer,
    result: TrustCheckResult
  ): Promise<{ connection: SipConnection; report: TrustReport }> {
    const { socket } = result
    let report: TrustReport = { ...result.report, sipDomain: account.sipDomain }
    const base = { host: server.host, port: server.port }
    const transport =
      account.transport === 'wss'
        ? { transport: 'wss' as const, wsPath: account.wsPath ?? '/' }
        : { transport: 'tls' as const }
    const refuse = (reason: string) => {
      socket?.destroy()
      return {
        connection: { ...base, verdict: 'untrusted' as const, socket: null, reason },
        report
      }
    }
    if (report.verdict === 'untrusted' || !socket) {
      const first = report.reasons.find((r) => r.severity === 'error')
      return refuse(first?.summary ?? 'The server could not be trusted; nothing was sent.')
    }
    const leaf = leafOf(report)
    if (!hijackRuleApplies(server, account.sipDomain, leaf)) {
      return { connection: { ...base, ...transport, verdict: report.verdict, socket }, report }
    }
    const decision = await this.#deps.decisions.get(account.sipDomain, server.host)
    const names = (leaf?.subjectAltNames ?? []).map((s) => `${s.type.toUpperCase()}:${s.value}`)
    const detail = `DNS (${server.via ?? server.source}) sent SIP domain ${account.sipDomain} to ${server.host}:${server.port}, which is not in that domain; the certificate names ${names.join(', ') || 'nothing usable'} but not ${account.sipDomain} (RFC 5922 §7.1).`
    const reason = (severity: 'error' | 'warning', summary: string, remedy: string) => ({
      code: 'sip-domain-mismatch' as const,
      severity,
      certIndex: 0,
      certSubject: leaf?.subject ?? null,
      summary,
      detail,
      remedy
    })
    if (decision?.allow) {
      report = {
        ...report,
        reasons: [
          ...report.reasons,
          reason(
            'warning',
            `You confirmed on ${decision.decidedAt.slice(0, 10)} that ${server.host} serves ${account.sipDomain}.`,
            `If that was a mistake, forget the decision in Settings; ask the administrator to add sip:${account.sipDomain} to the certificate.`
          )
        ]
      }
      return { connection: { ...base, ...transport, verdict: report.verdict, socket }, report }
    }
    const remedy = `Ask your administrator whether ${server.host} is the server for ${account.sipDomain}. They can add sip:${account.sipDomain} to its certificate, or configure the server explicitly.`
    report = {
      ...report,
      verdict: 'untrusted',
      reasons: [
        reason(
          'error',
          decision
            ? `You chose not to use ${server.host} for ${account.sipDomain}.`
            : `DNS sent ${account.sipDomain} to ${server.host}, a server outside that domain whose certificate does not name it. It could be a DNS hijack.`,
          remedy
        ),
        ...report.reasons
      ]
    }
    if (decision) {
      return refuse(
        `You chose not to use ${server.host} for ${account.sipDomain}: DNS sent the domain to a server whose certificate does not name it.`
      )
    }
    this.#update({
      ...this.#info,
      question: {
        sipDomain: account.sipDomain,
        serverHost: server.host,
        port: server.port,
        certificateNames: names
      }
    })
    return refuse(
      `DNS sent ${account.sipDomain} to ${server.host}, which is outside that domain and whose certificate does not name it. Confirm that this server belongs to ${account.sipDomain} before signing in.`
    )
  }

  #update(info: ConnectionInfo): void {
    this.#info = info
    this.#deps.events.emit('connection:changed', info)
  }
}
