import type {
  FederationFinding,
  FederationFindingCode,
  FederationParam,
  FederationSeverity
} from '../../../shared/types/federation'
import type { CertificateDetails, TrustReason, TrustSeverity } from '../../../shared/types/trust'
import type { EvaluationResult } from '../tls/chain/evaluate'

/** Since this day public CAs issue TLS server certificates without clientAuth (Chrome Root Program). */
export const PUBLIC_CLIENT_AUTH_CUTOFF = '2026-06-15'

type Params = Record<string, FederationParam>

/** Builds a finding; every producer goes through here so the shape stays the same. */
export function finding(
  code: FederationFindingCode,
  severity: FederationSeverity,
  params: Params,
  detail: string,
  cert: { index: number; subject: string } | null = null
): FederationFinding {
  return {
    code,
    severity,
    certIndex: cert?.index ?? null,
    certSubject: cert?.subject ?? null,
    params,
    detail
  }
}

/** A chain finding's severity for federation, which asks nobody: a question counts as a warning. */
function severityOf(s: TrustSeverity): FederationSeverity {
  return s === 'question' ? 'warning' : s
}

/** YYYY-MM-DD of an ISO time: the one date form every language shows verbatim. */
export function day(iso: string): string {
  return iso.slice(0, 10)
}

/** The leaf's names for wording: DNS names and sip: URIs, as the certificate carries them. */
export function certificateNames(leaf: CertificateDetails | undefined): string[] {
  return (leaf?.subjectAltNames ?? [])
    .filter((s) => s.type === 'dns' || s.type === 'uri')
    .map((s) => s.value)
    .slice(0, 10)
}

/** Which certificate a chain finding is about: the built chain's, else the presented one's. */
function certAt(result: EvaluationResult, index: number | null): CertificateDetails | undefined {
  if (index === null) return undefined
  return result.builtChain[index] ?? result.sentChain[index]
}

const untrustedCodes = new Set<TrustReason['code']>([
  'unknown-issuer',
  'self-signed',
  'missing-intermediate'
])

/** The issuer the chain could not be anchored at: the top of the built path's issuer. */
function unanchoredIssuer(result: EvaluationResult): string {
  const top = result.builtChain[result.builtChain.length - 1] ?? result.sentChain[0]
  return top?.issuer ?? '?'
}

/**
 * The partner's chain as a server (our edge connecting to it), as federation findings. The chain
 * engine's own reasons keep their technical detail; errors the check explains itself (dates,
 * names, trust, revocation, EKU) get their own code, every other error is partner-cert-invalid.
 */
export function partnerServerFindings(result: EvaluationResult, host: string): FederationFinding[] {
  const leaf = result.builtChain[0] ?? result.sentChain[0]
  const subject = leaf?.subject ?? '?'
  const out: FederationFinding[] = []
  const seen = new Set<FederationFindingCode>()
  for (const r of result.reasons) {
    if (r.severity === 'info') continue
    const cert = certAt(result, r.certIndex)
    const where =
      r.certIndex === null ? null : { index: r.certIndex, subject: cert?.subject ?? '?' }
    const isLeaf = r.certIndex === 0
    const add = (code: FederationFindingCode, params: Params) => {
      if (seen.has(code) && code !== 'partner-cert-invalid' && code !== 'partner-cert-warning')
        return
      seen.add(code)
      out.push(finding(code, severityOf(r.severity), params, r.detail, where))
    }
    if (r.code === 'expired' && isLeaf) {
      add('partner-cert-expired', {
        host,
        subject,
        notAfter: day(leaf!.notAfter),
        sha256: leaf!.sha256
      })
    } else if (r.code === 'not-yet-valid' && isLeaf) {
      add('partner-cert-not-yet-valid', { host, subject, notBefore: day(leaf!.notBefore) })
    } else if (r.code === 'hostname-mismatch') {
      add('partner-cert-name-mismatch', { host, names: certificateNames(leaf) })
    } else if (untrustedCodes.has(r.code)) {
      add('partner-cert-untrusted', { subject, issuer: unanchoredIssuer(result) })
    } else if (r.code === 'revoked') {
      add('partner-cert-revoked', { subject, sha256: leaf?.sha256 ?? '?' })
    } else if (r.code === 'revocation-unknown') {
      add('partner-cert-revocation-unknown', { subject, mode: result.revocation.mode })
    } else if (r.code === 'extended-key-usage' && isLeaf) {
      add('partner-cert-no-server-auth', { subject, eku: leaf?.extendedKeyUsage ?? [] })
    } else if (r.severity === 'error') {
      add('partner-cert-invalid', { subject, reason: r.code })
    } else {
      add('partner-cert-warning', { subject, reason: r.code })
    }
  }
  return out
}

