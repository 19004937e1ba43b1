import 'reflect-metadata'
import { createHash, randomBytes } from 'node:crypto'
import {
  BasicOCSPResponse,
  CertID,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  Request,
  TBSRequest,
  id_pkix_ocsp_basic,
  id_pkix_ocsp_nonce
} from '@peculiar/asn1-ocsp'
import { AsnConvert, OctetString } from '@peculiar/asn1-schema'
import {
  AlgorithmIdentifier,
  CRLDistributionPoints,
  CRLReasons,
  Extension
} from '@peculiar/asn1-x509'
import type { RevocationResult } from './chain/evaluate'
import { checkCrls, parseCrl } from './chain/crl'
import { children, readBitString, readOnly } from './chain/der'
import { signatureAlgorithms } from './chain/oids'
import { parseCertificate, type ParsedCertificate } from './chain/parse'
import { doVerify, verifySignature } from './chain/signature'
import { httpFetch, type FetchOptions } from './aia'
import type { RevocationCache } from './revocation-cache'
import { markStage } from '../stage-trace'

/** id-kp-OCSPSigning (RFC 6960 4.2.2.2). */
const ocspSigningEku = '1.3.6.1.5.5.7.3.9'
const sha1Oid = '1.3.14.3.2.26'
const crlDpOid = '2.5.29.31'

/** Tuning of the revocation checker. */
export interface RevocationOptions extends FetchOptions {
  /** Tolerated clock difference for thisUpdate/nextUpdate. */
  skewMs?: number
  /** Longest accepted age of a response without nextUpdate. */
  maxAgeWithoutNextUpdateMs?: number
  /** Send an OCSP nonce (RFC 8954); a response nonce, when present, must match. */
  nonce?: boolean
  /** Try CRLs when OCSP gives no answer (default true). */
  crlFallback?: boolean
  /** Keeps verified OCSP answers and CRLs until they expire (none by default). */
  cache?: RevocationCache
  /** How long an answer without nextUpdate is reused (default 1 h, never past its validity). */
  cacheWithoutNextUpdateMs?: number
  at?: () => Date
  log?: (message: string) => void
}

/** How long a verified OCSP answer holds (RFC 6960 4.2.2.1), for caching. */
export interface OcspValidity {
  thisUpdate: Date
  nextUpdate: Date | null
  /** notAfter of a delegated responder's certificate; null when the issuer signed. */
  signerNotAfter: Date | null
}

/** checkOcspResponse's answer: validity is set for a verified good or revoked status. */
export type OcspCheck = RevocationResult & { validity?: OcspValidity }

function sha1(b: Buffer | ArrayBuffer): Buffer {
  return createHash('sha1')
    .update(Buffer.from(b as ArrayBuffer))
    .digest()
}

function hex(b: ArrayBuffer | Buffer): string {
  return Buffer.from(b as ArrayBuffer).toString('hex')
}

function serialKey(b: ArrayBuffer | Buffer): string {
  return BigInt(`0x${hex(b) || '0'}`).toString(16)
}

const issuerKeyHashes = new WeakMap<ParsedCertificate, Buffer>()

/**
 * SHA-1 of the issuer's subjectPublicKey BIT STRING value, without tag, length and unused-bits
 * octet (RFC 6960 4.1.1 issuerKeyHash). Read with our own DER reader and kept per certificate:
 * the same issuer is hashed for the cache key, the request and the responder check of every
 * check, and an ASN.1 schema parse of its SPKI cost more than the cached answer it looks up.
 */
function issuerKeyHash(issuer: ParsedCertificate): Buffer {
  let hash = issuerKeyHashes.get(issuer)
  if (!hash) {
    const [, bits] = children(readOnly(issuer.key.spki))
    hash = sha1(readBitString(bits).bytes)
    issuerKeyHashes.set(issuer, hash)
  }
  return hash
}

/** The CertID of `cert` (SHA-1, as every responder supports, RFC 6960 4.1.1). */
export function certId(cert: ParsedCertificate, issuer: ParsedCertificate): CertID {
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: sha1Oid, parameters: null }),
    issuerNameHash: new OctetString(sha1(cert.issuer.raw)),
    issuerKeyHash: new OctetString(issuerKeyHash(issuer)),
    serialNumber: new Uint8Array(cert.serial).buffer
  })
}

