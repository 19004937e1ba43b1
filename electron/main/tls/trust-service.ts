import { randomBytes } from 'node:crypto'
import { isIP } from 'node:net'
import type { TLSSocket } from 'node:tls'
import type {
  RevocationMode,
  TrustReason,
  TrustReasonCode,
  TrustReport
} from '../../../shared/types/trust'
import { createIssuerFetcher, isLoopbackAddress, type FetchOptions } from './aia'
import { loadAnchorBundle, preloadAnchors, type AnchorBundle, type AnchorSet } from './anchors'
import { evaluateChain, type EvaluationResult, type RevocationResult } from './chain/evaluate'
import { parseCertificate, parseName, readTlv, type ParsedCertificate } from './chain/parse'
import { toTrustReason } from './chain/reasons'
import { verifySignature } from './chain/signature'
import {
  ConnectError,
  connectTls,
  type ClientCertificate,
  type ConnectErrorCode,
  type ConnectResult
} from './connector'
import { clientCertificateFindings } from './client-identity'
import { decideVerdict } from './decision'
import { sipIdentityFinding, type DomainAnswer, type ServerOrigin } from './identity'
import { sharedSecureContexts, type SecureContextCache } from './context-cache'
import type { ExceptionStore } from './exceptions'
import { markStage } from '../stage-trace'
import { createRevocationChecker } from './revocation'
import { sharedRevocationCache, type RevocationCache } from './revocation-cache'

/** One "can this server be trusted?" request. */
export interface CheckServerRequest {
  /** The server's name: the certificate must carry it; SNI default; key of trust exceptions. */
  host: string
  /** Where to dial (discovery's A/AAAA answer or override); defaults to host. */
  address?: string
  port: number
  /** SNI / name to verify; defaults to host (no SNI for IP literals). */
  servername?: string | null
  /** The account's SIP domain, checked per RFC 5922 (see `server` for how). */
  sipDomain?: string | null
  /**
   * How the server was found. With it, a certificate that does not name the SIP domain is judged
   * by the DNS-hijack rule (tls/identity.ts); without it, strictly as an error.
   */
  server?: ServerOrigin | null
  /** The user's remembered answer to the DNS-hijack question for (sipDomain, host). */
  domainAnswer?: DomainAnswer | null
  clientCert?: ClientCertificate
  /** Per-account extra CAs (PEM or DER bytes), anchors with source 'account'. */
  extraCas?: Buffer[]
  /** Revocation policy for this check; defaults to the service's. */
  revocation?: RevocationMode
  /** Keep a trusted connection open for the SIP layer (default true). */
  keepOpen?: boolean
  /**
   * False for a check nobody will answer with "accept this certificate" (the helpdesk's Test a
   * server): its result must not replace the exception a sign-in offered for the same host:port.
   */
  offersException?: boolean
  /** The connection attempt this check belongs to (a fresh id when absent). */
  attemptId?: string
}

/** The report, plus the open and paused socket when the verdict lets the caller proceed. */
export interface CheckServerResult {
  report: TrustReport
  /** Present only when the verdict is trusted or trusted-by-exception and keepOpen is not false. */
  socket?: TLSSocket
  /**
   * Decides this attempt again with the exception store and policy as they are now (after an
   * exception was revoked or the policy reloaded); the findings themselves are not re-measured.
   */
  redecide: () => Promise<TrustReport>
}

