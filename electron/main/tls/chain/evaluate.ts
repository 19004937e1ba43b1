import type {
  AnchorSource,
  CertificateDetails,
  ChainNotes,
  RevocationInfo,
  TrustAnchorInfo,
  TrustReason
} from '../../../../shared/types/trust'
import { sipIdentityFinding } from '../identity'
import { defaultPolicy, validatePath, type Purpose, type TrustPolicy } from './checks'
import { certificateDetails, isSelfSigned, malformedDetails } from './details'
import { peerNameFromHost, sanMatchesPeer, type PeerName } from './names'
import { maxChainCertificates, parseCertificate, pemToDer, type ParsedCertificate } from './parse'
import {
  buildPath,
  defaultLimits,
  type Anchor,
  type BuildLimits,
  type CandidatePath,
  type PoolCert
} from './path-builder'
import { toTrustReason, type Finding } from './reasons'

/** A trust anchor handed to the engine: DER bytes (or an already parsed certificate) and its source. */
export interface AnchorInput {
  der?: Buffer | Uint8Array
  cert?: ParsedCertificate
  source: AnchorSource
}

/** What the revocation hook reports for the leaf. */
export interface RevocationResult {
  status: 'good' | 'revoked' | 'unknown'
  source: 'ocsp' | 'crl' | null
  detail: string | null
}

/** Input of evaluateChain. */
export interface EvaluateInput {
  /** DER certificates exactly as the server sent them, leaf first. */
  chain: (Buffer | Uint8Array)[]
  anchors: AnchorInput[]
  /**
   * Extra untrusted intermediates the builder may use (cache, OS store, test corpora); not part
   * of what the server sent, so they never show up in sentChain or chain notes.
   */
  intermediates?: (Buffer | Uint8Array)[]
  /** DNS name or IP literal the client connected to; null/undefined skips the name check. */
  host?: string | null
  /**
   * SIP domain to check per RFC 5922 on its own (strict: not naming it is an error). Sign-in
   * judges the SIP domain with the server's origin instead (tls/identity.ts via the trust service).
   */
  sipDomain?: string | null
  /** Explicit peer name (overrides host), e.g. an RFC 822 name for client certificates. */
  peerName?: PeerName | null
  purpose?: Purpose
  /** Evaluation time; defaults to now. */
  at?: Date
  /** Downloads an AIA caIssuers URL; DER or PEM, one or several certificates, null on failure. */
  fetchIssuer?: (url: string) => Promise<Buffer | Buffer[] | null>
  /** Checks revocation of a validated chain (leaf first); only called for an otherwise valid path. */
  revocationCheck?: (chain: ParsedCertificate[]) => Promise<RevocationResult>
  policy?: Partial<TrustPolicy>
  /** Extra EKU OIDs the leaf must carry. */
  requiredEku?: string[]
  /** keyUsage bits the leaf must carry (when it has the extension). */
  requiredKeyUsage?: string[]
  limits?: Partial<BuildLimits>
  /** Time limit per hook call (fetchIssuer, revocationCheck) so a stuck download cannot hang a connect. */
  hookTimeoutMs?: number
}

/**
 * Result of evaluateChain: the chain's findings and what was built. It carries no verdict: the
 * trust service (or, offline, `chainVerdict`) hands the findings to tls/decision.ts.
 */
export interface EvaluationResult {
  /** Every finding about the chain, errors first. */
  reasons: TrustReason[]
  sentChain: CertificateDetails[]
  builtChain: CertificateDetails[]
  anchor: TrustAnchorInfo | null
  chainNotes: ChainNotes
  revocation: RevocationInfo
  evaluatedAt: string
  /** The parsed built chain (leaf first), for revocation, exceptions and logging. */
  builtCertificates: ParsedCertificate[]
  /** SHA-256 of the leaf (colon hex), the key for trust exceptions; null when unreadable. */
  leafSha256: string | null
}

/** At most this many extra (non-sent) intermediates are considered. */
const maxExtraIntermediates = 256

/** At most this many AIA downloads per evaluation. */
const maxFetches = 4

const severityOrder = { error: 0, question: 1, warning: 2, info: 3 } as const

function toBuffers(x: Buffer | Buffer[] | null): Buffer[] {
  if (!x) return []
  const arr = Array.isArray(x) ? x : [x]
  return arr.flatMap((b) =>
    b.subarray(0, 11).toString('latin1') === '-----BEGIN ' ? pemToDer(b.toString('latin1')) : [b]
  )
}

/**
 * Decides whether a server's (or client's) certificate chain can be trusted, and explains why.
 *
 * Pure apart from the optional hooks: builds every plausible path from the leaf through the sent
 * certificates (any order, duplicates, extras), AIA-fetched issuers and the anchors, validates
 * each per RFC 5280 with Web PKI strictness, checks the host name (RFC 6125) and SIP domain
 * (RFC 5922), and reports all findings of the chosen path rather than only the first.
 */
