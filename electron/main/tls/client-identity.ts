import type { SecureContext } from 'node:tls'
import { EkuOid } from './chain/oids'
import { parseCertificate, pemToDer } from './chain/parse'
import type { Finding } from './chain/reasons'
import { ConnectError, createClientContext, type ClientCertificate } from './connector'

/**
 * The one door to Node's native SecureContext for reading back the certificate a PKCS#12 bundle
 * holds: `getCertificate()` (the leaf) and `getIssuer()` (its issuer, found among the bundle's
 * extra certificates). Node has no public PKCS#12 parser, and these two methods back
 * `tls.TLSSocket#getCertificate`; a test fails if they disappear.
 */
interface NativeContext {
  getCertificate?: () => Buffer | null | undefined
  getIssuer?: () => Buffer | null | undefined
}

function nativeContext(context: SecureContext): NativeContext {
  return (context as unknown as { context?: NativeContext }).context ?? {}
}

/**
 * Our edge's certificates, leaf first, as the identity file holds them (the chain the edge will
 * present). Opening the file is done exactly as a connection would, so a wrong passphrase or a
 * key that does not match is the same ConnectError as at connect time.
 */
export function identityCertificates(identity: ClientCertificate): Buffer[] {
  const context = createClientContext([], identity)
  if ('pfx' in identity) {
    const native = nativeContext(context)
    if (!native.getCertificate || !native.getIssuer) {
      throw new ConnectError(
        'client-cert-unreadable',
        'This runtime cannot read the certificate out of a PKCS#12 file; give the certificate and key as PEM instead.'
      )
    }
    const leaf = native.getCertificate()
    if (!leaf) {
      throw new ConnectError('client-cert-unreadable', 'The PKCS#12 file holds no certificate.')
    }
    const issuer = native.getIssuer()
    return issuer && !issuer.equals(leaf)
      ? [Buffer.from(leaf), Buffer.from(issuer)]
      : [Buffer.from(leaf)]
  }
  const text = Buffer.isBuffer(identity.cert) ? identity.cert.toString('latin1') : identity.cert
  const certs = pemToDer(text)
  if (certs.length === 0) {
    throw new ConnectError(
      'client-cert-unreadable',
      'The PEM file holds no CERTIFICATE block; it needs the certificate (and its key).'
    )
  }
  return certs
}

/**
 * What is wrong with our own client certificate on its face, before any server judges it: expired
 * (or not yet valid), or an extended key usage without clientAuth (RFC 5280 §4.2.1.12). Errors
 * when the server went on to refuse the certificate (then they are the likely cause), warnings
 * otherwise. A file that cannot be read is the connector's to report.
 */
export function clientCertificateFindings(
  identity: ClientCertificate,
  refused: boolean,
  at: Date = new Date()
): Finding[] {
  let leafDer: Buffer | undefined
  try {
    leafDer = identityCertificates(identity)[0]
  } catch {
    return []
  }
  const parsed = leafDer ? parseCertificate(leafDer) : null
  if (!parsed?.ok) return []
  const leaf = parsed.cert
  const severity = refused ? 'error' : 'warning'
  const base = { severity, certIndex: null, certSubject: leaf.subject.text } as const
  const subject = { subject: leaf.subject.text }
  const out: Finding[] = []
  if (at.getTime() > leaf.notAfter.getTime() || at.getTime() < leaf.notBefore.getTime()) {
    const expired = at.getTime() > leaf.notAfter.getTime()
    out.push({
      ...base,
      code: 'client-cert-expired',
      detail: expired
        ? `client certificate notAfter ${leaf.notAfter.toISOString()} is before ${at.toISOString()}`
        : `client certificate notBefore ${leaf.notBefore.toISOString()} is after ${at.toISOString()}`,
      ctx: {
        date: expired ? leaf.notAfter : leaf.notBefore,
        at,
        extra: expired ? subject : { ...subject, why: 'not-yet-valid' }
      }
    })
  }
  const eku = leaf.extKeyUsage
  if (eku && !eku.includes(EkuOid.clientAuth) && !eku.includes(EkuOid.anyExtendedKeyUsage)) {
    out.push({
      ...base,
      code: 'client-cert-not-for-client',
      detail: `extendedKeyUsage ${eku.join(', ')} has no clientAuth (${EkuOid.clientAuth})`,
      ctx: { extra: subject }
    })
  }
  return out
}