/** DER OCSPRequest for one certificate, with an optional nonce. */
export function buildOcspRequest(
  cert: ParsedCertificate,
  issuer: ParsedCertificate,
  nonce: Buffer | null
): Buffer {
  const tbs = new TBSRequest({ requestList: [new Request({ reqCert: certId(cert, issuer) })] })
  if (nonce) {
    tbs.requestExtensions = [
      new Extension({
        extnID: id_pkix_ocsp_nonce,
        critical: false,
        extnValue: new OctetString(AsnConvert.serialize(new OctetString(nonce)))
      })
    ]
  }
  return Buffer.from(AsnConvert.serialize(new OCSPRequest({ tbsRequest: tbs })))
}

function sameId(a: CertID, b: CertID): boolean {
  return (
    a.hashAlgorithm.algorithm === b.hashAlgorithm.algorithm &&
    hex(a.issuerNameHash.buffer) === hex(b.issuerNameHash.buffer) &&
    hex(a.issuerKeyHash.buffer) === hex(b.issuerKeyHash.buffer) &&
    serialKey(a.serialNumber) === serialKey(b.serialNumber)
  )
}

/**
 * Checks an OCSP response for `cert` (RFC 6960): status successful, signed by the issuer or by a
 * delegated responder the issuer certified with id-kp-OCSPSigning, matching CertID, fresh.
 */
export function checkOcspResponse(
  body: Buffer,
  cert: ParsedCertificate,
  issuer: ParsedCertificate,
  o: { at: Date; nonce: Buffer | null; skewMs: number; maxAgeMs: number }
): OcspCheck {
  const unknown = (detail: string): RevocationResult => ({
    status: 'unknown',
    source: 'ocsp',
    detail
  })
  let resp: OCSPResponse
  let basic: BasicOCSPResponse
  try {
    resp = AsnConvert.parse(body, OCSPResponse)
    if (resp.responseStatus !== OCSPResponseStatus.successful) {
      return unknown(`OCSP responder answered ${OCSPResponseStatus[resp.responseStatus]}`)
    }
    if (!resp.responseBytes || resp.responseBytes.responseType !== id_pkix_ocsp_basic) {
      return unknown('OCSP response is not a basic response')
    }
    basic = AsnConvert.parse(resp.responseBytes.response.buffer, BasicOCSPResponse)
  } catch (e) {
    return unknown(`unreadable OCSP response: ${(e as Error).message}`)
  }
  const tbs = basic.tbsResponseDataRaw
    ? Buffer.from(basic.tbsResponseDataRaw)
    : Buffer.from(AsnConvert.serialize(basic.tbsResponseData))
  const sigOid = basic.signatureAlgorithm.algorithm
  const signed = {
    tbs,
    signatureOid: sigOid,
    signatureInfo: signatureAlgorithms[sigOid] ?? null,
    pss: null,
    signature: Buffer.from(basic.signature)
  }
  // Signer: the issuer itself, or a delegated responder certificate included in the response.
  const rid = basic.tbsResponseData.responderID
  const keyHash = issuerKeyHash(issuer)
  let signer: ParsedCertificate | null = null
  let why = ''
  const byIssuer = rid.byKey
    ? hex(rid.byKey.buffer) === keyHash.toString('hex')
    : rid.byName
      ? Buffer.from(AsnConvert.serialize(rid.byName)).equals(issuer.subject.raw)
      : false
  if (byIssuer) signer = issuer
  else {
    for (const c of basic.certs ?? []) {
      const p = parseCertificate(Buffer.from(AsnConvert.serialize(c)))
      if (!p.ok) continue
      const r = p.cert
      if (verifySignature(r, issuer)) {
        why = `responder ${r.subject.text} is not certified by ${issuer.subject.text}`
        continue
      }
      if (!r.extKeyUsage?.includes(ocspSigningEku)) {
        why = `responder ${r.subject.text} lacks id-kp-OCSPSigning`
        continue
      }
      if (o.at < r.notBefore || o.at > r.notAfter) {
        why = `responder certificate ${r.subject.text} is outside its validity`
        continue
      }
      signer = r
      break
    }
  }
  if (!signer)
    return unknown(
      `OCSP response not signed by the issuer or an authorised responder${why ? ` (${why})` : ''}`
    )
  const bad = doVerify(signed, signer)
  if (bad) return unknown(`OCSP response signature invalid: ${bad}`)

  if (o.nonce) {
    const ext = basic.tbsResponseData.responseExtensions?.find(
      (e) => e.extnID === id_pkix_ocsp_nonce
    )
    if (ext) {
      const inner = Buffer.from(ext.extnValue.buffer)
      let value = inner
      try {
        value = Buffer.from(AsnConvert.parse(inner, OctetString).buffer)
      } catch {
        // Some responders put the raw nonce without the inner OCTET STRING.
      }
      if (!value.equals(o.nonce)) return unknown('OCSP response nonce does not match the request')
    }
  }
  const want = certId(cert, issuer)
  const single = basic.tbsResponseData.responses.find((r) => sameId(r.certID, want))
  if (!single) return unknown('OCSP response does not cover this certificate')
  const at = o.at.getTime()
  const range = `thisUpdate ${single.thisUpdate.toISOString()}${single.nextUpdate ? `, nextUpdate ${single.nextUpdate.toISOString()}` : ''}`
  if (single.thisUpdate.getTime() > at + o.skewMs)
    return unknown(`OCSP response is from the future (${range})`)
  if (
    single.nextUpdate
      ? single.nextUpdate.getTime() < at - o.skewMs
      : single.thisUpdate.getTime() < at - o.maxAgeMs
  ) {
    return unknown(`OCSP response is stale (${range})`)
  }
  const validity: OcspValidity = {
    thisUpdate: single.thisUpdate,
    nextUpdate: single.nextUpdate ?? null,
    signerNotAfter: signer === issuer ? null : signer.notAfter
  }
  if (single.certStatus.revoked) {
    const ri = single.certStatus.revoked
    return {
      status: 'revoked',
      source: 'ocsp',
      detail: `revoked at ${ri.revocationTime.toISOString()}${ri.revocationReason !== undefined ? ` (reason ${CRLReasons[ri.revocationReason.reason] ?? ri.revocationReason.reason})` : ''}; OCSP ${range}`,
      validity
    }
  }
  if (single.certStatus.good !== undefined)
    return { status: 'good', source: 'ocsp', detail: `OCSP good; ${range}`, validity }
  return unknown(`OCSP responder does not know this certificate; ${range}`)
}