export async function evaluateChain(input: EvaluateInput): Promise<EvaluationResult> {
  try {
    return await evaluateUnguarded(input)
  } catch (e) {
    // Defence in depth: a bug must never turn into "trusted" or crash the main process.
    const at = input.at ?? new Date()
    return {
      reasons: [
        toTrustReason({
          code: 'malformed-certificate',
          severity: 'error',
          certIndex: null,
          certSubject: null,
          detail: `internal error while evaluating the chain: ${(e as Error).message}`,
          ctx: { at }
        })
      ],
      sentChain: [],
      builtChain: [],
      anchor: null,
      chainNotes: { unused: [], duplicates: [], outOfOrder: false, anchorSent: false, fetched: [] },
      revocation: { mode: 'off', status: 'not-checked', source: null, detail: null },
      evaluatedAt: at.toISOString(),
      builtCertificates: [],
      leafSha256: null
    }
  }
}

/** Default time limit per hook call. */
const defaultHookTimeoutMs = 10_000

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)
  })
  return Promise.race([p, limit]).finally(() => clearTimeout(timer))
}

async function evaluateUnguarded(input: EvaluateInput): Promise<EvaluationResult> {
  const hookMs = input.hookTimeoutMs ?? defaultHookTimeoutMs
  // Certificate times have one-second resolution (RFC 5280 4.1.2.5), so compare at that resolution.
  const at = new Date(Math.floor((input.at ?? new Date()).getTime() / 1000) * 1000)
  const policy: TrustPolicy = { ...defaultPolicy, ...input.policy }
  const limits: BuildLimits = { ...defaultLimits, ...input.limits }
  const purpose = input.purpose ?? 'server'
  const findings: Finding[] = []
  const add = (f: Omit<Finding, 'ctx'> & { ctx?: Finding['ctx'] }) =>
    findings.push({ ...f, ctx: { at, ...f.ctx } })
  const notes: ChainNotes = {
    unused: [],
    duplicates: [],
    outOfOrder: false,
    anchorSent: false,
    fetched: []
  }
  const revocation: RevocationInfo = {
    mode: policy.revocation,
    status: 'not-checked',
    source: null,
    detail: null
  }

  let raw = input.chain
  if (raw.length > maxChainCertificates) {
    add({
      code: 'chain-limit',
      severity: 'error',
      certIndex: null,
      certSubject: null,
      detail: `server sent ${raw.length} certificates; only the first ${maxChainCertificates} were examined`,
      ctx: { extra: { count: raw.length } }
    })
    raw = raw.slice(0, maxChainCertificates)
  }
  const parsed = raw.map((d) => parseCertificate(d))
  const sentChain = parsed.map((p) =>
    p.ok ? certificateDetails(p.cert, at) : malformedDetails(p.failure)
  )
  parsed.forEach((p, i) => {
    if (!p.ok) {
      add({
        code: 'malformed-certificate',
        severity: i === 0 ? 'error' : 'warning',
        certIndex: i === 0 ? 0 : null,
        certSubject: null,
        detail: `sent certificate #${i} cannot be parsed (${p.failure.error})${i === 0 ? '' : '; ignored'}`,
        ctx: { role: i === 0 ? 'leaf' : 'intermediate' }
      })
    }
  })
  const anchors: Anchor[] = []
  for (const a of input.anchors) {
    const cert = a.cert ?? (a.der ? parseCertificate(a.der) : null)
    if (cert && 'ok' in cert) {
      if (cert.ok) anchors.push({ cert: cert.cert, source: a.source })
    } else if (cert) anchors.push({ cert, source: a.source })
  }

  const leafParse = parsed[0]
  if (!leafParse || !leafParse.ok) {
    if (!leafParse) {
      add({
        code: 'no-certificate',
        severity: 'error',
        certIndex: null,
        certSubject: null,
        detail: 'empty certificate list'
      })
    }
    return finish([], null)
  }
  const leaf = leafParse.cert

  const pool: PoolCert[] = []
  const firstIndex = new Map<string, number>()
  parsed.forEach((p, i) => {
    if (!p.ok) return
    const prev = firstIndex.get(p.cert.sha256)
    if (prev !== undefined) {
      notes.duplicates.push(i)
      return
    }
    firstIndex.set(p.cert.sha256, i)
    if (i > 0) pool.push({ cert: p.cert, sentIndex: i, fetchedFrom: null })
  })

  for (const der of (input.intermediates ?? []).slice(0, maxExtraIntermediates)) {
    const p = parseCertificate(der)
    if (
      p.ok &&
      !firstIndex.has(p.cert.sha256) &&
      !pool.some((x) => x.cert.sha256 === p.cert.sha256)
    ) {
      pool.push({ cert: p.cert, sentIndex: null, fetchedFrom: null })
    }
  }

  const ctx = {
    at,
    purpose,
    policy,
    requiredEku: input.requiredEku,
    requiredKeyUsage: input.requiredKeyUsage
  }
  const validator = (path: ParsedCertificate[], anchor: Anchor) =>
    validatePath(path, true, ctx, anchor.source)
  let outcome = buildPath(leaf, pool, anchors, validator, limits)
  const fetchedUrls = new Set<string>()
  const fetchFailures: string[] = []
  // Like browsers, download missing issuers (AIA caIssuers) only when no path reaches an anchor.
  while (
    !outcome.best?.anchor &&
    !outcome.valid &&
    input.fetchIssuer &&
    fetchedUrls.size < maxFetches
  ) {
    const urls = [...new Set(outcome.deadEnds.flatMap((c) => c.caIssuers))].filter(
      (u) => !fetchedUrls.has(u)
    )
    if (urls.length === 0) break
    let added = false
    for (const url of urls.slice(0, maxFetches - fetchedUrls.size)) {
      fetchedUrls.add(url)
      let got: Buffer[]
      try {
        got = toBuffers(await withTimeout(input.fetchIssuer(url), hookMs, 'AIA download'))
      } catch (e) {
        fetchFailures.push(`${url}: ${(e as Error).message}`)
        continue
      }
      if (got.length === 0) fetchFailures.push(`${url}: nothing usable downloaded`)
      for (const der of got.slice(0, maxChainCertificates)) {
        const p = parseCertificate(der)
        if (p.ok && !pool.some((x) => x.cert.sha256 === p.cert.sha256)) {
          pool.push({ cert: p.cert, sentIndex: null, fetchedFrom: url })
          added = true
        } else if (!p.ok) fetchFailures.push(`${url}: ${p.failure.error}`)
      }
    }
    if (!added) break
    outcome = buildPath(leaf, pool, anchors, validator, limits)
  }

  let chosen: CandidatePath | null = outcome.valid ?? outcome.best
  if (!chosen) chosen = { path: [leaf], anchor: null, findings: [] }
  const path = chosen.path
  if (chosen.anchor) {
    findings.push(...chosen.findings)
  } else {
    findings.push(...validatePath(path, false, ctx))
    const top = path[path.length - 1]!
    const ti = path.length - 1
    const base = { severity: 'error' as const, certIndex: ti, certSubject: top.subject.text }
    if (outcome.exhausted || outcome.depthExceeded) {
      add({
        ...base,
        code: 'chain-too-long',
        detail: outcome.exhausted
          ? `path building gave up after ${limits.maxSteps} candidate issuers`
          : `no trusted path within ${limits.maxDepth} certificates`
      })
    }
    if (isSelfSigned(top)) {
      add({
        ...base,
        code: ti === 0 ? 'self-signed' : 'unknown-issuer',
        detail:
          ti === 0
            ? `self-signed certificate, SHA-256 ${top.sha256}, is not a trust anchor`
            : `chain ends at self-signed root "${top.subject.text}" which is not a trust anchor`,
        ctx: { role: ti === 0 ? 'leaf' : 'root', extra: { issuer: top.subject.text } }
      })
    } else {
      const badSig = outcome.badSignatures.find((b) => b.cert === top)
      if (badSig) {
        add({
          ...base,
          code: 'bad-signature',
          detail: `issuer "${badSig.issuer.subject.text}" found but ${badSig.why}`
        })
      } else if (top.caIssuers.length > 0) {
        add({
          ...base,
          ctx: { extra: { issuer: top.issuer.text } },
          code: 'missing-intermediate',
          detail: `issuer "${top.issuer.text}" not sent; AIA caIssuers ${top.caIssuers.join(', ')} ${
            input.fetchIssuer
              ? `could not complete the chain (${fetchFailures.join('; ') || 'no usable issuer'})`
              : 'was not fetched'
          }`
        })
      } else {
        add({
          ...base,
          code: 'unknown-issuer',
          detail: `no trusted or sent certificate named "${top.issuer.text}" issued "${top.subject.text}"`,
          ctx: { extra: { issuer: top.issuer.text } }
        })
      }
    }
  }

  const peer = input.peerName ?? (input.host ? peerNameFromHost(input.host) : null)
  if (peer) {
    const sans = leaf.subjectAltNames ?? []
    if (!sanMatchesPeer(sans, peer)) {
      const names = sans.slice(0, 10).map((s) => ('value' in s ? s.value : s.name.text))
      add({
        code: 'hostname-mismatch',
        severity: 'error',
        certIndex: 0,
        certSubject: leaf.subject.text,
        detail: leaf.subjectAltNames
          ? `${peer.value} is not among the subjectAltNames [${names.join(', ')}${sans.length > 10 ? `, … ${sans.length - 10} more` : ''}]`
          : `${peer.value}: certificate has no subjectAltName (CN "${leaf.subject.text}" is not used, RFC 6125 6.4.4)`,
        ctx: { host: peer.value, names }
      })
    }
  }
  const identity = input.sipDomain ? sipIdentityFinding(leaf, input.sipDomain, null, null) : null
  if (identity) add(identity)

  // Chain notes: what the server sent versus what we used.
  const used = new Set<number>()
  const order: number[] = []
  for (const c of path) {
    const i = firstIndex.get(c.sha256)
    if (i !== undefined) {
      used.add(i)
      order.push(i)
    }
  }
  notes.outOfOrder = order.some((v, k) => k > 0 && v < order[k - 1]!)
  parsed.forEach((p, i) => {
    if (i > 0 && p.ok && !used.has(i) && !notes.duplicates.includes(i)) notes.unused.push(i)
  })
  const anchorIds = new Set(anchors.map((a) => `${a.cert.subject.key}|${a.cert.spkiId}`))
  notes.anchorSent = parsed.some(
    (p, i) => i > 0 && p.ok && anchorIds.has(`${p.cert.subject.key}|${p.cert.spkiId}`)
  )
  path.forEach((c, i) => {
    const f = pool.find((p) => p.cert.sha256 === c.sha256 && p.fetchedFrom)
    if (f?.fetchedFrom) notes.fetched.push({ certIndex: i, url: f.fetchedFrom })
  })
  const info = (
    code: Finding['code'],
    detail: string,
    severity: Finding['severity'] = 'info',
    ctx?: Finding['ctx']
  ) => add({ code, severity, certIndex: null, certSubject: null, detail, ...(ctx ? { ctx } : {}) })
  if (notes.outOfOrder)
    info('chain-order', `sent order of the used certificates: ${order.join(', ')}`)
  if (notes.unused.length || notes.duplicates.length) {
    info(
      'extra-certificates',
      `unused: [${notes.unused.join(', ')}], duplicates: [${notes.duplicates.join(', ')}] (indexes as sent)`
    )
  }
  if (notes.anchorSent)
    info('anchor-sent', 'the server included a certificate that is already a trust anchor')
  if (notes.fetched.length) {
    info(
      'incomplete-chain-fetched',
      `downloaded via AIA caIssuers: ${notes.fetched.map((f) => f.url).join(', ')}`,
      'warning',
      { extra: { urls: notes.fetched.map((f) => f.url) } }
    )
  }

  const pathValid = chosen.anchor !== null && !findings.some((f) => f.severity === 'error')
  if (pathValid && input.revocationCheck && policy.revocation !== 'off') {
    let r: RevocationResult
    try {
      r = await withTimeout(input.revocationCheck(path), hookMs, 'revocation check')
    } catch (e) {
      r = { status: 'unknown', source: null, detail: (e as Error).message }
    }
    revocation.status = r.status
    revocation.source = r.source
    revocation.detail = r.detail
    if (r.status === 'revoked') {
      add({
        code: 'revoked',
        severity: 'error',
        certIndex: 0,
        certSubject: leaf.subject.text,
        detail: r.detail ?? 'revoked'
      })
    } else if (r.status === 'unknown') {
      add({
        code: 'revocation-unknown',
        severity: policy.revocation === 'hard-fail' ? 'error' : 'warning',
        certIndex: 0,
        certSubject: leaf.subject.text,
        detail: r.detail ?? 'no revocation answer'
      })
    }
  }
  return finish(path, chosen.anchor)

  function finish(built: ParsedCertificate[], anchor: Anchor | null): EvaluationResult {
    const seen = new Set<string>()
    const reasons = findings
      .filter((f) => {
        const k = `${f.code}|${f.certIndex}|${f.detail}`
        if (seen.has(k)) return false
        seen.add(k)
        return true
      })
      .sort((a, b) => severityOrder[a.severity] - severityOrder[b.severity])
      .map((f) => toTrustReason(purpose === 'client' ? { ...f, ctx: { ...f.ctx, purpose } } : f))
    return {
      reasons,
      sentChain,
      builtChain: built.map((c) => certificateDetails(c, at)),
      anchor: anchor
        ? { subject: anchor.cert.subject.text, source: anchor.source, sha256: anchor.cert.sha256 }
        : null,
      chainNotes: notes,
      revocation,
      evaluatedAt: at.toISOString(),
      builtCertificates: built,
      leafSha256: parsed[0]?.ok ? parsed[0].cert.sha256 : (parsed[0]?.failure.sha256 ?? null)
    }
  }
}
