import { describe, expect, it } from 'vitest'
import { certificateDetails } from '../../../../../electron/main/tls/chain/details'
import { mustParse } from '../../../../../electron/main/tls/chain/parse'
import { certificateDetailsSchema } from '../../../../../shared/types/trust'
import { makeHierarchy } from '../../../../fixtures/pki'

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
    expect(leaf.extensions.find((e) => e.name === 'subjectAltName')?.value).toBe(
      'DNS:sip.example.test'
    )
    expect(leaf.pem).toMatch(/^-----BEGIN CERTIFICATE-----\n/)
    const int = certificateDetails(mustParse(h.intermediate.der))
    expect(int).toMatchObject({ isCA: true, pathLen: 0 })
    expect(certificateDetails(mustParse(h.root.der)).selfSigned).toBe(true)
  })
})