/** How the service is built. */
export interface TrustServiceOptions {
  /** Admin-configured CA files (enterprise policy), anchors with source 'policy'. */
  policyCaFiles?: string[]
  /** Use the platform trust store (default true). */
  platformAnchors?: boolean
  exceptions?: ExceptionStore
  revocation?: RevocationMode
  /** Overall connect/handshake budget per attempt. */
  timeoutMs?: number
  /** TLS 1.3 wait for the server's verdict on a client certificate. */
  postHandshakeMs?: number
  /** HTTP options for AIA, OCSP and CRL downloads. */
  fetch?: FetchOptions
  /**
   * Verified OCSP answers and CRLs reused until they expire (default: the process-wide cache;
   * null asks the responder on every check).
   */
  revocationCache?: RevocationCache | null
  /** TLS client contexts by anchors and client identity (default: the process-wide cache). */
  secureContexts?: SecureContextCache
  /** Replaces the AIA fetcher (tests, caching). */
  fetchIssuer?: (url: string) => Promise<Buffer | Buffer[] | null>
  /**
   * The organisation's policy on trust exceptions, read at every decision (so a reloaded policy
   * applies to the next decision and to `redecide`). Default: allowed.
   */
  exceptionPolicy?: () => { allowed: boolean; lockedBy?: string | null }
  /** Whether accounts may trust CAs of their own, read at every decision. Default: allowed. */
  accountCaPolicy?: () => { allowed: boolean; lockedBy?: string | null }
  log?: (message: string) => void
}

type RevocationCheck = (chain: ParsedCertificate[]) => Promise<RevocationResult>

/**
 * Starts the revocation check of the sent leaf right after the handshake, so the responder's
 * round trip overlaps our path building instead of following it; the engine's hook then takes
 * that answer when the validated path has the same leaf and issuer, and asks itself otherwise.
 *
 * Only for a chain OpenSSL already verified against the same anchors, and whose second
 * certificate signed the leaf: a chain nobody vouches for must not make us contact the URLs it
 * names. The verdict still waits for the answer (or the hook's time limit) as before.
 */
function earlyRevocation(
  sent: Buffer[],
  nodeAuthorized: boolean,
  check: RevocationCheck
): RevocationCheck {
  const [leafDer, issuerDer] = sent
  if (!nodeAuthorized || !leafDer || !issuerDer) return check
  const leaf = parseCertificate(leafDer)
  const issuer = parseCertificate(issuerDer)
  if (!leaf.ok || !issuer.ok || verifySignature(leaf.cert, issuer.cert) !== null) return check
  const early = check([leaf.cert, issuer.cert])
  // Unused when the engine settles on another path or stops before revocation: not an error.
  early.catch(() => undefined)
  return (path) =>
    path[0]?.sha256 === leaf.cert.sha256 && path[1]?.sha256 === issuer.cert.sha256
      ? early
      : check(path)
}

/**
 * The trust engine's I/O half: connects, captures what the server sent, has the chain engine
 * evaluate it (AIA and revocation hooks wired to HTTP), adds the SIP-domain finding, and hands
 * all findings with Node's verdict, the stored exception and the policy to tls/decision.ts.
 * The one place a report is assembled. Nothing is written on the socket here.
 */
export class TrustService {
  constructor(private readonly options: TrustServiceOptions = {}) {}