/**
 * The partner's certificate as a client (its edge connecting back to ours): it must allow TLS
 * client authentication (clientAuth, or no EKU at all). Trust in its CA is the server-role
 * evaluation's finding already, against the same anchors.
 */
export function partnerClientFindings(
  result: EvaluationResult,
  partnerDomain: string
): FederationFinding[] {
  const leaf = result.sentChain[0]
  const eku = result.reasons.find((r) => r.code === 'extended-key-usage' && r.severity === 'error')
  if (!eku || !leaf) return []
  return [
    finding(
      'partner-cert-no-client-auth',
      'error',
      { subject: leaf.subject, eku: leaf.extendedKeyUsage, domain: partnerDomain },
      eku.detail,
      { index: 0, subject: leaf.subject }
    )
  ]
}

/** Our own chain as a client towards the partner, plus the serverAuth check for its callbacks. */
export function ownFindings(
  asClient: EvaluationResult,
  asServer: EvaluationResult
): FederationFinding[] {
  const leaf = asClient.builtChain[0] ?? asClient.sentChain[0]
  if (!leaf) return []
  const subject = leaf.subject
  const where = (i: number | null) =>
    i === null ? null : { index: i, subject: certAt(asClient, i)?.subject ?? '?' }
  const out: FederationFinding[] = []
  const seen = new Set<FederationFindingCode>()
  const add = (
    code: FederationFindingCode,
    r: TrustReason,
    params: Params,
    severity: FederationSeverity = severityOf(r.severity)
  ) => {
    if (seen.has(code) && code !== 'own-cert-invalid') return
    seen.add(code)
    out.push(finding(code, severity, params, r.detail, where(r.certIndex)))
  }
  const anchor = asClient.anchor ?? asServer.anchor
  const publicCa = anchor !== null && (anchor.source === 'system' || anchor.source === 'bundled')
  for (const r of asClient.reasons) {
    if (r.severity === 'info') continue
    const isLeaf = r.certIndex === 0
    if (r.code === 'extended-key-usage' && isLeaf) {
      if (publicCa && day(leaf.notBefore) >= PUBLIC_CLIENT_AUTH_CUTOFF) {
        add('own-cert-public-ca-no-client-auth', r, {
          subject,
          issuer: leaf.issuer,
          anchor: anchor.subject,
          notBefore: day(leaf.notBefore),
          cutoff: PUBLIC_CLIENT_AUTH_CUTOFF,
          eku: leaf.extendedKeyUsage
        })
      } else {
        add('own-cert-no-client-auth', r, { subject, eku: leaf.extendedKeyUsage })
      }
    } else if (r.code === 'expired' && isLeaf) {
      add('own-cert-expired', r, { subject, notAfter: day(leaf.notAfter) })
    } else if (r.code === 'not-yet-valid' && isLeaf) {
      add('own-cert-not-yet-valid', r, { subject, notBefore: day(leaf.notBefore) })
    } else if (untrustedCodes.has(r.code)) {
      // Whether the partner trusts our CA is its anchors' business; ours only let us check the
      // rest of the chain, so this is a warning, not a verdict.
      add('own-cert-untrusted', r, { subject, issuer: unanchoredIssuer(asClient) }, 'warning')
    } else if (r.code === 'revoked') {
      add('own-cert-revoked', r, { subject, sha256: leaf.sha256 })
    } else if (r.severity === 'error') {
      add('own-cert-invalid', r, { subject, reason: r.code })
    }
  }
  const noServerAuth = asServer.reasons.find(
    (r) => r.code === 'extended-key-usage' && r.certIndex === 0
  )
  if (noServerAuth) {
    add('own-cert-no-server-auth', noServerAuth, { subject, eku: leaf.extendedKeyUsage }, 'warning')
  }
  return out
}
