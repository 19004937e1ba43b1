import {
  fitReasonParams,
  type ExceptionOffer,
  type NodeVerdict,
  type ServerCertificateVerdict,
  type TrustReason,
  type TrustReasonCode,
  type TrustSeverity,
  type TrustVerdict
} from '../../../shared/types/trust'

/**
 * The one place a trust verdict is decided.
 *
 * Every layer contributes findings (the chain engine, the SIP-domain rule, the connector); this
 * module alone turns them, with the context below (Node's own verdict, the user's stored
 * exception, the organisation's policy), into the verdict, the headline and the question whether
 * an exception could be offered. No other module sets or reinterprets a verdict, and the renderer
 * only displays what comes out of here.
 */

/** What a finding is about, which decides what can override it. */
type Scope = 'chain' | 'identity' | 'pin' | 'node' | 'connection'

const scopes: Partial<Record<TrustReasonCode, Scope>> = {
  'sip-domain-mismatch': 'identity',
  'sip-domain-unconfirmed': 'identity',
  'sip-domain-confirmed': 'identity',
  'sip-domain-refused': 'identity',
  'sip-domain-not-named': 'identity',
  'certificate-changed': 'pin',
  'exception-forbidden': 'pin',
  'node-disagrees': 'node',
  'client-cert-required': 'connection',
  'client-cert-rejected': 'connection',
  'client-cert-unreadable': 'connection',
  'client-cert-bad-passphrase': 'connection',
  'client-cert-key-mismatch': 'connection',
  'client-cert-expired': 'connection',
  'client-cert-not-for-client': 'connection',
  'connection-failed': 'connection'
}

const scopeOf = (code: TrustReasonCode): Scope => scopes[code] ?? 'chain'

/**
 * Chain problems Node's verifier (OpenSSL/BoringSSL as Node drives it) does not look at: where
 * TrustLine refuses for one of these and Node accepts, the difference is expected and only noted.
 */
export const notCheckedByNode: ReadonlySet<TrustReasonCode> = new Set<TrustReasonCode>([
  'revoked',
  'revocation-unknown',
  'weak-key',
  'weak-signature',
  'unsupported-algorithm',
  'malformed-certificate',
  'invalid-extension',
  'key-usage',
  'chain-limit'
])

/**
 * Which finding explains a refusal best, most important first. A changed pinned certificate and
 * revocation lead because they are the ones a user must not click through; chain problems follow
 * in the order a browser would name them. Codes not listed keep the engine's order after these.
 */
export const headlinePrecedence: readonly TrustReasonCode[] = [
  'certificate-changed',
  'revoked',
  'exception-forbidden',
  'account-ca-forbidden',
  'node-disagrees',
  'sip-domain-refused',
  'sip-domain-unconfirmed',
  'client-cert-unreadable',
  'client-cert-bad-passphrase',
  'client-cert-key-mismatch',
  'client-cert-expired',
  'client-cert-not-for-client',
  'client-cert-required',
  'client-cert-rejected',
  'connection-failed',
  'no-certificate',
  'malformed-certificate',
  'expired',
  'not-yet-valid',
  'hostname-mismatch',
  'sip-domain-mismatch',
  'self-signed',
  'unknown-issuer',
  'missing-intermediate',
  'bad-signature',
  'name-constraints',
  'weak-key',
  'weak-signature'
]

const severityRank: Record<TrustSeverity, number> = { error: 0, question: 1, warning: 2, info: 3 }

/** The user's stored exception for the host:port being judged. */
export interface StoredException {
  sha256: string
  acceptedAt: string
  subject?: string
}

/** The facts the decision needs besides the findings. */
export interface DecisionContext {
  /** The chain engine found a path to a trust anchor. */
  anchored: boolean
  /** SHA-256 of the leaf the server sent (colon hex), null when none was seen or readable. */
  leafSha256: string | null
  /** Subject of that leaf, for the findings this module adds. */
  leafSubject?: string | null
  /** The server as the exception store keys it. */
  host: string
  port: number
  /** Node's verdict on the same handshake; null when judged offline. */
  node: NodeVerdict | null
  /** The stored exception for host:port, whatever certificate it pins; null when none. */
  exception: StoredException | null
  /** Whether the organisation's policy allows trust exceptions, and which file says so. */
  exceptionsAllowed: boolean
  exceptionsLockedBy?: string | null
  /** The path ends at a CA the user added for the account (anchor source 'account'). */
  accountAnchor?: boolean
  /**
   * Whether the policy lets accounts trust CAs of their own now (policy/account-cas.ts), and
   * which file says no: a reloaded policy takes a connection trusted only through one away.
   */
  accountCasAllowed?: boolean
  accountCasLockedBy?: string | null
}

