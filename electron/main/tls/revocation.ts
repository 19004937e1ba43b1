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
  Extension,
  SubjectPublicKeyInfo
} from '@peculiar/asn1-x509'
import type { RevocationResult } from './chain/evaluate'
import { checkCrls } from './chain/crl'
import { signatureAlgorithms } from './chain/oids'
import { parseCertificate, type ParsedCertificate } from './chain/parse'
import { doVerify, verifySignature } from './chain/signature'
import { httpFetch, type FetchOptions } from './aia'

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
  at?: () => Date
  log?: (message: string) => void
}

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

function issuerKeyBits(issuer: ParsedCertificate): Buffer {
  const spki = AsnConvert.parse(issuer.key.spki, SubjectPublicKeyInfo)
  return Buffer.from(spki.subjectPublicKey)
}

/** The CertID of `cert` (SHA-1, as every responder supports, RFC 6960 4.1.1). */
export function certId(cert: ParsedCertificate, issuer: ParsedCertificate): CertID {
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: sha1Oid, parameters: null }),
    issuerNameHash: new OctetString(sha1(cert.issuer.raw)),
    issuerKeyHash: new OctetString(sha1(issuerKeyBits(issuer))),
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
): RevocationResult {
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
  const issuerKeyHash = sha1(issuerKeyBits(issuer))
  let signer: ParsedCertificate | null = null
  let why = ''
  const byIssuer = rid.byKey
    ? hex(rid.byKey.buffer) === issuerKeyHash.toString('hex')
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
  if (single.certStatus.revoked) {
    const ri = single.certStatus.revoked
    return {
      status: 'revoked',
      source: 'ocsp',
      detail: `revoked at ${ri.revocationTime.toISOString()}${ri.revocationReason !== undefined ? ` (reason ${CRLReasons[ri.revocationReason.reason] ?? ri.revocationReason.reason})` : ''}; OCSP ${range}`
    }
  }
  if (single.certStatus.good !== undefined)
    return { status: 'good', source: 'ocsp', detail: `OCSP good; ${range}` }
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

/**
 * The evaluator's revocationCheck hook for the leaf: OCSP first (the AIA OCSP URL), then CRLs from
 * the distribution points. Never throws; 'unknown' carries why, and the engine applies the
 * soft-fail/hard-fail policy to it.
 */
export function createRevocationChecker(
  o: RevocationOptions = {}
): (chain: ParsedCertificate[]) => Promise<RevocationResult> {
  const skewMs = o.skewMs ?? 5 * 60_000
  const maxAgeMs = o.maxAgeWithoutNextUpdateMs ?? 7 * 86_400_000
  return async (chain) => {
    const cert = chain[0]
    const issuer = chain[1]
    if (!cert) return { status: 'unknown', source: null, detail: 'no certificate' }
    if (!issuer)
      return { status: 'unknown', source: null, detail: 'no issuer to check revocation against' }
    const at = o.at?.() ?? new Date()
    const notes: string[] = []
    for (const url of cert.ocspUrls) {
      const nonce = o.nonce === false ? null : randomBytes(16)
      try {
        const body = await httpFetch(url, {
          ...o,
          method: 'POST',
          body: buildOcspRequest(cert, issuer, nonce),
          contentType: 'application/ocsp-request'
        })
        const r = checkOcspResponse(body, cert, issuer, { at, nonce, skewMs, maxAgeMs })
        if (r.status !== 'unknown') return { ...r, detail: `${url}: ${r.detail ?? ''}` }
        notes.push(`${url}: ${r.detail ?? 'unknown'}`)
      } catch (e) {
        notes.push(`${url}: ${(e as Error).message}`)
      }
    }
    if (o.crlFallback !== false) {
      for (const url of crlUrls(cert)) {
        try {
          const body = await httpFetch(url, { ...o, maxBytes: o.maxBytes ?? 10 * 1024 * 1024 })
          const der = body.subarray(0, 16).toString('latin1').startsWith('-----BEGIN')
            ? Buffer.from(body.toString('latin1').replace(/-----[^-]+-----|\s+/g, ''), 'base64')
            : body
          const r = checkCrls([cert, issuer], [der], at)
          if (r.status !== 'unknown')
            return { ...r, source: 'crl', detail: `${url}: ${r.detail ?? ''}` }
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
}
