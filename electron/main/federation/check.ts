import { createHash } from 'node:crypto'
import { describeStep } from '../../../shared/discovery/wording'
import { isIP } from 'node:net'
import type { DiscoveredServer } from '../../../shared/types/connection'
import type {
  CaNamesStatus,
  FederationChain,
  FederationFinding,
  FederationOptions,
  FederationReport,
  FederationTls
} from '../../../shared/types/federation'
import type { RevocationMode } from '../../../shared/types/trust'
import type { DnsResolver } from '../sip/discovery'
import { createIssuerFetcher, isLoopbackAddress, type FetchOptions } from '../tls/aia'
import { loadAnchorBundle, loadCaFile, type TrustAnchor } from '../tls/anchors'
import {
  evaluateChain,
  type AnchorInput,
  type EvaluateInput,
  type EvaluationResult
} from '../tls/chain/evaluate'
import { parseCertificate, parseName } from '../tls/chain/parse'
import { readTlv } from '../tls/chain/der'
import {
  connectTls,
  ConnectError,
  type ClientCertificate,
  type ConnectResult,
  type HandshakeFacts
} from '../tls/connector'
import { sharedSecureContexts, type SecureContextCache } from '../tls/context-cache'
import { createRevocationChecker } from '../tls/revocation'
import { sharedRevocationCache, type RevocationCache } from '../tls/revocation-cache'
import { chainVerdict } from '../tls/decision'
import { sipIdentityFinding } from '../tls/identity'
import { decideFederation } from './decide'
import { discoverFederationServer } from './discovery'
import { finding, ownFindings, partnerClientFindings, partnerServerFindings } from './findings'
import { identityCertificates } from '../tls/client-identity'
import { buildOptionsRequest, exchangeOptions, noExchange } from './options'

/** How the federation checker is built: the trust settings, DNS and time limits. */
export interface FederationCheckerOptions {
  resolver: DnsResolver
  /** Admin CA files (policy, `--ca`): anchors with source 'policy'. */
  policyCaFiles?: string[]
  /** Use the platform trust store (default true). */
  platformAnchors?: boolean
  /**
   * CA files to count as part of the platform store, i.e. public CAs (source 'system'): how a lab
   * or an administrator states that a CA is a public one without installing it in the OS store.
   */
  publicCaFiles?: string[]
  revocation?: RevocationMode
  /** Connect + handshake budget (default 10 s). */
  timeoutMs?: number
  /** TLS 1.3: wait for the partner's verdict on our certificate (default 1 s). */
  postHandshakeMs?: number
  /** How long the partner has to answer OPTIONS (default 5 s). */
  optionsTimeoutMs?: number
  fetch?: FetchOptions
  revocationCache?: RevocationCache | null
  secureContexts?: SecureContextCache
  log?: (message: string) => void
}

/** One federation check. */
export interface FederationRequest {
  partnerDomain: string
  /** Our edge identity (what the edge presents when it connects out). */
  identity: ClientCertificate
  /** The partner's edge, instead of DNS discovery. */
  server?: { host: string; port?: number }
  /** SNI and the name to verify, instead of the server's host name. */
  servername?: string
  revocation?: RevocationMode
}

/** Connection failures worth trying the next DNS candidate for (RFC 3263 4.3). */
const nextCandidateOn = new Set(['dns', 'refused', 'unreachable', 'timeout'])

const sha256 = (b: string) => createHash('sha256').update(b).digest('hex')

interface Anchors {
  engine: AnchorInput[]
  pems: string[]
  key: string
}

async function loadFederationAnchors(o: FederationCheckerOptions): Promise<Anchors> {
  const bundle = await loadAnchorBundle({
    platform: o.platformAnchors !== false,
    policyFiles: o.policyCaFiles ?? []
  })
  const publicAnchors: TrustAnchor[] = []
  for (const f of o.publicCaFiles ?? []) publicAnchors.push(...(await loadCaFile(f, 'system')))
  // Public first: a CA given both ways counts as public.
  const ids = new Set(publicAnchors.map((a) => a.sha256))
  const rest = bundle.anchors.filter((a) => !ids.has(a.sha256))
  return {
    engine: [
      ...publicAnchors.map((a) => ({ der: a.der, source: a.source })),
      ...bundle.engine.filter((_, i) => !ids.has(bundle.anchors[i]!.sha256))
    ],
    pems: [...publicAnchors.map((a) => a.pem), ...rest.map((a) => a.pem)],
    key: sha256(`${bundle.key}|${publicAnchors.map((a) => a.sha256).join(',')}`)
  }
}

