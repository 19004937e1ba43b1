import type { CertificateDetails, SubjectAltName } from '../../../../shared/types/trust'
import { extensionValue } from './extension-values'
import { ekuNames, extensionNames } from './oids'
import { colonHex, derToPem, type ParsedCertificate, type ParseFailure } from './parse'
import { createHash } from 'node:crypto'
import { verifySignature } from './signature'

const dayMs = 86_400_000

/** True when the certificate is self-issued and verifies with its own key. */
export function isSelfSigned(cert: ParsedCertificate): boolean {
  return cert.selfIssued && verifySignature(cert, cert) === null
}

function sanDto(cert: ParsedCertificate): SubjectAltName[] {
  return (cert.subjectAltNames ?? []).map((s) => {
    switch (s.type) {
      case 'dns':
      case 'email':
      case 'uri':
      case 'ip':
        return { type: s.type, value: s.value }
      case 'dn':
        return { type: 'other', value: `DirName:${s.name.text}` }
      default:
        return { type: 'other', value: s.value }
    }
  })
}

/** Maps a parsed certificate to the DTO shown in the UI; `at` drives daysLeft. */
export function certificateDetails(
  cert: ParsedCertificate,
  at: Date = new Date()
): CertificateDetails {
  return {
    subject: cert.subject.text,
    issuer: cert.issuer.text,
    serialNumber: cert.serial.toString('hex').replace(/^(00)+(?=.)/, ''),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    daysLeft: Math.floor((cert.notAfter.getTime() - at.getTime()) / dayMs),
    subjectAltNames: sanDto(cert),
    publicKey: {
      algorithm: cert.key.algorithm,
      size: cert.key.bits,
      curve: cert.key.curve,
      spkiSha256: colonHex(Buffer.from(cert.spkiId, 'hex'))
    },
    signatureAlgorithm: cert.signatureInfo?.name ?? cert.signatureOid,
    isCA: cert.basicConstraints?.ca ?? false,
    pathLen: cert.basicConstraints?.pathLen ?? null,
    keyUsage: [...(cert.keyUsage ?? [])],
    extendedKeyUsage: (cert.extKeyUsage ?? []).map((o) => ekuNames[o] ?? o),
    extensions: cert.extensions.map((e) => ({
      oid: e.oid,
      name: extensionNames[e.oid] ?? e.oid,
      critical: e.critical,
      value: extensionValue(cert, e)
    })),
    sha256: cert.sha256,
    sha1: cert.sha1,
    pem: derToPem(cert.der),
    selfSigned: isSelfSigned(cert)
  }
}

/** Placeholder details for bytes that are not a certificate, so the sent chain stays complete. */
export function malformedDetails(f: ParseFailure): CertificateDetails {
  const epoch = new Date(0).toISOString()
  return {
    subject: '(unreadable certificate)',
    issuer: '',
    serialNumber: '',
    notBefore: epoch,
    notAfter: epoch,
    daysLeft: 0,
    subjectAltNames: [],
    publicKey: { algorithm: 'unknown', size: null, curve: null, spkiSha256: '' },
    signatureAlgorithm: 'unknown',
    isCA: false,
    pathLen: null,
    keyUsage: [],
    extendedKeyUsage: [],
    extensions: [],
    sha256: f.sha256,
    sha1: colonHex(createHash('sha1').update(f.der).digest()),
    pem: f.der.length <= 64 * 1024 ? derToPem(f.der) : '',
    selfSigned: false
  }
}