  #anchorSet(extraCas: Buffer[] | undefined): AnchorSet {
    return {
      platform: this.options.platformAnchors !== false,
      policyFiles: this.options.policyCaFiles ?? [],
      accountCas: extraCas ?? []
    }
  }

  /**
   * Warms the process-wide caches for this service's anchors without blocking: parses the OS
   * store and CA files, then builds the TLS context for a connection without a client
   * certificate. Call it when the app starts, well before the first sign-in. Never rejects.
   */
  async preload(): Promise<AnchorBundle | null> {
    const bundle = await preloadAnchors(this.#anchorSet(undefined))
    if (!bundle) return null
    await new Promise((r) => setImmediate(r))
    try {
      ;(this.options.secureContexts ?? sharedSecureContexts).get(bundle)
    } catch {
      // Nothing to warm; the first connection builds (and reports) it.
    }
    return bundle
  }

  /**
   * Connects to host:port, gathers every finding (chain, SIP domain, connection) and has
   * tls/decision.ts decide; returns the report (and the socket when trusted). A connection that
   * fails before a certificate is seen is a 'no-verdict' report, never a throw; only a broken
   * configuration (an unreadable policy CA file) throws.
   */
  async checkServer(req: CheckServerRequest): Promise<CheckServerResult> {
    const o = this.options
    const log = o.log ?? (() => undefined)
    const attemptId = req.attemptId ?? newAttemptId()
    const anchors = await loadAnchorBundle(this.#anchorSet(req.extraCas))
    const ca = anchors.pems
    const mode = req.revocation ?? o.revocation ?? 'soft-fail'
    const base = {
      attemptId,
      host: req.host,
      port: req.port,
      sipDomain: req.sipDomain ?? null
    }
    const connectOpts = {
      host: req.host,
      ...(req.address ? { address: req.address } : {}),
      port: req.port,
      ...(req.servername !== undefined ? { servername: req.servername } : {}),
      ca,
      ...(req.clientCert ? { clientCert: req.clientCert } : {}),
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.postHandshakeMs !== undefined ? { postHandshakeMs: o.postHandshakeMs } : {})
    }
    let conn: ConnectResult | null = null
    let failure: ConnectError | null = null
    try {
      const secureContext = (o.secureContexts ?? sharedSecureContexts).get(anchors, req.clientCert)
      conn = await connectTls({ ...connectOpts, secureContext })
    } catch (e) {
      if (!(e instanceof ConnectError)) throw e
      failure = e
    }
    // Our own certificate on its face (expired, not for clients): the likely cause when the
    // server refused it, a warning otherwise.
    const own = req.clientCert
      ? clientCertificateFindings(req.clientCert, failure?.code === 'client-cert-rejected').map(
          toTrustReason
        )
      : []
    const failureFinding = failure ? connectFinding(failure, req) : null
    // A server that refused our client certificate after proving it holds its own certificate's
    // key is judged as well; a certificate merely sent before the connection failed is anyone's.
    const shown = failure?.handshake?.keyProven ? failure.handshake.sentChain : null
    const sent = conn?.sentChain ?? shown ?? []
    if (sent.length === 0) {
      const report = noVerdictReport(
        { ...base, servername: req.servername ?? null, revocation: mode },
        [...(failureFinding ? [failureFinding] : []), ...own]
      )
      return { report, redecide: () => Promise.resolve(report) }
    }
    const servername =
      req.servername === undefined
        ? (conn?.socket.servername ?? (isIP(req.host) ? null : req.host)) || null
        : req.servername
    // URLs in the certificates may lead to this machine only when the server itself is here.
    const remote = conn?.remoteAddress ?? req.address ?? req.host
    const fetchOptions = { ...o.fetch, allowLoopback: isLoopbackAddress(remote) }
    const check = createRevocationChecker({
      ...fetchOptions,
      log,
      ...(o.revocationCache !== null ? { cache: o.revocationCache ?? sharedRevocationCache } : {})
    })
    const revocationCheck =
      mode === 'off' || !conn ? check : earlyRevocation(sent, conn.node.authorized, check)
    let result: EvaluationResult
    try {
      markStage('evaluation-start')
      result = await evaluateChain({
        chain: sent,
        anchors: [...anchors.engine],
        host: servername ?? req.host,
        purpose: 'server',
        fetchIssuer: o.fetchIssuer ?? createIssuerFetcher({ ...fetchOptions, log }),
        revocationCheck,
        policy: { revocation: mode }
      })
      // Node cannot see issuers we downloaded via AIA, so it rightly fails with "unable to get
      // issuer". Give it the same material: one more handshake with the fetched certificates
      // added to `ca` (OpenSSL still requires a path to a self-signed anchor, no partial chains).
      if (conn && result.chainNotes.fetched.length > 0 && !conn.node.authorized) {
        const fetchedPems = result.chainNotes.fetched.map(
          (f) => result.builtChain[f.certIndex]!.pem
        )
        try {
          // A one-off context: these anchors plus what AIA fetched for this server.
          const second = await connectTls({ ...connectOpts, ca: [...ca, ...fetchedPems] })
          const sameLeaf = second.sentChain[0]?.equals(sent[0] ?? Buffer.alloc(0)) ?? false
          if (sameLeaf) {
            conn.socket.destroy()
            conn = second
          } else {
            second.socket.destroy()
            log(`${req.host}:${req.port} presented a different leaf on the second handshake`)
          }
        } catch (e) {
          // Keep the first connection: Node's rejection then stands as a disagreement.
          log(`second handshake with ${req.host}:${req.port} failed: ${(e as Error).message}`)
        }
      }
    } catch (e) {
      conn?.socket.destroy()
      throw e
    }
    markStage('evaluation-done')
    if (conn?.chainNote) log(`${req.host}:${req.port}: ${conn.chainNote}`)

    // The SIP-domain finding: judged with how the server was found (the DNS-hijack rule).
    const leaf = result.builtCertificates[0]
    const findings = [...result.reasons]
    if (req.sipDomain && leaf) {
      const identity = sipIdentityFinding(
        leaf,
        req.sipDomain,
        req.server ?? null,
        req.domainAnswer ?? null
      )
      if (identity) findings.push(toTrustReason(identity))
    }
    if (failureFinding) findings.push(failureFinding)
    findings.push(...own)
    const handshake = failure?.handshake
    const facts: ReportFacts = {
      ...base,
      servername,
      sentChain: result.sentChain,
      builtChain: result.builtChain,
      anchor: result.anchor,
      chainNotes: result.chainNotes,
      tls: conn
        ? { ...conn.tls, chainSource: conn.chainSource }
        : {
            protocol: handshake?.protocol ?? null,
            cipher: null,
            clientCertRequested: handshake?.certificateRequested ?? false,
            clientCertSent: !!req.clientCert && handshake?.certificateRequested === true,
            chainSource: 'handshake'
          },
      node: conn?.node ?? null,
      revocation: result.revocation,
      evaluatedAt: result.evaluatedAt
    }
    const decideNow = () =>
      this.#decide(findings, facts, result.leafSha256, result.builtChain[0]?.subject ?? null)
    const report = await decideNow()
    if (report.exceptionOffer === 'available' && req.offersException !== false) {
      o.exceptions?.offer(report)
    }
    const redecide = () => decideNow()
    if (
      conn &&
      (report.verdict === 'trusted' || report.verdict === 'trusted-by-exception') &&
      req.keepOpen !== false
    ) {
      return { report, socket: conn.socket, redecide }
    }
    conn?.socket.destroy()
    return { report, redecide }
  }

  /** The decision with the exception store and policy as they are now. */
  async #decide(
    findings: TrustReason[],
    facts: ReportFacts,
    leafSha256: string | null,
    leafSubject: string | null
  ): Promise<TrustReport> {
    const stored = this.options.exceptions
      ? await this.options.exceptions.find(facts.host, facts.port)
      : null
    const policy = this.options.exceptionPolicy?.() ?? { allowed: true }
    const accountCas = this.options.accountCaPolicy?.() ?? { allowed: true }
    const decision = decideVerdict(findings, {
      anchored: facts.anchor !== null,
      leafSha256,
      leafSubject,
      host: facts.host,
      port: facts.port,
      node: facts.node,
      exception: stored
        ? { sha256: stored.sha256, acceptedAt: stored.acceptedAt, subject: stored.subject }
        : null,
      exceptionsAllowed: policy.allowed,
      exceptionsLockedBy: policy.lockedBy ?? null,
      accountAnchor: facts.anchor?.source === 'account',
      accountCasAllowed: accountCas.allowed,
      accountCasLockedBy: accountCas.lockedBy ?? null
    })
    return {
      ...facts,
      verdict: decision.verdict,
      serverCertificate: decision.serverCertificate,
      headline: decision.headline,
      reasons: decision.reasons,
      exception: decision.exception,
      exceptionOffer: decision.exceptionOffer
    }
  }
}

