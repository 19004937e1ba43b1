import { describe, expect, it } from 'vitest'
import {
  derToPem,
  maxCertificateBytes,
  parseCertificate,
  pemToDer
} from '../../../../../electron/main/tls/chain/parse'
import { makeCert, makeHierarchy } from '../../../../fixtures/pki'

describe('parseCertificate', () => {
  it('parses a generated leaf with SANs, key usage and key identifiers', async () => {
    const { leaf } = await makeHierarchy('a.example.test', {
      leaf: {
        sans: [
          { type: 'dns', value: 'a.example.test' },
          { type: 'ip', value: '2001:db8::1' },
          { type: 'email', value: 'ops@example.test' },
          { type: 'uri', value: 'sip:example.test' }
        ],
        caIssuers: ['http://ca.example.test/i.cer']
      }
    })
    const r = parseCertificate(leaf.der)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    const c = r.cert
    expect(c.version).toBe(3)
    expect(c.subject.text).toBe('CN=a.example.test')
    expect(c.subjectAltNames?.map((s) => ('value' in s ? s.value : ''))).toEqual([
      'a.example.test',
      '2001:db8::1',
      'ops@example.test',
      'sip:example.test'
    ])
    expect(c.keyUsage?.has('digitalSignature')).toBe(true)
    expect(c.extKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1'])
    expect(c.subjectKeyId).not.toBeNull()
    expect(c.authorityKeyId?.keyId).not.toBeNull()
    expect(c.caIssuers).toEqual(['http://ca.example.test/i.cer'])
    expect(c.key).toMatchObject({ algorithm: 'EC', curve: 'P-256', bits: 256 })
    expect(c.signatureInfo?.name).toBe('ecdsa-with-SHA256')
    expect(c.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
  })

  it('round-trips PEM and DER', async () => {
    const root = await makeCert({ subject: 'CN=R, O=Example, C=NL', ca: true })
    const [der] = pemToDer(derToPem(root.der) + derToPem(root.der)).slice(0, 1)
    expect(der!.equals(root.der)).toBe(true)
    expect(pemToDer('junk')).toEqual([])
  })

  it('reports RSA modulus size', async () => {
    const c = await makeCert({ subject: 'CN=r', key: 'RSA-2048', ca: true })
    const r = parseCertificate(c.der)
    expect(r.ok && r.cert.key).toMatchObject({ algorithm: 'RSA', bits: 2048 })
  })

  const garbage: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['text', Buffer.from('-----BEGIN CERTIFICATE-----')],
    ['indefinite length', Buffer.from([0x30, 0x80, 0x00, 0x00])],
    ['length past end', Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x00])],
    ['empty sequence', Buffer.from([0x30, 0x00])],
    [
      'deeply nested',
      Buffer.from(Array.from({ length: 200 }, (_, i) => [0x30, 2 * (199 - i)]).flat())
    ],
    ['too big', Buffer.alloc(maxCertificateBytes + 1, 0x30)]
  ]
  it.each(garbage)('returns a clear failure for %s input', (_n, der) => {
    const r = parseCertificate(der)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.failure.error.length).toBeGreaterThan(3)
  })

  it('fails cleanly on every truncation and on bit flips of a real certificate', async () => {
    const { leaf } = await makeHierarchy()
    for (let n = 0; n < leaf.der.length; n += 7) {
      expect(parseCertificate(leaf.der.subarray(0, n)).ok).toBe(false)
    }
    for (let i = 0; i < 200; i++) {
      const copy = Buffer.from(leaf.der)
      const at = (i * 37) % copy.length
      copy[at] = copy[at]! ^ 0xff
      expect(() => parseCertificate(copy)).not.toThrow()
    }
  })
})
