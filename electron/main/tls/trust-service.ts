import type { TLSSocket } from 'node:tls'
import type { RevocationMode, TrustReason, TrustReport } from '../../../shared/types/trust'
import { createIssuerFetcher, type FetchOptions } from './aia'
import { loadAnchorBundle, preloadAnchors, type AnchorBundle, type AnchorSet } from './anchors'
import {
  evaluateChain,
  toTrustReport,
  type EvaluationResult,
  type RevocationResult
} from './chain/evaluate'
import { parseCertificate, type ParsedCertificate } from './chain/parse'
import { verifySignature } from './chain/signature'
import { connectTls, type ClientCertificate, type ConnectResult } from './connector'
import { sharedSecureContexts, type SecureContextCache } from './context-cache'
import type { ExceptionStore } from './exceptions'
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
  /** The account's SIP domain, checked per RFC 5922. */
  sipDomain?: string | null
  clientCert?: ClientCertificate
  /** Per-account extra CAs (PEM or DER bytes), anchors with source 'account'. */
  extraCas?: Buffer[]
  /** Revocation policy for this check; defaults to the service's. */
  revocation?: RevocationMode
  /** Keep a trusted connection open for the SIP layer (default true). */
  keepOpen?: boolean
}

/** The report, plus the open and paused socket when the verdict lets the caller proceed. */
export interface CheckServerResult {
  report: TrustReport
  /** Present only when the verdict is trusted or trusted-by-exception and keepOpen is not false. */
  socket?: TLSSocket
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
  log?: (message: string) => void
}

const severityOrder = { error: 0, warning: 1, info: 2 } as const

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

function makeReason(
  code: TrustReason['code'],
  severity: TrustReason['severity'],
  summary: string,
  detail: string,
  remedy: string
): TrustReason {
  return { code, severity, certIndex: null, certSubject: null, summary, detail, remedy }
}

/**
 * The trust engine's I/O half: connects, captures what the server sent, evaluates it with the
 * chain engine (AIA and revocation hooks wired to HTTP), cross-checks with Node's verifier and
 * applies the user's exceptions. Nothing is written on the socket here.
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

  /** Connects to host:port, evaluates, and returns the report (and the socket when trusted). */
  async checkServer(req: CheckServerRequest): Promise<CheckServerResult> {
    const o = this.options
    const log = o.log ?? (() => undefined)
    const anchors = await loadAnchorBundle(this.#anchorSet(req.extraCas))
    const ca = anchors.pems
    const secureContext = (o.secureContexts ?? sharedSecureContexts).get(anchors, req.clientCert)
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
    let conn: ConnectResult = await connectTls({ ...connectOpts, secureContext })
    const mode = req.revocation ?? o.revocation ?? 'soft-fail'
    const servername =
      req.servername === undefined ? conn.socket.servername || null : req.servername
    const check = createRevocationChecker({
      ...o.fetch,
      log,
      ...(o.revocationCache !== null ? { cache: o.revocationCache ?? sharedRevocationCache } : {})
    })
    const revocationCheck =
      mode === 'off' ? check : earlyRevocation(conn.sentChain, conn.node.authorized, check)
    let result: EvaluationResult
    try {
      result = await evaluateChain({
        chain: conn.sentChain,
        anchors: [...anchors.engine],
        host: servername ?? req.host,
        sipDomain: req.sipDomain ?? null,
        purpose: 'server',
        fetchIssuer: o.fetchIssuer ?? createIssuerFetcher({ ...o.fetch, log }),
        revocationCheck,
        policy: { revocation: mode }
      })
      // Node cannot see issuers we downloaded via AIA, so it rightly fails with "unable to get
      // issuer". Give it the same material: one more handshake with the fetched certificates
      // added to `ca` (OpenSSL still requires a path to a self-signed anchor, no partial chains).
      if (result.chainNotes.fetched.length > 0 && !conn.node.authorized) {
        const fetchedPems = result.chainNotes.fetched.map(
          (f) => result.builtChain[f.certIndex]!.pem
        )
        try {
          // A one-off context: these anchors plus what AIA fetched for this server.
          const second = await connectTls({ ...connectOpts, ca: [...ca, ...fetchedPems] })
          const sameLeaf =
            second.sentChain[0]?.equals(conn.sentChain[0] ?? Buffer.alloc(0)) ?? false
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
      conn.socket.destroy()
      throw e
    }

    const stored = o.exceptions ? await o.exceptions.find(req.host, req.port) : null
    const extra: TrustReason[] = []
    let exception: TrustReport['exception'] = null
    const revoked = result.reasons.some((r) => r.code === 'revoked')
    if (stored && stored.sha256 !== result.leafSha256) {
      // An error while nothing else vouches for the new certificate; when it now chains to a
      // trusted CA the exception is merely stale, which is worth a warning, not a block.
      extra.push({
        ...makeReason(
          'certificate-changed',
          result.verdict === 'trusted' ? 'warning' : 'error',
          'The server now presents a different certificate from the one you accepted as an exception, so it may not be the same server.',
          `Exception for ${req.host}:${req.port} pins ${stored.sha256} (accepted ${stored.acceptedAt}); the server presented ${result.leafSha256 ?? 'no readable certificate'}.`,
          'Do not accept it blindly: confirm with the server administrator that the certificate was replaced, then review and accept the new fingerprint.'
        ),
        certIndex: 0,
        certSubject: result.builtChain[0]?.subject ?? null
      })
    } else if (stored && !revoked) {
      exception = { sha256: stored.sha256, acceptedAt: stored.acceptedAt }
    }

    const report = toTrustReport(result, {
      host: req.host,
      port: req.port,
      servername,
      sipDomain: req.sipDomain ?? null,
      tls: { ...conn.tls, chainSource: conn.chainSource },
      node: conn.node,
      exception
    })
    report.reasons.push(...extra)
    if (conn.chainNote) log(`${req.host}:${req.port}: ${conn.chainNote}`)
    // Trusted only when Node's verifier agrees with ours (an exception is the user's explicit
    // decision about exactly this leaf, so it does not need Node's agreement).
    if (report.verdict === 'trusted' && !conn.node.authorized) {
      report.verdict = 'untrusted'
      report.reasons = report.reasons.map((r) =>
        r.code === 'node-disagrees' ? { ...r, severity: 'error' } : r
      )
      if (!report.reasons.some((r) => r.code === 'node-disagrees')) {
        report.reasons.push(
          makeReason(
            'node-disagrees',
            'error',
            "The system's TLS library judged this certificate differently from TrustLine's own check.",
            `OpenSSL rejected (${conn.node.authorizationError ?? 'no error code'}), TrustLine accepted`,
            'Report this to TrustLine support with the helpdesk report.'
          )
        )
      }
    }
    if (extra.some((r) => r.severity === 'error')) report.verdict = 'untrusted'
    report.reasons.sort((a, b) => severityOrder[a.severity] - severityOrder[b.severity])
    if (report.verdict === 'untrusted') o.exceptions?.offer(report)

    if (report.verdict !== 'untrusted' && req.keepOpen !== false) {
      return { report, socket: conn.socket }
    }
    conn.socket.destroy()
    return { report }
  }

  /** The shape the IPC trust handlers use: check, close, report. */
  asEngine(): {
    checkServer(r: {
      host: string
      port: number
      sipDomain?: string
      servername?: string
    }): Promise<TrustReport>
  } {
    return {
      checkServer: async (r) => (await this.checkServer({ ...r, keepOpen: false })).report
    }
  }
}

/** Builds the trust service. */
export function createTrustService(options: TrustServiceOptions = {}): TrustService {
  return new TrustService(options)
}
