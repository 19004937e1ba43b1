import type { RevocationResult } from './evaluate'
import {
  Tag,
  children,
  expect,
  integerValue,
  isContext,
  readBoolean,
  readOid,
  readOnly,
  readTime,
  type Tlv
} from './der'
import { ExtOid, signatureAlgorithms } from './oids'
import { parseName, type ParsedCertificate } from './parse'
import { doVerify } from './signature'

/** A parsed CRL (RFC 5280 5). */
export interface ParsedCrl {
  issuerKey: string
  issuerText: string
  thisUpdate: Date
  nextUpdate: Date | null
  revoked: Map<string, Date>
  crlNumber: { critical: boolean } | null
  unknownCritical: string | null
  signed: {
    tbs: Buffer
    signatureOid: string
    signatureInfo: ParsedCertificate['signatureInfo']
    pss: null
    signature: Buffer
  }
}

function serialKey(v: Buffer): string {
  return integerValue(v).toString(16)
}

/** Parses a DER CRL; throws DerError on structural problems. */
export function parseCrl(der: Buffer): ParsedCrl {
  const [tbsT, algT, sigT] = children(expect(readOnly(der), Tag.sequence, 'CertificateList'))
  const tbs = expect(tbsT, Tag.sequence, 'TBSCertList')
  const f = children(tbs)
  let i = 0
  if (f[i]?.tag === Tag.integer && f[i]?.cls === 0) i++
  i++ // signature AlgorithmIdentifier
  const issuer = parseName(expect(f[i++], Tag.sequence, 'CRL issuer'))
  const thisUpdate = readTime(f[i++])
  let nextUpdate: Date | null = null
  if (f[i] && f[i]!.cls === 0 && (f[i]!.tag === Tag.utcTime || f[i]!.tag === Tag.generalizedTime)) {
    nextUpdate = readTime(f[i++])
  }
  const revoked = new Map<string, Date>()
  if (f[i] && f[i]!.cls === 0 && f[i]!.tag === Tag.sequence) {
    for (const e of children(f[i++]!)) {
      const [s, d] = children(expect(e, Tag.sequence, 'revokedCertificate'))
      revoked.set(serialKey(expect(s, Tag.integer, 'serial').value), readTime(d))
    }
  }
  let crlNumber: ParsedCrl['crlNumber'] = null
  let unknownCritical: string | null = null
  if (isContext(f[i], 0)) {
    for (const e of children(expect(children(f[i]!)[0], Tag.sequence, 'crlExtensions'))) {
      const ef: Tlv[] = children(e)
      const oid = readOid(ef[0])
      const critical = ef.length === 3 ? readBoolean(ef[1]) : false
      if (oid === ExtOid.crlNumber) crlNumber = { critical }
      else if (
        critical &&
        oid !== ExtOid.issuingDistributionPoint &&
        oid !== ExtOid.authorityKeyIdentifier
      ) {
        unknownCritical = oid
      }
    }
  }
  const alg = readOid(children(expect(algT, Tag.sequence, 'signatureAlgorithm'))[0])
  const sig = expect(sigT, Tag.bitString, 'signature').value.subarray(1)
  return {
    issuerKey: issuer.key,
    issuerText: issuer.text,
    thisUpdate,
    nextUpdate,
    revoked,
    crlNumber,
    unknownCritical,
    signed: {
      tbs: tbs.raw,
      signatureOid: alg,
      signatureInfo: signatureAlgorithms[alg] ?? null,
      pss: null,
      signature: sig
    }
  }
}

/**
 * Checks a validated chain (leaf first, anchor last) against already-downloaded CRLs.
 *
 * Pure: the connector downloads CRLs (and OCSP) and can call this as its revocationCheck. A CRL
 * counts only when its issuer name matches the certificate's issuer, it verifies with that issuer's
 * key, the issuer may sign CRLs (keyUsage cRLSign when keyUsage is present) and it is current.
 * The leaf without a usable CRL yields 'unknown'.
 */
export function checkCrls(
  chain: ParsedCertificate[],
  crlDers: Buffer[],
  at: Date
): RevocationResult {
  const crls: ParsedCrl[] = []
  const problems: string[] = []
  for (const d of crlDers) {
    try {
      crls.push(parseCrl(d))
    } catch (e) {
      problems.push(`unreadable CRL: ${(e as Error).message}`)
    }
  }
  let leafCovered = false
  for (let i = 0; i < chain.length - 1; i++) {
    const cert = chain[i]!
    const issuer = chain[i + 1]!
    for (const crl of crls) {
      if (crl.issuerKey !== cert.issuer.key) continue
      const bad = doVerify(crl.signed, issuer)
      if (bad) {
        problems.push(`CRL from ${crl.issuerText}: ${bad}`)
        continue
      }
      if (issuer.keyUsage && !issuer.keyUsage.has('cRLSign')) {
        problems.push(`CRL issuer ${crl.issuerText} lacks keyUsage cRLSign`)
        continue
      }
      if (!crl.crlNumber || crl.crlNumber.critical) {
        problems.push(
          `CRL from ${crl.issuerText}: cRLNumber ${crl.crlNumber ? 'is critical' : 'missing'} (RFC 5280 5.2.3)`
        )
        continue
      }
      if (crl.unknownCritical) {
        problems.push(
          `CRL from ${crl.issuerText}: unknown critical extension ${crl.unknownCritical}`
        )
        continue
      }
      if (crl.thisUpdate > at || (crl.nextUpdate && crl.nextUpdate < at)) {
        problems.push(`CRL from ${crl.issuerText} is not current`)
        continue
      }
      if (i === 0) leafCovered = true
      const when = crl.revoked.get(serialKey(cert.serial))
      if (when) {
        return {
          status: 'revoked',
          source: 'crl',
          detail: `serial ${cert.serial.toString('hex')} revoked on ${when.toISOString()} by ${crl.issuerText}`
        }
      }
    }
  }
  if (!leafCovered) {
    return {
      status: 'unknown',
      source: 'crl',
      detail: problems.join('; ') || 'no CRL covers the leaf certificate'
    }
  }
  return { status: 'good', source: 'crl', detail: problems.length ? problems.join('; ') : null }
}