/** Our SIP domain as our certificate names it: the first host-only sip: URI, else a DNS name. */
function domainOf(leaf: Buffer | undefined): string | null {
  const p = leaf ? parseCertificate(leaf) : null
  if (!p?.ok) return null
  const sans = p.cert.subjectAltNames ?? []
  for (const s of sans) {
    if (s.type === 'uri' && /^sips?:[^@;]+$/i.test(s.value)) return s.value.replace(/^sips?:/i, '')
  }
  const dns = sans.find((s) => s.type === 'dns' && !s.value.startsWith('*'))
  return dns && dns.type === 'dns' ? dns.value : null
}

function dnText(der: Buffer): string {
  try {
    return parseName(readTlv(der)).text
  } catch {
    return `(unreadable name, ${der.length} bytes)`
  }
}

function nameKey(der: Buffer): string | null {
  try {
    return parseName(readTlv(der)).key
  } catch {
    return null
  }
}

function chainOf(result: EvaluationResult): FederationChain {
  return {
    presented: result.sentChain,
    builtChain: result.builtChain,
    anchor: result.anchor,
    revocation: result.revocation
  }
}

/**
 * The federation check: can our edge and the partner's federate over server-to-server mutual
 * TLS? Discovers the partner's edge, connects presenting our certificate, records what the
 * partner asked for and answered, evaluates its certificate in both roles it plays and ours in
 * both of ours, sends OPTIONS when the connection can be trusted, and lets decideFederation set
 * the verdict. Throws only for bad input (ConnectError client-cert-*, CaFileError).
 */
export class FederationChecker {
  constructor(private readonly o: FederationCheckerOptions) {}