/** Builds the trust service. */
export function createTrustService(options: TrustServiceOptions = {}): TrustService {
  return new TrustService(options)
}

/** A fresh id for one connection attempt. */
export function newAttemptId(): string {
  return randomBytes(8).toString('hex')
}

/** Everything of a report but the decision. */
type ReportFacts = Omit<
  TrustReport,
  'verdict' | 'serverCertificate' | 'headline' | 'reasons' | 'exception' | 'exceptionOffer'
>

const findingOf: Partial<Record<ConnectErrorCode, TrustReasonCode>> = {
  'client-cert-required': 'client-cert-required',
  'client-cert-rejected': 'client-cert-rejected',
  'client-cert-unreadable': 'client-cert-unreadable',
  'client-cert-bad-passphrase': 'client-cert-bad-passphrase',
  'client-cert-key-mismatch': 'client-cert-key-mismatch'
}

/** The finding for a connection that failed before a certificate could be judged. */
export function connectFinding(
  e: ConnectError,
  where: { host: string; port: number; address?: string }
): TrustReason {
  const code = findingOf[e.code] ?? 'connection-failed'
  const h = e.handshake
  const asked = code === 'client-cert-required' || code === 'client-cert-rejected'
  // Which authorities the server accepts: listed in a TLS 1.2 CertificateRequest; TLS 1.3 only
  // names them in an optional extension most servers leave out (RFC 8446 §4.2.4).
  const caNames = asked ? (h?.certificateAuthorities ?? []).map(dnText) : []
  const hidden = asked && h?.protocol === 'TLSv1.3' && !h.certificateAuthorities?.length
  return {
    code,
    severity: 'error',
    certIndex: null,
    certSubject: null,
    params: {
      host: where.host,
      port: where.port,
      ...(where.address && where.address !== where.host ? { address: where.address } : {}),
      ...(code === 'connection-failed' ? { cause: e.code } : {}),
      ...(h?.alert ? { alert: h.alert } : e.causeCode ? { alert: e.causeCode } : {}),
      ...(caNames.length ? { caNames } : {}),
      ...(hidden ? { caNamesHidden: 'yes' } : {})
    },
    detail: e.message
  }
}

