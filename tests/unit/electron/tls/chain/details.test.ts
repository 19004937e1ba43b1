import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import { describe, expect, it } from 'vitest'
import { certificateDetails } from '../../../../../electron/main/tls/chain/details'
import { mustParse } from '../../../../../electron/main/tls/chain/parse'
import type { ExtensionValue } from '../../../../../shared/types/certificate-extensions'
import {
  certificateDetailsSchema,
  type CertificateDetails
} from '../../../../../shared/types/trust'
import { generalNameDer, makeHierarchy, rawExtension, tlv } from '../../../../fixtures/pki'

/** DER of an OBJECT IDENTIFIER. */
function oid(text: string): Buffer {
  const [a = 0, b = 0, ...rest] = text.split('.').map(Number)
  const bytes = [a * 40 + b]
  for (const n of rest) {
    const part = [n & 0x7f]
    for (let v = n >> 7; v > 0; v >>= 7) part.unshift((v & 0x7f) | 0x80)
    bytes.push(...part)
  }
  return tlv(0x06, Buffer.from(bytes))
}
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts))
const ia5 = (text: string) => tlv(0x16, Buffer.from(text, 'latin1'))
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'))
const int = (n: number) => tlv(0x02, Buffer.from([n]))

/** One certificate's extension values by name. */
function values(details: CertificateDetails): Record<string, ExtensionValue> {
  return Object.fromEntries(details.extensions.map((e) => [e.name, e.value]))
}

/** Two SCTs as a TLS-encoded SignedCertificateTimestampList (RFC 6962 §3.3). */
function sctListDer(times: number[]): Buffer {
  const scts = times.map((ms, i) => {
    const body = Buffer.alloc(1 + 32 + 8 + 2 + 4 + 2)
    body[0] = 0
    body.fill(i + 1, 1, 33)
    body.writeBigUInt64BE(BigInt(ms), 33)
    const length = Buffer.alloc(2)
    length.writeUInt16BE(body.length)
    return Buffer.concat([length, body])
  })
  const list = Buffer.concat(scts)
  const head = Buffer.alloc(2)
  head.writeUInt16BE(list.length)
  return tlv(0x04, Buffer.concat([head, list]))
}

