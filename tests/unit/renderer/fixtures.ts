import type { EffectivePolicy } from '../../../shared/types/policy'
import type { CertificateDetails, TrustReport } from '../../../shared/types/trust'

const hex = (byte: string) => Array.from({ length: 32 }, () => byte).join(':')

/** A certificate as the core describes it. */
export function makeCert(overrides: Partial<CertificateDetails> = {}): CertificateDetails {
  return {
    subject: 'CN=lab.trustline.test, O=TrustLine Lab',
    issuer: 'CN=TrustLine Lab Intermediate CA, O=TrustLine Lab',
    serialNumber: '81ca',
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2027-01-01T00:00:00.000Z',
    daysLeft: 34,
    subjectAltNames: [
      { type: 'dns', value: 'lab.trustline.test' },
      { type: 'ip', value: '127.0.0.1' }
    ],
    publicKey: { algorithm: 'EC', size: 256, curve: 'P-256', spkiSha256: hex('AA') },
    signatureAlgorithm: 'ecdsa-with-SHA256',
    isCA: false,
    pathLen: null,
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: ['serverAuth'],
    extensions: [
      {
        oid: '2.5.29.19',
        name: 'basicConstraints',
        critical: true,
        value: { kind: 'basic-constraints', ca: false, pathLen: null }
      },
      {
        oid: '2.5.29.17',
        name: 'subjectAltName',
        critical: false,
        value: {
          kind: 'names',
          list: { names: [{ type: 'dns', value: 'lab.trustline.test' }], more: 0 }
        }
      }
    ],
    sha256: hex('11'),
    sha1: '22:22:22:22:22:22:22:22:22:22:22:22:22:22:22:22:22:22:22:22',
    pem: '-----BEGIN CERTIFICATE-----\nMIIBleaf\n-----END CERTIFICATE-----\n',
    selfSigned: false,
    ...overrides
  }
}

export const leaf = makeCert()
export const intermediate = makeCert({
  subject: 'CN=TrustLine Lab Intermediate CA, O=TrustLine Lab',
  issuer: 'CN=TrustLine Lab Root CA, O=TrustLine Lab',
  isCA: true,
  pathLen: 0,
  sha256: hex('33'),
  pem: '-----BEGIN CERTIFICATE-----\nMIIBinter\n-----END CERTIFICATE-----\n'
})
export const root = makeCert({
  subject: 'CN=TrustLine Lab Root CA, O=TrustLine Lab',
  issuer: 'CN=TrustLine Lab Root CA, O=TrustLine Lab',
  isCA: true,
  selfSigned: true,
  sha256: hex('44'),
  pem: '-----BEGIN CERTIFICATE-----\nMIIBroot\n-----END CERTIFICATE-----\n'
})

/** A trusted report for the lab's good port. */
export function makeReport(overrides: Partial<TrustReport> = {}): TrustReport {
  return {
    attemptId: '0123456789abcdef',
    verdict: 'trusted',
    serverCertificate: 'trusted',
    headline: null,
    host: 'lab.trustline.test',
    port: 5061,
    servername: 'lab.trustline.test',
    sipDomain: 'lab.trustline.test',
    reasons: [],
    sentChain: [leaf, intermediate],
    builtChain: [leaf, intermediate, root],
    anchor: { subject: root.subject, source: 'account', sha256: root.sha256 },
    chainNotes: { unused: [], duplicates: [], outOfOrder: false, anchorSent: false, fetched: [] },
    tls: {
      protocol: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      clientCertRequested: false,
      clientCertSent: false
    },
    node: { authorized: true, authorizationError: null },
    revocation: { mode: 'soft-fail', status: 'good', source: 'ocsp', detail: null },
    exception: null,
    exceptionOffer: 'not-applicable',
    evaluatedAt: '2026-11-28T12:00:00.000Z',
    ...overrides
  }
}

/** An untrusted report: self-signed leaf sent twice, plus an unused extra. */
export function makeUntrustedReport(): TrustReport {
  const selfSigned = makeCert({
    issuer: leaf.subject,
    selfSigned: true,
    sha256: hex('55')
  })
  const headline: TrustReport['reasons'][number] = {
    code: 'self-signed',
    severity: 'error',
    certIndex: 0,
    certSubject: selfSigned.subject,
    params: { role: 'leaf' },
    detail: 'Subject equals issuer (CN=lab.trustline.test); signature verifies with own key.'
  }
  return makeReport({
    verdict: 'untrusted',
    serverCertificate: 'untrusted',
    headline,
    exceptionOffer: 'available',
    reasons: [
      headline,
      {
        code: 'extra-certificates',
        severity: 'warning',
        certIndex: null,
        certSubject: null,
        params: {},
        detail: 'sentChain[2] not used.'
      }
    ],
    sentChain: [selfSigned, selfSigned, intermediate],
    builtChain: [selfSigned],
    anchor: null,
    chainNotes: { unused: [2], duplicates: [1], outOfOrder: false, anchorSent: false, fetched: [] },
    node: { authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' }
  })
}

/** An effective policy; `locked` lists the settings IT locked (with their values). */
export function makePolicy(
  locked: Partial<Record<keyof EffectivePolicy['settings'], unknown>> = {}
): EffectivePolicy {
  const setting = <T>(name: keyof EffectivePolicy['settings'], fallback: T) =>
    name in locked
      ? {
          value: locked[name] as T,
          locked: true,
          lockedBy: '/etc/trustline/policy.json',
          origin: 'policy' as const
        }
      : { value: fallback, locked: false, lockedBy: null, origin: 'default' as const }
  return {
    status: Object.keys(locked).length > 0 ? 'active' : 'none',
    source: '/etc/trustline/policy.json',
    error: null,
    settings: {
      server: setting<EffectivePolicy['settings']['server']['value']>('server', null),
      sipDomain: setting<string | null>('sipDomain', null),
      trustedCaFiles: setting<string[]>('trustedCaFiles', []),
      revocation: setting<'off' | 'soft-fail' | 'hard-fail'>('revocation', 'soft-fail'),
      allowTrustExceptions: setting<boolean>('allowTrustExceptions', true),
      allowedSipDomains: setting<string[] | null>('allowedSipDomains', null),
      sendReadReceipts: setting<boolean>('sendReadReceipts', true)
    }
  }
}
