import { constants, verify } from 'node:crypto'
import { publicKeyObject, type ParsedCertificate } from './parse'

const verified = new Map<string, string | null>()

/**
 * Verifies that `issuer`'s key signed `cert`; returns null when good, else why not.
 *
 * Uses crypto.verify over the raw TBSCertificate bytes so RSA PKCS#1 v1.5, RSA-PSS, ECDSA
 * (P-256/384/521) and Ed25519 all go through OpenSSL. Memoised per (cert, key) pair because path
 * building tries the same pairs repeatedly.
 */
export function verifySignature(cert: ParsedCertificate, issuer: ParsedCertificate): string | null {
  const memo = `${cert.sha256}|${issuer.spkiId}`
  const hit = verified.get(memo)
  if (hit !== undefined) return hit
  const result = doVerify(cert, issuer)
  if (verified.size > 20_000) verified.clear()
  verified.set(memo, result)
  return result
}

/** The signed-object fields signature checking needs (certificates and CRLs). */
export type SignedObject = Pick<
  ParsedCertificate,
  'tbs' | 'signatureInfo' | 'signatureOid' | 'pss' | 'signature'
>

/** Verifies any signed object (certificate, CRL) with `issuer`'s key; null when good, else why. */
export function doVerify(cert: SignedObject, issuer: ParsedCertificate): string | null {
  const info = cert.signatureInfo
  if (!info) return `unknown signature algorithm ${cert.signatureOid}`
  if (info.family === 'dsa') return 'DSA signatures are not accepted'
  const key = publicKeyObject(issuer)
  if (!key) return `issuer key (${issuer.key.algorithm}) could not be loaded`
  const kt = key.asymmetricKeyType
  const fits =
    (info.family === 'rsa' && kt === 'rsa') ||
    (info.family === 'rsa-pss' && (kt === 'rsa' || kt === 'rsa-pss')) ||
    (info.family === 'ecdsa' && kt === 'ec') ||
    (info.family === 'ed25519' && kt === 'ed25519') ||
    (info.family === 'ed448' && kt === 'ed448')
  if (!fits) return `signature algorithm ${info.name} does not fit the issuer's ${kt ?? '?'} key`
  try {
    let ok: boolean
    if (info.family === 'rsa-pss') {
      const pss = cert.pss ?? { hash: 'sha1', saltLength: 20 }
      ok = verify(
        pss.hash,
        cert.tbs,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength },
        cert.signature
      )
    } else if (info.family === 'rsa') {
      ok = verify(
        info.hash,
        cert.tbs,
        { key, padding: constants.RSA_PKCS1_PADDING },
        cert.signature
      )
    } else ok = verify(info.hash, cert.tbs, key, cert.signature)
    return ok ? null : 'signature does not verify with the issuer key'
  } catch (e) {
    return `signature check failed: ${(e as Error).message}`
  }
}