/** The report of an attempt that ended before any certificate was judged, and why. */
export function noVerdictReport(
  facts: {
    attemptId: string
    host: string
    port: number
    servername: string | null
    sipDomain: string | null
    revocation: RevocationMode
  },
  findings: TrustReason[]
): TrustReport {
  const decision = decideVerdict(findings, {
    anchored: false,
    leafSha256: null,
    host: facts.host,
    port: facts.port,
    node: null,
    exception: null,
    exceptionsAllowed: false
  })
  return {
    attemptId: facts.attemptId,
    serverCertificate: decision.serverCertificate,
    host: facts.host,
    port: facts.port,
    servername: facts.servername,
    sipDomain: facts.sipDomain,
    sentChain: [],
    builtChain: [],
    anchor: null,
    chainNotes: { unused: [], duplicates: [], outOfOrder: false, anchorSent: false, fetched: [] },
    tls: null,
    node: null,
    revocation: { mode: facts.revocation, status: 'not-checked', source: null, detail: null },
    evaluatedAt: new Date().toISOString(),
    verdict: decision.verdict,
    headline: decision.headline,
    reasons: decision.reasons,
    exception: null,
    exceptionOffer: 'not-applicable'
  }
}

/** A distinguished name (DER) as text, for the CA names a server asks for. */
function dnText(der: Buffer): string {
  try {
    return parseName(readTlv(der)).text
  } catch {
    return `(unreadable name, ${der.length} bytes)`
  }
}