  async check(req: FederationRequest): Promise<FederationReport> {
    const started = performance.now()
    const o = this.o
    const log = o.log ?? (() => undefined)
    const partnerDomain = req.partnerDomain.trim().toLowerCase().replace(/\.$/, '')
    const mode = req.revocation ?? o.revocation ?? 'soft-fail'
    const ownDers = identityCertificates(req.identity)
    const anchors = await loadFederationAnchors(o)
    const secureContext = (o.secureContexts ?? sharedSecureContexts).get(
      { key: anchors.key, pems: anchors.pems },
      req.identity
    )
    // URLs in certificates (AIA, CRL, OCSP) may lead to this machine only when the partner's
    // server is itself here, as for sign-in (tls/aia.ts); our own certificate follows the same rule.
    const evaluator = (allowLoopback: boolean) => {
      const fetch = { ...o.fetch, allowLoopback }
      const fetchIssuer = createIssuerFetcher({ ...fetch, log })
      const revocationCheck = createRevocationChecker({
        ...fetch,
        log,
        ...(o.revocationCache !== null ? { cache: o.revocationCache ?? sharedRevocationCache } : {})
      })
      return (
        chain: Buffer[],
        how: Omit<EvaluateInput, 'chain' | 'anchors' | 'fetchIssuer' | 'revocationCheck'>
      ) => evaluateChain({ ...how, chain, anchors: anchors.engine, fetchIssuer, revocationCheck })
    }

    const findings: FederationFinding[] = []
    const discovery = await discoverFederationServer(
      partnerDomain,
      o.resolver,
      req.server
        ? { host: req.server.host, ...(req.server.port ? { port: req.server.port } : {}) }
        : undefined
    )
    const local = isLoopbackAddress(discovery.candidates[0]?.address ?? null)
    // Our own certificate does not depend on the partner: evaluate it while TLS runs.
    const ownEvaluate = evaluator(local)
    const ownWork = Promise.all([
      ownEvaluate(ownDers, { purpose: 'client', policy: { revocation: mode, requireEku: false } }),
      ownEvaluate(ownDers, { purpose: 'server', policy: { revocation: 'off' } })
    ])
    let server: DiscoveredServer | null = null
    let conn: ConnectResult | null = null
    let failure: ConnectError | null = null
    for (const candidate of discovery.candidates) {
      server = candidate
      try {
        conn = await connectTls({
          host: candidate.host,
          address: candidate.address,
          port: candidate.port,
          servername: req.servername ?? (isIP(candidate.host) ? null : candidate.host),
          ca: anchors.pems,
          clientCert: req.identity,
          secureContext,
          ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
          ...(o.postHandshakeMs !== undefined ? { postHandshakeMs: o.postHandshakeMs } : {})
        })
        failure = null
        break
      } catch (e) {
        if (!(e instanceof ConnectError)) throw e
        failure = e
        if (!nextCandidateOn.has(e.code)) break
      }
    }

    // Whatever happens from here, the connection is closed before the report goes out.
    try {
      if (!server) {
        findings.push(
          finding(
            'discovery-failed',
            'error',
            { domain: partnerDomain },
            discovery.trace
              .map((s) => describeStep(s))
              .map((s) => `${s.query}: ${s.answer}`)
              .join('; ')
          )
        )
      } else if (server.source !== 'configured' && !server.via?.startsWith('_sipfederationtls.')) {
        findings.push(
          finding(
            'federation-srv-missing',
            'warning',
            {
              domain: partnerDomain,
              foundVia: server.via ?? `A/AAAA ${server.host}`,
              host: server.host,
              port: server.port
            },
            `no SRV _sipfederationtls._tcp.${partnerDomain}; used ${server.source} ${server.via ?? server.host}`
          )
        )
      }

      const facts: HandshakeFacts | null = conn?.handshake ?? failure?.handshake ?? null
      const hostName = req.servername ?? server?.host ?? partnerDomain
      const where = { host: server?.host ?? partnerDomain, port: server?.port ?? 0 }
      if (failure && server) {
        if (facts?.alert) {
          findings.push(
            finding('handshake-alert', 'error', { ...where, alert: facts.alert }, failure.message)
          )
        } else if (
          failure.code === 'client-cert-rejected' ||
          failure.code === 'client-cert-required'
        ) {
          findings.push(finding('partner-closed-connection', 'error', where, failure.message))
        } else {
          findings.push(
            finding('connect-failed', 'error', { ...where, reason: failure.code }, failure.message)
          )
        }
      }

      // The partner's certificate, in both roles, from the handshake even when it failed later.
      const partnerDers = conn?.sentChain ?? facts?.sentChain ?? null
      let partnerServer: EvaluationResult | null = null
      if (partnerDers && partnerDers.length > 0 && server) {
        const evaluate = evaluator(isLoopbackAddress(conn?.remoteAddress ?? server.address))
        const [asServer, asClient] = await Promise.all([
          evaluate(partnerDers, {
            host: hostName,
            purpose: 'server',
            policy: { revocation: mode }
          }),
          evaluate(partnerDers, {
            purpose: 'client',
            policy: { revocation: 'off', requireEku: false }
          })
        ])
        partnerServer = asServer
        findings.push(...partnerServerFindings(asServer, hostName))
        // Node/OpenSSL verified the same chain against the same anchors (without AIA downloads).
        if (
          conn &&
          chainVerdict(asServer.reasons, asServer.anchor !== null) === 'trusted' &&
          !conn.node.authorized &&
          asServer.chainNotes.fetched.length === 0
        ) {
          findings.push(
            finding(
              'partner-cert-invalid',
              'error',
              { subject: asServer.builtChain[0]?.subject ?? '?', reason: 'node-disagrees' },
              `OpenSSL rejected (${conn.node.authorizationError ?? 'no error code'}), TrustLine accepted`
            )
          )
        }
        findings.push(...partnerClientFindings(asClient, partnerDomain))
        // RFC 5922 / the DNS-hijack rule, as sign-in applies it (tls/identity.ts): a server DNS
        // sent us to outside the domain must name the domain, or DNS alone vouches for it.
        // Federation asks nobody, so what sign-in would ask about is a refusal here.
        const leaf = parseCertificate(partnerDers[0]!)
        const identity = leaf.ok ? sipIdentityFinding(leaf.cert, partnerDomain, server, null) : null
        if (identity?.code === 'sip-domain-unconfirmed') {
          findings.push(
            finding(
              'target-outside-domain',
              'error',
              { domain: partnerDomain, host: server.host, names: identity.ctx?.names ?? [] },
              identity.detail
            )
          )
        }
      }

      const [ownAsClient, ownAsServer] = await ownWork
      findings.push(...ownFindings(ownAsClient, ownAsServer))

      // What the partner said about the CAs it accepts.
      const requested = facts?.certificateRequested ?? null
      const caDers = facts?.certificateAuthorities ?? null
      let caNamesStatus: CaNamesStatus = 'unknown'
      if (requested === false) caNamesStatus = 'not-requested'
      else if (requested && caDers) caNamesStatus = caDers.length ? 'listed' : 'empty'
      else if (requested && facts?.protocol === 'TLSv1.3') caNamesStatus = 'hidden'
      const caNames = (caDers ?? []).map(dnText)
      if (conn && requested === false) {
        findings.push(
          finding(
            'certificate-not-requested',
            'warning',
            where,
            'no CertificateRequest in the handshake'
          )
        )
      }
      if (caNamesStatus === 'hidden') {
        findings.push(
          finding(
            'ca-names-hidden',
            'info',
            { protocol: facts?.protocol ?? 'TLSv1.3' },
            'CertificateRequest without certificate_authorities (RFC 8446 4.2.4)'
          )
        )
      }
      if (caNamesStatus === 'listed') {
        const listed = new Set(caDers!.map(nameKey))
        const ours = ownAsClient.builtChain.length ? ownAsClient.builtChain : ownAsClient.sentChain
        const ourIssuers = ownDers
          .map((d) => parseCertificate(d))
          .flatMap((p) => (p.ok ? [p.cert.issuer.key, p.cert.subject.key] : []))
        const anchored = ownAsClient.builtCertificates.map((c) => c.subject.key)
        if (![...ourIssuers, ...anchored].some((k) => listed.has(k))) {
          findings.push(
            finding(
              'our-ca-not-listed',
              'warning',
              { issuer: ours[0]?.issuer ?? '?', listed: caNames },
              `CertificateRequest certificate_authorities: ${caNames.join(' | ')}`
            )
          )
        }
      }

      // OPTIONS only over a connection our edge would itself trust: nothing is written to a server
      // whose certificate fails (the same rule as sign-in).
      let options: FederationOptions = noExchange(
        'not-sent',
        failure ? failure.code : 'discovery-failed'
      )
      if (conn) {
        const blocking = findings.find(
          (f) =>
            f.severity === 'error' &&
            (f.code.startsWith('partner-cert-') || f.code === 'target-outside-domain') &&
            f.code !== 'partner-cert-no-client-auth'
        )
        if (blocking) {
          options = noExchange('not-sent', blocking.code)
        } else {
          const timeoutMs = o.optionsTimeoutMs ?? 5000
          const request = buildOptionsRequest({
            partnerDomain,
            ourDomain: domainOf(ownDers[0]),
            local: conn.local
          })
          options = await exchangeOptions(conn.socket, request, timeoutMs)
          if (options.outcome === 'answered' && options.status !== null && options.status < 300) {
            findings.push(
              finding(
                'options-ok',
                'info',
                {
                  host: where.host,
                  status: options.status,
                  reason: options.reason ?? '',
                  rttMs: options.rttMs ?? 0
                },
                options.response?.split('\r\n')[0] ?? ''
              )
            )
          } else if (options.outcome === 'answered') {
            findings.push(
              finding(
                'options-rejected',
                'error',
                { ...where, status: options.status ?? 0, reason: options.reason ?? '' },
                options.response ?? ''
              )
            )
          } else if (options.outcome === 'silent') {
            findings.push(
              finding(
                'options-silent',
                'error',
                { ...where, seconds: Math.round(timeoutMs / 100) / 10 },
                `no final response in ${timeoutMs} ms`
              )
            )
          } else {
            findings.push(
              finding('options-closed', 'error', where, 'connection closed before a final response')
            )
          }
        }
      }

      const decision = decideFederation(findings, {
        partnerDomain,
        host: server?.host ?? null,
        port: server?.port ?? null
      })
      const tls: FederationTls = {
        handshake: conn ? 'completed' : failure ? 'failed' : 'not-attempted',
        protocol: conn?.tls.protocol ?? facts?.protocol ?? null,
        cipher: conn?.tls.cipher ?? null,
        servername: server ? (req.servername ?? (isIP(server.host) ? null : server.host)) : null,
        clientCertRequested: requested,
        clientCertSent: conn ? conn.tls.clientCertSent : requested === true,
        caNamesStatus,
        caNames,
        alert: facts?.alert ?? null,
        error: failure?.code ?? null
      }
      return {
        verdict: decision.verdict,
        headline: decision.headline,
        findings: decision.findings,
        partnerDomain,
        ourDomain: domainOf(ownDers[0]),
        server,
        trace: discovery.trace,
        tls,
        partnerChain: partnerServer ? chainOf(partnerServer) : null,
        ownChain: chainOf(ownAsClient),
        options,
        revocationMode: mode,
        evaluatedAt: new Date().toISOString(),
        durationMs: Math.round(performance.now() - started)
      }
    } finally {
      conn?.socket.destroy()
    }
  }
}
