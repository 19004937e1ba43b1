import { describe, expect, it } from 'vitest'
import { parseCertificate, type ParsedCertificate } from '../../../../electron/main/tls/chain/parse'
import { isInDomain, sipDomainMatches } from '../../../../electron/main/tls/chain/names'
import { sipIdentityFinding, type ServerOrigin } from '../../../../electron/main/tls/identity'
import { makeCert, type NameSpec } from '../../../fixtures/pki'

async function leaf(subject: string, sans?: NameSpec[]): Promise<ParsedCertificate> {
  const c = await makeCert({ subject, ...(sans ? { sans } : {}) })
  const p = parseCertificate(c.der)
  if (!p.ok) throw new Error(p.failure.error)
  return p.cert
}

const srv = (host: string): ServerOrigin => ({
  host,
  port: 5061,
  source: 'srv',
  via: `_sips._tcp.corp.example.test`
})

describe('the one SIP-domain matcher (RFC 5922 §7)', () => {
  it('never lets a wildcard establish a SIP domain, at any depth', async () => {
    for (const pattern of ['*.example.test', '*.test', '*.corp.example.test']) {
      const cert = await leaf('CN=www.example.test', [{ type: 'dns', value: pattern }])
      expect(sipDomainMatches(cert, 'corp.example.test')).toBe(false)
    }
  })

  it('reads the CN attribute itself, never text inside another attribute', async () => {
    // A SAN-less certificate whose OU *contains* ", CN=corp.test": the escaped subject string
    // reads "OU=x\, CN=corp.test", which a regex over display text takes for a CN.
    const injected = await leaf('OU=x\\, CN=corp.test')
    expect(injected.subject.rdns.flat().map((a) => a.oid)).toEqual(['2.5.4.11'])
    expect(sipDomainMatches(injected, 'corp.test')).toBe(false)
    const real = await leaf('OU=x, CN=corp.test')
    expect(sipDomainMatches(real, 'corp.test')).toBe(true)
  })

  it('compares IDNs in A-label form, both ways', async () => {
    const ace = await leaf('CN=x', [{ type: 'uri', value: 'sip:xn--bcher-kva.test' }])
    expect(sipDomainMatches(ace, 'bücher.test')).toBe(true)
    expect(sipDomainMatches(ace, 'BÜCHER.test.')).toBe(true)
    expect(sipDomainMatches(ace, 'bucher.test')).toBe(false)
    const dns = await leaf('CN=x', [{ type: 'dns', value: 'xn--bcher-kva.test' }])
    expect(sipDomainMatches(dns, 'bücher.test')).toBe(true)
  })

  it('prefers sip: URIs over DNS names, and a URI with a user part names no domain', async () => {
    const both = await leaf('CN=x', [
      { type: 'dns', value: 'corp.test' },
      { type: 'uri', value: 'sip:other.test' }
    ])
    expect(sipDomainMatches(both, 'corp.test')).toBe(false)
    const user = await leaf('CN=x', [{ type: 'uri', value: 'sip:alice@corp.test' }])
    expect(sipDomainMatches(user, 'corp.test')).toBe(false)
  })

  it('places hosts in domains by label, in A-label form', () => {
    expect(isInDomain('sip.corp.test', 'corp.test')).toBe(true)
    expect(isInDomain('evilcorp.test', 'corp.test')).toBe(false)
    expect(isInDomain('sip.xn--bcher-kva.test', 'bücher.test')).toBe(true)
  })
})

describe('sipIdentityFinding (the DNS-hijack rule)', () => {
  it('asks when DNS sends the domain outside it and the certificate only has a wildcard', async () => {
    const cert = await leaf('CN=www.example.test', [{ type: 'dns', value: '*.example.test' }])
    const f = sipIdentityFinding(cert, 'corp.example.test', srv('www.example.test'), null)
    expect(f).toMatchObject({
      code: 'sip-domain-unconfirmed',
      severity: 'question',
      ctx: {
        sipDomain: 'corp.example.test',
        names: ['DNS:*.example.test'],
        extra: { server: 'www.example.test', port: 5061 }
      }
    })
  })

  it('applies the remembered answer for exactly that pair', async () => {
    const cert = await leaf('CN=a', [{ type: 'dns', value: 'edge.hosted.test' }])
    const at = '2026-01-01T00:00:00.000Z'
    expect(
      sipIdentityFinding(cert, 'corp.test', srv('edge.hosted.test'), { allow: true, decidedAt: at })
    ).toMatchObject({ code: 'sip-domain-confirmed', severity: 'warning' })
    expect(
      sipIdentityFinding(cert, 'corp.test', srv('edge.hosted.test'), {
        allow: false,
        decidedAt: at
      })
    ).toMatchObject({ code: 'sip-domain-refused', severity: 'error' })
  })

  it('only notes a server inside the domain or chosen explicitly', async () => {
    const cert = await leaf('CN=a', [{ type: 'dns', value: 'sip.corp.test' }])
    expect(sipIdentityFinding(cert, 'corp.test', srv('sip.corp.test'), null)).toMatchObject({
      code: 'sip-domain-not-named',
      severity: 'info',
      ctx: { extra: { why: 'in-domain' } }
    })
    expect(
      sipIdentityFinding(
        cert,
        'corp.test',
        { host: 'sip.elsewhere.test', port: 5061, source: 'configured', via: null },
        null
      )
    ).toMatchObject({ code: 'sip-domain-not-named', ctx: { extra: { why: 'configured' } } })
  })

  it('is an error when checked without knowing how the server was found', async () => {
    const cert = await leaf('CN=a', [{ type: 'dns', value: '*.corp.test' }])
    expect(sipIdentityFinding(cert, 'corp.test', null, null)).toMatchObject({
      code: 'sip-domain-mismatch',
      severity: 'error'
    })
  })

  it('finds nothing to say when the certificate names the domain (Unicode or not)', async () => {
    const cert = await leaf('CN=a', [{ type: 'uri', value: 'sip:xn--bcher-kva.test' }])
    expect(sipIdentityFinding(cert, 'bücher.test', srv('sip.other.test'), null)).toBeNull()
  })
})
