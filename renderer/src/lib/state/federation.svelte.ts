import { formatFederationReport } from '../../../../shared/federation/format'
import type { FederationLanguage } from '../../../../shared/federation/wording'
import type { FederationCheckRequest, FederationReport } from '../../../../shared/types/federation'
import { api } from '../api'
import { settle, type UiError } from './result'

/** A report ready to be saved: file name, MIME type and content. */
export interface FederationExport {
  filename: string
  mime: string
  content: string
}

/**
 * Parses the optional "host[:port]" of the partner's edge (`[v6]:port` too); null when it is not
 * one. An empty text means "discover it".
 */
export function parseServer(text: string): { host: string; port?: number } | null | undefined {
  const t = text.trim()
  if (t === '') return undefined
  const m = /^(?:\[([0-9a-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/i.exec(t)
  if (!m) return null
  const port = m[3] === undefined ? undefined : Number(m[3])
  if (port !== undefined && (port < 1 || port > 65535)) return null
  return { host: (m[1] ?? m[2])!, ...(port !== undefined ? { port } : {}) }
}

/**
 * The helpdesk's federation check: one request at a time, the last report kept until the next
 * check. The verdict and every sentence come from the core's codes and the shared catalog.
 */
class FederationStore {
  report = $state.raw<FederationReport | null>(null)
  error = $state.raw<UiError | null>(null)
  checking = $state(false)

  async check(request: FederationCheckRequest): Promise<void> {
    if (this.checking) return
    this.checking = true
    this.error = null
    const report = await settle(
      () => api.federation.check(request),
      (e) => (this.error = e)
    )
    this.report = report ?? null
    this.checking = false
  }

  /** The current report as text in a language, or as JSON (the DTO, for tickets and tools). */
  export(format: 'text' | 'json', language: FederationLanguage): FederationExport | null {
    const r = this.report
    if (!r) return null
    const stem = `trustline-federation-${r.partnerDomain}-${r.evaluatedAt.slice(0, 10)}`
    return format === 'text'
      ? {
          filename: `${stem}.txt`,
          mime: 'text/plain;charset=utf-8',
          content: formatFederationReport(r, language)
        }
      : {
          filename: `${stem}.json`,
          mime: 'application/json',
          content: JSON.stringify(r, null, 2)
        }
  }
}

/** The federation singleton. */
export const federation = new FederationStore()