/** HTTP URIs of the certificate's CRL distribution points (RFC 5280 4.2.1.13). */
export function crlUrls(cert: ParsedCertificate): string[] {
  const ext = cert.extensions.find((e) => e.oid === crlDpOid)
  if (!ext) return []
  try {
    const dps = AsnConvert.parse(ext.value, CRLDistributionPoints)
    return dps.flatMap((dp) =>
      (dp.distributionPoint?.fullName ?? [])
        .map((gn) => gn.uniformResourceIdentifier)
        .filter((u): u is string => typeof u === 'string' && u.startsWith('http'))
    )
  } catch {
    return []
  }
}

/** The cache key of a certificate's OCSP status: its CertID (issuer name and key, serial). */
export function ocspCacheKey(cert: ParsedCertificate, issuer: ParsedCertificate): string {
  return [
    sha1Oid,
    sha1(cert.issuer.raw).toString('hex'),
    issuerKeyHash(issuer).toString('hex'),
    serialKey(cert.serial)
  ].join(':')
}

/**
 * Until when a verified OCSP answer may be reused: its nextUpdate; without one (RFC 6960
 * 4.2.2.1: newer information is always available) a short default, never past the age the
 * checker accepts; never past a delegated responder certificate's notAfter. Null: do not keep it.
 */
export function ocspCacheUntil(
  v: OcspValidity,
  fetchedAt: Date,
  o: { maxAgeMs: number; withoutNextUpdateMs: number }
): Date | null {
  let until = v.nextUpdate
    ? v.nextUpdate.getTime()
    : Math.min(fetchedAt.getTime() + o.withoutNextUpdateMs, v.thisUpdate.getTime() + o.maxAgeMs)
  if (v.signerNotAfter) until = Math.min(until, v.signerNotAfter.getTime())
  return until > fetchedAt.getTime() ? new Date(until) : null
}

const stamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

/** Says where a reused answer came from, for the helpdesk. */
function cachedDetail(
  kind: 'OCSP response' | 'CRL',
  e: { url: string; fetchedAt: Date; validUntil: Date },
  detail: string | null
): string {
  return `${kind} cached from ${stamp(e.fetchedAt)}, valid until ${stamp(e.validUntil)}; ${e.url}: ${detail ?? ''}`
}

function crlDer(body: Buffer): Buffer {
  return body.subarray(0, 16).toString('latin1').startsWith('-----BEGIN')
    ? Buffer.from(body.toString('latin1').replace(/-----[^-]+-----|\s+/g, ''), 'base64')
    : body
}