/** The verdict and everything the views show about it. */
export interface Decision {
  verdict: TrustVerdict
  /** The server's certificate on its own; differs from the verdict when the connection failed. */
  serverCertificate: ServerCertificateVerdict
  /** Every finding: the headline first, then by severity, otherwise in the producers' order. */
  reasons: TrustReason[]
  headline: TrustReason | null
  /** The exception that made the connection trusted, or null. */
  exception: { sha256: string; acceptedAt: string } | null
  exceptionOffer: ExceptionOffer
}

function derived(
  code: TrustReasonCode,
  severity: TrustSeverity,
  params: TrustReason['params'],
  detail: string,
  ctx: DecisionContext,
  onLeaf = true
): TrustReason {
  return {
    code,
    severity,
    certIndex: onLeaf ? 0 : null,
    certSubject: onLeaf ? (ctx.leafSubject ?? null) : null,
    params,
    detail
  }
}

function rank(code: TrustReasonCode): number {
  const i = headlinePrecedence.indexOf(code)
  return i < 0 ? headlinePrecedence.length : i
}

/**
 * Decides the verdict from the findings of every producer and the context.
 *
 * - Any error about the connection itself (refused, client certificate) means no verdict.
 * - Chain errors refuse the server unless the user's exception pins exactly this leaf, policy
 *   allows exceptions, and the leaf is not revoked. Identity (SIP domain), pin and Node errors
 *   are never covered by an exception.
 * - Node is consulted as a cross-check: it rejecting what TrustLine accepts refuses the
 *   connection; it accepting what TrustLine rejects for a reason it does not check is noted.
 * - A stored exception for another certificate is reported loudly (an error while nothing else
 *   vouches for the new one, a warning when a trusted CA does).
 * - A question (DNS sent the domain elsewhere) holds the connection until answered.
 */
