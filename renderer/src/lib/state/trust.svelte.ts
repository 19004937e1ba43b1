import type { TrustReport, TrustVerdict } from '../../../../shared/types/trust'
import type {
  DomainDecision,
  ReportExport,
  TrustExceptionEntry
} from '../../../../shared/types/trust-settings'
import { api } from '../api'
import { settle, type UiError } from './result'

/** What the badge shows: a verdict, or that there is no connection to judge. */
export type BadgeState = TrustVerdict | 'not-connected'

/** An exception stored for this host:port whose certificate is not the one the server sent now. */
export interface ChangedCertificate {
  host: string
  port: number
  /** Null when only the core's `certificate-changed` reason says so (exceptions not loaded). */
  acceptedSha256: string | null
  presentedSha256: string
  acceptedSubject: string
}

/**
 * The trust report of the current connection, the stored exceptions and DNS-hijack decisions,
 * and the helpdesk export. Trust is decided in main; this only shows it and sends decisions.
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

  /** A stored exception for this server that pins a different certificate: a loud warning. */
  readonly changed: ChangedCertificate | null = $derived.by(() => {
    const report = this.report
    const leaf = this.leaf
    if (!report || !leaf) return null
    const stored = this.exceptions.find((e) => e.host === report.host && e.port === report.port)
    if (!stored) {
      // The core pins exceptions too and says so with its own reason code.
      return report.reasons.some((r) => r.code === 'certificate-changed')
        ? {
            host: report.host,
            port: report.port,
            acceptedSha256: null,
            presentedSha256: leaf.sha256,
            acceptedSubject: ''
          }
        : null
    }
    if (stored.sha256 === leaf.sha256) return null
    return {
      host: report.host,
      port: report.port,
      acceptedSha256: stored.sha256,
      presentedSha256: leaf.sha256,
      acceptedSubject: stored.subject
    }
  })

  async start(): Promise<void> {
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
  async checkServer(host: string, port: number, sipDomain?: string): Promise<void> {
    this.checking = true
    this.checkError = null
    const report = await settle(
      () => api.trust.checkServer({ host, port, ...(sipDomain ? { sipDomain } : {}) }),
      (e) => (this.checkError = e)
    )
    this.checked = report ?? null
    this.checking = false
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