/**
 * The evaluator's revocationCheck hook for the leaf: OCSP first (the AIA OCSP URL), then CRLs from
 * the distribution points. Never throws; 'unknown' carries why, and the engine applies the
 * soft-fail/hard-fail policy to it. With a cache, a verified answer that is still valid is
 * reused instead of asking again, and the detail says so.
 */
export function createRevocationChecker(
  o: RevocationOptions = {}
): (chain: ParsedCertificate[]) => Promise<RevocationResult> {
  const skewMs = o.skewMs ?? 5 * 60_000
  const maxAgeMs = o.maxAgeWithoutNextUpdateMs ?? 7 * 86_400_000
  const withoutNextUpdateMs = o.cacheWithoutNextUpdateMs ?? 3_600_000
  const cache = o.cache
  const check = async (chain: ParsedCertificate[]): Promise<RevocationResult> => {
    const cert = chain[0]
    const issuer = chain[1]
    if (!cert) return { status: 'unknown', source: null, detail: 'no certificate' }
    if (!issuer)
      return { status: 'unknown', source: null, detail: 'no issuer to check revocation against' }
    const at = o.at?.() ?? new Date()
    const notes: string[] = []
    const ocspKey = cache ? ocspCacheKey(cert, issuer) : ''
    const cachedOcsp = cache?.ocsp(ocspKey, at)
    if (cachedOcsp) {
      const { status, source } = cachedOcsp.result
      return {
        status,
        source,
        detail: cachedDetail('OCSP response', cachedOcsp, cachedOcsp.result.detail)
      }
    }
    for (const url of cert.ocspUrls) {
      const nonce = o.nonce === false ? null : randomBytes(16)
      try {
        const body = await httpFetch(url, {
          ...o,
          method: 'POST',
          body: buildOcspRequest(cert, issuer, nonce),
          contentType: 'application/ocsp-request'
        })
        const { validity, ...r } = checkOcspResponse(body, cert, issuer, {
          at,
          nonce,
          skewMs,
          maxAgeMs
        })
        if (r.status !== 'unknown') {
          const validUntil = validity
            ? ocspCacheUntil(validity, at, { maxAgeMs, withoutNextUpdateMs })
            : null
          if (cache && validUntil) {
            cache.putOcsp(ocspKey, { result: r, url, fetchedAt: at, validUntil })
          }
          return { ...r, detail: `${url}: ${r.detail ?? ''}` }
        }
        notes.push(`${url}: ${r.detail ?? 'unknown'}`)
      } catch (e) {
        notes.push(`${url}: ${(e as Error).message}`)
      }
    }
    if (o.crlFallback !== false) {
      for (const url of crlUrls(cert)) {
        // Keyed by the issuer's key too: a CRL only counts for the issuer it verified with.
        const crlKey = `${url}|${issuer.spkiId}`
        const cachedCrl = cache?.crl(crlKey, at)
        if (cachedCrl) {
          const r = checkCrls([cert, issuer], [cachedCrl.der], at)
          if (r.status !== 'unknown') {
            return { ...r, source: 'crl', detail: cachedDetail('CRL', cachedCrl, r.detail) }
          }
          cache?.dropCrl(crlKey)
        }
        try {
          const body = await httpFetch(url, { ...o, maxBytes: o.maxBytes ?? 10 * 1024 * 1024 })
          const der = crlDer(body)
          const r = checkCrls([cert, issuer], [der], at)
          if (r.status !== 'unknown') {
            if (cache) {
              // checkCrls accepted it: it parses, verifies with this issuer and is current.
              const next = parseCrl(der).nextUpdate
              const validUntil = new Date(
                next ? next.getTime() : at.getTime() + withoutNextUpdateMs
              )
              cache.putCrl(crlKey, { der, url, fetchedAt: at, validUntil })
            }
            return { ...r, source: 'crl', detail: `${url}: ${r.detail ?? ''}` }
          }
          notes.push(`${url}: ${r.detail ?? 'unknown'}`)
        } catch (e) {
          notes.push(`${url}: ${(e as Error).message}`)
        }
      }
    }
    if (notes.length === 0) {
      return {
        status: 'unknown',
        source: null,
        detail: 'the certificate names no OCSP responder and no CRL'
      }
    }
    o.log?.(`revocation: ${notes.join('; ')}`)
    return { status: 'unknown', source: null, detail: notes.join('; ') }
  }
  return async (chain) => {
    markStage('revocation-start')
    const r = await check(chain)
    const cached = r.detail?.includes(' cached from ') ? ' (cached)' : ''
    markStage('revocation-done', `${r.source ?? 'none'} ${r.status}${cached}`)
    return r
  }
}
