import type {
  ReasonParams,
  TrustReason,
  TrustReasonCode,
  TrustSeverity
} from '../../../../shared/types/trust'

/** Facts a check hands on with its finding; they become the finding's params. */
export interface FindingContext {
  /** Host name or IP the user connected to. */
  host?: string
  sipDomain?: string
  /** Relevant date (expiry, start, revocation) for date wording. */
  date?: Date
  /** Evaluation time, for relative wording ("5 days ago"). */
  at?: Date
  /** Names the certificate is actually valid for (first few), for mismatch wording. */
  names?: string[]
  /** Role of the certificate in the chain, for wording. */
  role?: 'leaf' | 'intermediate' | 'root'
  /** Whose certificate: the server's (default) or a client's. */
  purpose?: 'server' | 'client'
  /** Any further facts the wording uses (issuer, urls, count, …). */
  extra?: ReasonParams
}

/** A finding as the checks produce it: code, severity, where, technical detail and facts. */
export interface Finding {
  code: TrustReasonCode
  severity: TrustSeverity
  certIndex: number | null
  certSubject: string | null
  detail: string
  ctx?: FindingContext
}

/** A finding's facts as the params that cross IPC (dates as ISO 8601). */
export function paramsOf(ctx: FindingContext | undefined): ReasonParams {
  if (!ctx) return {}
  const p: ReasonParams = { ...ctx.extra }
  if (ctx.host !== undefined) p['host'] = ctx.host
  if (ctx.sipDomain !== undefined) p['sipDomain'] = ctx.sipDomain
  if (ctx.date) p['date'] = ctx.date.toISOString()
  if (ctx.at) p['at'] = ctx.at.toISOString()
  if (ctx.names) p['names'] = ctx.names
  if (ctx.role) p['role'] = ctx.role
  if (ctx.purpose) p['purpose'] = ctx.purpose
  return p
}

/**
 * Turns a finding into the shared TrustReason: code, severity and facts. No sentence is made
 * here; shared/reasons words it in the reader's language.
 */
export function toTrustReason(f: Finding): TrustReason {
  return {
    code: f.code,
    severity: f.severity,
    certIndex: f.certIndex,
    certSubject: f.certSubject,
    params: paramsOf(f.ctx),
    detail: f.detail
  }
}
