import type {
  FederationFinding,
  FederationFindingCode,
  FederationVerdict
} from '../../../shared/types/federation'

/**
 * Headline precedence: causes before the symptoms they produce. Our own certificate lacking
 * clientAuth comes before the alert the partner answers it with; a server DNS sent us to outside
 * the domain comes before anything that server says; the OPTIONS exchange only matters once TLS
 * works both ways.
 */
const precedence: readonly FederationFindingCode[] = [
  'discovery-failed',
  'connect-failed',
  'target-outside-domain',
  'own-cert-public-ca-no-client-auth',
  'own-cert-no-client-auth',
  'own-cert-expired',
  'own-cert-not-yet-valid',
  'own-cert-revoked',
  'own-cert-invalid',
  'handshake-alert',
  'partner-closed-connection',
  'partner-cert-expired',
  'partner-cert-not-yet-valid',
  'partner-cert-name-mismatch',
  'partner-cert-untrusted',
  'partner-cert-revoked',
  'partner-cert-revocation-unknown',
  'partner-cert-no-server-auth',
  'partner-cert-invalid',
  'partner-cert-no-client-auth',
  'options-rejected',
  'options-silent',
  'options-closed',
  'certificate-not-requested',
  'federation-srv-missing',
  'our-ca-not-listed',
  'own-cert-no-server-auth',
  'own-cert-untrusted',
  'partner-cert-warning',
  'ca-names-hidden',
  'options-ok',
  'federation-ready'
]

const severityRank = { error: 0, warning: 1, info: 2 } as const

/** What the decision needs besides the findings: who was checked, for the clean headline. */
export interface FederationContext {
  partnerDomain: string
  host: string | null
  port: number | null
}

/** The verdict and the finding that explains it. */
export interface FederationDecision {
  verdict: FederationVerdict
  headline: FederationFinding
  /** The findings sorted by severity, then precedence. */
  findings: FederationFinding[]
}

function rank(f: FederationFinding): [number, number] {
  return [severityRank[f.severity], precedence.indexOf(f.code)]
}

/**
 * The one place the federation verdict is made: not ready when any finding is an error, ready
 * otherwise; the headline is the most severe finding by the fixed precedence, or federation-ready
 * when nothing is worth a warning. Pure: producers only add findings.
 */
export function decideFederation(
  findings: readonly FederationFinding[],
  context: FederationContext
): FederationDecision {
  const sorted = [...findings].sort((a, b) => {
    const [sa, pa] = rank(a)
    const [sb, pb] = rank(b)
    return sa - sb || pa - pb
  })
  const verdict: FederationVerdict = sorted.some((f) => f.severity === 'error')
    ? 'not-ready'
    : 'ready'
  const top = sorted[0]
  const headline =
    top && top.severity !== 'info'
      ? top
      : {
          code: 'federation-ready' as const,
          severity: 'info' as const,
          certIndex: null,
          certSubject: null,
          params: {
            domain: context.partnerDomain,
            host: context.host ?? '?',
            port: context.port ?? '?'
          },
          detail: 'no error or warning'
        }
  return { verdict, headline, findings: sorted }
}