export function decideVerdict(given: readonly TrustReason[], ctx: DecisionContext): Decision {
  // Facts cut to what a report carries, so an oversized one cannot make the report unusable.
  const findings = given.map((f) => ({ ...f, params: fitReasonParams(f.params) }))
  const chainErrors = findings.filter((f) => f.severity === 'error' && scopeOf(f.code) === 'chain')
  // An anchor the account added counts only while the policy allows the account's own CAs.
  const anchorRefused =
    ctx.anchored && ctx.accountAnchor === true && ctx.accountCasAllowed === false
  const chainOk = ctx.anchored && !anchorRefused && chainErrors.length === 0
  const revoked = findings.some((f) => f.code === 'revoked')
  const extra: TrustReason[] = []
  if (anchorRefused) {
    extra.push(
      derived(
        'account-ca-forbidden',
        'error',
        ctx.accountCasLockedBy ? { lockedBy: ctx.accountCasLockedBy } : {},
        `the path ends at a CA added for this account, which the policy does not allow${ctx.accountCasLockedBy ? ` (${ctx.accountCasLockedBy})` : ''}`,
        ctx,
        false
      )
    )
  }

  if (ctx.leafSha256 !== null && !ctx.anchored && chainErrors.length === 0) {
    // Defensive: the engine always says why a path has no anchor; never let silence pass.
    extra.push(
      derived('unknown-issuer', 'error', {}, 'no path to a trust anchor was found', ctx, false)
    )
  }

  if (ctx.node) {
    if (chainOk && !ctx.node.authorized) {
      extra.push(
        derived(
          'node-disagrees',
          'error',
          { direction: 'node-rejects', nodeError: ctx.node.authorizationError ?? '' },
          `OpenSSL rejected (${ctx.node.authorizationError ?? 'no error code'}), TrustLine's checks passed`,
          ctx,
          false
        )
      )
    } else if (!chainOk && ctx.node.authorized) {
      const unchecked = [...new Set(chainErrors.map((f) => f.code))].filter((c) =>
        notCheckedByNode.has(c)
      )
      if (unchecked.length > 0) {
        extra.push(
          derived(
            'node-disagrees',
            'info',
            { direction: 'node-accepts', codes: unchecked },
            `OpenSSL accepted; TrustLine refused for ${unchecked.join(', ')}, which OpenSSL does not check here`,
            ctx,
            false
          )
        )
      }
    }
  }

  let applied: Decision['exception'] = null
  const stored = ctx.exception
  if (stored && ctx.leafSha256 !== null) {
    if (stored.sha256 !== ctx.leafSha256) {
      const vouched = chainOk && ctx.node?.authorized !== false
      extra.push(
        derived(
          'certificate-changed',
          vouched ? 'warning' : 'error',
          {
            host: ctx.host,
            port: ctx.port,
            acceptedSha256: stored.sha256,
            presentedSha256: ctx.leafSha256,
            acceptedAt: stored.acceptedAt,
            ...(stored.subject ? { acceptedSubject: stored.subject } : {})
          },
          `Exception for ${ctx.host}:${ctx.port} pins ${stored.sha256} (accepted ${stored.acceptedAt}); the server presented ${ctx.leafSha256}.`,
          ctx
        )
      )
    } else if (!chainOk) {
      if (!ctx.exceptionsAllowed) {
        extra.push(
          derived(
            'exception-forbidden',
            'error',
            {
              host: ctx.host,
              port: ctx.port,
              acceptedAt: stored.acceptedAt,
              ...(ctx.exceptionsLockedBy ? { lockedBy: ctx.exceptionsLockedBy } : {})
            },
            `stored exception ${stored.sha256} ignored: allowTrustExceptions is false${ctx.exceptionsLockedBy ? ` (${ctx.exceptionsLockedBy})` : ''}`,
            ctx
          )
        )
      } else if (!revoked) {
        applied = { sha256: stored.sha256, acceptedAt: stored.acceptedAt }
      }
    }
  }

  const all = [...findings, ...extra]
  const covered = (f: TrustReason) =>
    applied !== null && scopeOf(f.code) === 'chain' && f.code !== 'revoked'
  const blocking = all.filter((f) => f.severity === 'error' && !covered(f))
  const connection = blocking.filter((f) => scopeOf(f.code) === 'connection')
  const questions = all.filter((f) => f.severity === 'question')

  // The server's certificate is judged whenever it was seen, also when the connection then failed
  // (a server that refused our client certificate still showed its own).
  const certificateBlocking = blocking.filter((f) => scopeOf(f.code) !== 'connection')
  let serverCertificate: ServerCertificateVerdict
  if (ctx.leafSha256 === null) serverCertificate = 'not-judged'
  else if (certificateBlocking.length > 0) serverCertificate = 'untrusted'
  else if (questions.length > 0) serverCertificate = 'needs-question'
  else serverCertificate = applied ? 'trusted-by-exception' : 'trusted'

  // An untrusted server is called untrusted even when the connection failed too; otherwise a
  // connection that could not be made has no verdict, whatever its certificate was.
  let verdict: TrustVerdict
  if (serverCertificate === 'untrusted') verdict = 'untrusted'
  else if (connection.length > 0 || serverCertificate === 'not-judged') verdict = 'no-verdict'
  else verdict = serverCertificate

  const candidates =
    verdict === 'needs-question'
      ? questions
      : verdict === 'untrusted'
        ? certificateBlocking
        : blocking
  const headline =
    verdict === 'trusted' || verdict === 'trusted-by-exception'
      ? null
      : (candidates.reduce<TrustReason | null>(
          (best, f) => (best === null || rank(f.code) < rank(best.code) ? f : best),
          null
        ) ?? null)

  const reasons = all
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        Number(b.f === headline) - Number(a.f === headline) ||
        severityRank[a.f.severity] - severityRank[b.f.severity] ||
        a.i - b.i
    )
    .map((x) => x.f)

  // Would an exception for exactly this leaf make the connection trusted? Only when every
  // blocking finding is a chain problem other than revocation (or the pin of another leaf,
  // which accepting this one replaces).
  const exceptionFixes =
    verdict === 'untrusted' &&
    ctx.leafSha256 !== null &&
    !revoked &&
    blocking.every(
      (f) =>
        (scopeOf(f.code) === 'chain' && f.code !== 'revoked') ||
        f.code === 'certificate-changed' ||
        f.code === 'exception-forbidden'
    ) &&
    !questions.length
  const exceptionOffer: ExceptionOffer = !exceptionFixes
    ? 'not-applicable'
    : ctx.exceptionsAllowed
      ? 'available'
      : 'forbidden-by-policy'

  return { verdict, serverCertificate, reasons, headline, exception: applied, exceptionOffer }
}

/** The verdict of a chain judged on its own (offline: no Node, no exception, no policy). */
export function chainVerdict(findings: readonly TrustReason[], anchored: boolean): TrustVerdict {
  return decideVerdict(findings, {
    anchored,
    leafSha256: 'offline',
    host: '',
    port: 0,
    node: null,
    exception: null,
    exceptionsAllowed: false
  }).verdict
}

/** True for the verdicts that let the SIP layer use the connection. */
export function isTrusted(verdict: TrustVerdict): boolean {
  return verdict === 'trusted' || verdict === 'trusted-by-exception'
}
