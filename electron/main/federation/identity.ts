import type { SecureContext } from 'node:tls'
import { pemToDer } from '../tls/chain/parse'
import { ConnectError, createClientContext, type ClientCertificate } from '../tls/connector'

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
