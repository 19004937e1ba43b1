import type { TrustReport, TrustVerdict } from '../../../../shared/types/trust'
import type {
  DomainDecision,
  ReportExport,
  TrustExceptionEntry
} from '../../../../shared/types/trust-settings'
import type { RequestOf } from '../../../../shared/ipc/contract'
import { api } from '../api'
import { settle, type UiError } from './result'

/** What the badge shows: the core's verdict, or that there is no connection attempt to judge. */
export type BadgeState = TrustVerdict | 'not-connected'

/** The core's `certificate-changed` finding, as the loud warning shows it. */
export interface ChangedCertificate {
  host: string
  port: number
  acceptedSha256: string
  presentedSha256: string
  acceptedAt: string | null
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)

/**
 * The trust report of the current connection attempt, the stored exceptions and DNS-hijack
 * decisions, and the helpdesk export. Trust is decided in main (electron/main/tls/decision.ts);
 * this only shows the report it sent and sends the user's decisions back.
 */
class TrustStore {
  report = $state.raw<TrustReport | null>(null)
  exceptions = $state.raw<TrustExceptionEntry[]>([])
  decisions = $state.raw<DomainDecision[]>([])
  error = $state.raw<UiError | null>(null)
  settingsError = $state.raw<UiError | null>(null)
  exceptionError = $state.raw<UiError | null>(null)
  /** The last helpdesk "test this server" result (no SIP, no credentials sent). */
  checked = $state.raw<TrustReport | null>(null)
  checkError = $state.raw<UiError | null>(null)
  checking = $state(false)
  #unsubscribe: (() => void) | null = null

  readonly badge: BadgeState = $derived(this.report?.verdict ?? 'not-connected')

  /** The leaf the server sent (what an exception would pin). */
  readonly leaf = $derived(
    this.report ? (this.report.sentChain[0] ?? this.report.builtChain[0]) : undefined
  )

  readonly errors = $derived(this.report?.reasons.filter((r) => r.severity === 'error') ?? [])

  /** The core reported that the server's certificate is not the one an exception pins. */
  readonly changed: ChangedCertificate | null = $derived.by(() => {
    const report = this.report
    const finding = report?.reasons.find((r) => r.code === 'certificate-changed')
    if (!report || !finding) return null
    const p = finding.params
    return {
      host: report.host,
      port: report.port,
      acceptedSha256: text(p['acceptedSha256']) ?? '',
      presentedSha256: text(p['presentedSha256']) ?? '',
      acceptedAt: text(p['acceptedAt'])
    }
  })

  async start(): Promise<void> {
    // Each attempt's report replaces the last one; null while an attempt has none yet, and
    // after signing out, so no view ever shows a verdict about another attempt.
    this.#unsubscribe ??= api.trust.onReportChanged((report) => {
      this.report = report
    })
    const report = await settle(
      () => api.trust.getReport(),
      (e) => (this.error = e)
    )
    if (report !== undefined) {
      this.report = report
      this.error = null
    }
    await this.loadSettings()
  }

  async loadSettings(): Promise<void> {
    this.settingsError = null
    const onError = (e: UiError) => (this.settingsError = e)
    const [exceptions, decisions] = await Promise.all([
      settle(() => api.trust.listExceptions(), onError),
      settle(() => api.trust.listDomainDecisions(), onError)
    ])
    if (exceptions) this.exceptions = exceptions
    if (decisions) this.decisions = decisions
  }

  /**
   * Accepts exactly the certificate the user saw: the fingerprint is repeated and `confirm` is
   * the literal true the contract demands, so a stale view cannot accept a different certificate.
   */
  async acceptException(host: string, port: number, sha256: string): Promise<boolean> {
    this.exceptionError = null
    const entry = await settle(
      () => api.trust.acceptException({ host, port, sha256, confirm: true }),
      (e) => (this.exceptionError = e)
    )
    if (!entry) return false
    this.exceptions = [
      ...this.exceptions.filter((e) => !(e.host === entry.host && e.port === entry.port)),
      entry
    ]
    return true
  }

  async revokeException(host: string, port: number): Promise<void> {
    this.settingsError = null
    // The core decides the live connection again (and drops it if no longer trusted); the new
    // report arrives as an event like any other.
    const result = await settle(
      () => api.trust.revokeException({ host, port }),
      (e) => (this.settingsError = e)
    )
    if (result)
      this.exceptions = this.exceptions.filter((e) => !(e.host === host && e.port === port))
  }

  async forgetDecision(sipDomain: string, serverHost: string): Promise<void> {
    this.settingsError = null
    const result = await settle(
      () => api.trust.forgetDomainDecision({ sipDomain, serverHost }),
      (e) => (this.settingsError = e)
    )
    if (result)
      this.decisions = this.decisions.filter(
        (d) => !(d.sipDomain === sipDomain && d.serverHost === serverHost)
      )
  }

  /** Answers the DNS-hijack question (and remembers the answer in the list). */
  async decideDomain(sipDomain: string, serverHost: string, allow: boolean): Promise<boolean> {
    this.settingsError = null
    const decision = await settle(
      () => api.trust.decideDomain({ sipDomain, serverHost, allow }),
      (e) => (this.settingsError = e)
    )
    if (!decision) return false
    this.decisions = [
      ...this.decisions.filter(
        (d) => !(d.sipDomain === decision.sipDomain && d.serverHost === decision.serverHost)
      ),
      decision
    ]
    return true
  }

  /** Connects to a server, evaluates it and closes: nothing but TLS is sent. */
  async checkServer(request: RequestOf<'trust:check-server'>): Promise<void> {
    this.checking = true
    this.checkError = null
    const report = await settle(
      () => api.trust.checkServer(request),
      (e) => (this.checkError = e)
    )
    this.checked = report ?? null
    this.checking = false
  }

  /** The helpdesk export of the last server test (redacted by the core). */
  async exportChecked(format: 'text' | 'json'): Promise<ReportExport | undefined> {
    this.checkError = null
    return settle(
      () => api.trust.exportReport({ format, source: 'server-check' }),
      (e) => (this.checkError = e)
    )
  }

  /** The helpdesk export of the current report (redacted by the core). */
  async exportReport(format: 'text' | 'json'): Promise<ReportExport | undefined> {
    this.error = null
    return settle(
      () => api.trust.exportReport({ format }),
      (e) => (this.error = e)
    )
  }

  stop(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = null
  }
}

/** The trust singleton. */
export const trust = new TrustStore()