describe('certificateDetails', () => {
  it('maps a certificate to the shared DTO', async () => {
    const h = await makeHierarchy('sip.example.test', {
      intermediate: { ca: { ca: true, pathLen: 0 } },
      leaf: { notAfter: new Date(Date.UTC(2030, 0, 11)), key: 'RSA-2048' }
    })
    const leaf = certificateDetailsSchema.parse(
      certificateDetails(mustParse(h.leaf.der), new Date(Date.UTC(2030, 0, 1)))
    )
    expect(leaf).toMatchObject({
      subject: 'CN=sip.example.test',
      issuer: 'CN=TrustLine Test Intermediate',
      daysLeft: 10,
      isCA: false,
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsage: ['serverAuth'],
      signatureAlgorithm: 'ecdsa-with-SHA256',
      publicKey: { algorithm: 'RSA', size: 2048, curve: null },
      selfSigned: false
    })
    expect(leaf.extensions.find((e) => e.name === 'subjectAltName')?.value).toEqual({
      kind: 'names',
      list: { names: [{ type: 'dns', value: 'sip.example.test' }], more: 0 }
    })
    expect(leaf.pem).toMatch(/^-----BEGIN CERTIFICATE-----\n/)
    const int = certificateDetails(mustParse(h.intermediate.der))
    expect(int).toMatchObject({ isCA: true, pathLen: 0 })
    expect(certificateDetails(mustParse(h.root.der)).selfSigned).toBe(true)
  })

  it('decodes every extension it knows as data, never as "N bytes: hex"', async () => {
    const sct1 = Date.UTC(2026, 0, 2, 3, 4, 5)
    const sct2 = Date.UTC(2026, 0, 2, 3, 4, 6)
    const h = await makeHierarchy('sip.example.test', {
      leaf: {
        extensions: [
          new x509.CRLDistributionPointsExtension(['http://pki.example.test/int.crl']),
          new x509.AuthorityInfoAccessExtension({
            ocsp: [new x509.GeneralName('url', 'http://ocsp.example.test')],
            caIssuers: [new x509.GeneralName('url', 'http://pki.example.test/int.cer')]
          }),
          rawExtension(
            '2.5.29.32',
            false,
            seq(
              seq(
                oid('2.23.140.1.2.1'),
                seq(
                  seq(oid('1.3.6.1.5.5.7.2.1'), ia5('https://pki.example.test/cps')),
                  seq(oid('1.3.6.1.5.5.7.2.2'), seq(utf8('Test certificates only')))
                )
              ),
              seq(oid('1.3.6.1.4.1.99999.1'))
            )
          ),
          rawExtension('1.3.6.1.4.1.11129.2.4.2', false, sctListDer([sct1, sct2])),
          rawExtension('1.3.6.1.5.5.7.1.24', false, seq(int(5))),
          rawExtension(
            '2.5.29.18',
            false,
            seq(generalNameDer({ type: 'email', value: 'pki@example.test' }))
          ),
          rawExtension('1.2.3.4.5.6', false, Buffer.from([0x04, 0x02, 0xca, 0xfe]))
        ]
      },
      intermediate: {
        ca: { ca: true, pathLen: 0 },
        nameConstraints: {
          permitted: [{ type: 'dns', value: '.example.test' }],
          excluded: [{ type: 'ip', value: '10.0.0.0/8' }],
          critical: true
        },
        extensions: [
          rawExtension('2.5.29.36', true, seq(tlv(0x80, Buffer.from([0])))),
          rawExtension('2.5.29.54', true, int(0)),
          rawExtension('2.5.29.33', false, seq(seq(oid('2.23.140.1.2.1'), oid('1.2.3.4')))),
          // freshestCRL: a name relative to the CRL issuer, two reasons, and that issuer.
          rawExtension(
            '2.5.29.46',
            false,
            seq(
              seq(
                tlv(0xa0, tlv(0xa1, seq(oid('2.5.4.3'), utf8('Delta CRL')))),
                tlv(0x81, Buffer.from([0x05, 0x60])),
                tlv(0xa2, generalNameDer({ type: 'dns', value: 'crl.example.test' }))
              )
            )
          ),
          // A known extension whose value is not what RFC 6962 says it is.
          rawExtension('1.3.6.1.4.1.11129.2.4.2', false, tlv(0x04, Buffer.from([0, 9, 1])))
        ]
      }
    })
    const leaf = certificateDetailsSchema.parse(certificateDetails(mustParse(h.leaf.der)))
    const found = values(leaf)
    expect(found['crlDistributionPoints']).toEqual({
      kind: 'crl-distribution-points',
      points: [
        {
          names: { names: [{ type: 'uri', value: 'http://pki.example.test/int.crl' }], more: 0 },
          relativeName: null,
          reasons: null,
          crlIssuer: { names: [], more: 0 }
        }
      ]
    })
    expect(found['authorityInfoAccess']).toEqual({
      kind: 'info-access',
      entries: [
        {
          method: 'ocsp',
          methodOid: '1.3.6.1.5.5.7.48.1',
          location: { type: 'uri', value: 'http://ocsp.example.test' }
        },
        {
          method: 'ca-issuers',
          methodOid: '1.3.6.1.5.5.7.48.2',
          location: { type: 'uri', value: 'http://pki.example.test/int.cer' }
        }
      ]
    })
    expect(found['certificatePolicies']).toEqual({
      kind: 'certificate-policies',
      policies: [
        {
          oid: '2.23.140.1.2.1',
          known: 'domain-validated',
          cps: ['https://pki.example.test/cps'],
          notices: ['Test certificates only']
        },
        { oid: '1.3.6.1.4.1.99999.1', known: null, cps: [], notices: [] }
      ]
    })
    expect(found['ctPrecertScts']).toEqual({
      kind: 'sct-list',
      scts: [
        {
          version: 0,
          logId: Buffer.alloc(32, 1).toString('base64'),
          timestamp: new Date(sct1).toISOString()
        },
        {
          version: 0,
          logId: Buffer.alloc(32, 2).toString('base64'),
          timestamp: new Date(sct2).toISOString()
        }
      ]
    })
    expect(found['tlsFeature']).toEqual({ kind: 'tls-feature', features: [5] })
    expect(found['issuerAltName']).toEqual({
      kind: 'names',
      list: { names: [{ type: 'email', value: 'pki@example.test' }], more: 0 }
    })
    expect(found['authorityKeyIdentifier']).toMatchObject({
      kind: 'authority-key-id',
      keyId: expect.stringMatching(/^([0-9A-F]{2}:)+[0-9A-F]{2}$/) as unknown
    })
    expect(found['subjectKeyIdentifier']).toMatchObject({ kind: 'key-id' })
    expect(found['keyUsage']).toEqual({
      kind: 'key-usage',
      usages: ['digitalSignature', 'keyEncipherment']
    })
    expect(found['extKeyUsage']).toEqual({
      kind: 'ext-key-usage',
      purposes: [{ oid: '1.3.6.1.5.5.7.3.1', name: 'serverAuth' }]
    })
    // Unknown: its bytes, said as such. Known but broken: said as such too.
    expect(found['1.2.3.4.5.6']).toEqual({ kind: 'raw', length: 4, hex: '0402cafe' })

    const ca = values(certificateDetails(mustParse(h.intermediate.der)))
    expect(ca['basicConstraints']).toEqual({ kind: 'basic-constraints', ca: true, pathLen: 0 })
    expect(ca['nameConstraints']).toEqual({
      kind: 'name-constraints',
      permitted: { names: [{ type: 'dns', value: '.example.test' }], more: 0 },
      excluded: { names: [{ type: 'ip', value: '10.0.0.0/255.0.0.0' }], more: 0 }
    })
    expect(ca['policyConstraints']).toEqual({
      kind: 'policy-constraints',
      requireExplicitPolicy: 0,
      inhibitPolicyMapping: null
    })
    expect(ca['freshestCrl']).toEqual({
      kind: 'crl-distribution-points',
      points: [
        {
          names: { names: [], more: 0 },
          relativeName: 'CN=Delta CRL',
          reasons: ['keyCompromise', 'cACompromise'],
          crlIssuer: { names: [{ type: 'dns', value: 'crl.example.test' }], more: 0 }
        }
      ]
    })
    expect(ca['ctPrecertScts']).toEqual({ kind: 'malformed', length: 5, hex: '0403000901' })
    expect(ca['inhibitAnyPolicy']).toEqual({ kind: 'inhibit-any-policy', skipCerts: 0 })
    expect(ca['policyMappings']).toEqual({
      kind: 'policy-mappings',
      mappings: [{ issuerPolicy: '2.23.140.1.2.1', subjectPolicy: '1.2.3.4' }]
    })
  })

  it('spells out at most 20 names of a list and counts the rest', async () => {
    const sans = Array.from({ length: 25 }, (_, i) => ({
      type: 'dns' as const,
      value: `h${i}.example.test`
    }))
    const h = await makeHierarchy('h0.example.test', { leaf: { sans } })
    const details = certificateDetails(mustParse(h.leaf.der))
    const san = values(details)['subjectAltName']
    expect(san?.kind === 'names' && san.list.names.length).toBe(20)
    expect(san?.kind === 'names' && san.list.more).toBe(5)
    // The SAN section itself still lists every name.
    expect(details.subjectAltNames).toHaveLength(25)
  })
})
