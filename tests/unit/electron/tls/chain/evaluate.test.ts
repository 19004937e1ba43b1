import { describe, expect, it } from 'vitest'
import {
  evaluateChain,
  type EvaluateInput,
  type EvaluationResult
} from '../../../../../electron/main/tls/chain/evaluate'
import { chainVerdict } from '../../../../../electron/main/tls/decision'
import { reasonText } from '../../../../../shared/reasons'
import {
  makeCert,
  makeHierarchy,
  ku,
  oids,
  rawExtension,
  type CertSpec,
  type IssuedCert
} from '../../../../fixtures/pki'

const host = 'sip.example.test'
const day = 86_400_000

async function run(
  over: {
    root?: Partial<CertSpec>
    intermediate?: Partial<CertSpec>
    leaf?: Partial<CertSpec>
  } = {},
  input: Partial<EvaluateInput> = {}
) {
  const h = await makeHierarchy(host, over)
  const result = await evaluateChain({
    chain: [h.leaf.der, h.intermediate.der],
    anchors: [{ der: h.root.der, source: 'bundled' }],
    host,
    ...input
  })
  return { ...h, result }
}

/** The verdict of a chain judged on its own, by the one decision function. */
function verdictOf(r: EvaluationResult): string {
  return chainVerdict(r.reasons, r.anchor !== null)
}

function codes(r: Awaited<ReturnType<typeof evaluateChain>>, severity = 'error'): string[] {
  return r.reasons.filter((x) => x.severity === severity).map((x) => x.code)
}

describe('evaluateChain', () => {
  it('trusts a clean root → intermediate → leaf chain and explains nothing', async () => {
    const { result, root } = await run()
    expect(verdictOf(result)).toBe('trusted')
    expect(codes(result)).toEqual([])
    expect(result.builtChain).toHaveLength(3)
    expect(result.anchor).toMatchObject({ source: 'bundled', sha256: result.builtChain[2]!.sha256 })
    expect(result.builtChain[2]!.subject).toBe(root.subject)
    expect(result.builtChain[0]!.subjectAltNames).toEqual([{ type: 'dns', value: host }])
  })

  it('carries facts, not sentences: dates as ISO, the role, names', async () => {
    const { result } = await run({
      leaf: {
        notAfter: new Date(Date.UTC(2025, 2, 3, 12)),
        sans: [{ type: 'dns', value: 'other.example.test' }]
      }
    })
    const expired = result.reasons.find((r) => r.code === 'expired')!
    expect(expired.params).toMatchObject({ date: '2025-03-03T12:00:00.000Z', role: 'leaf' })
    expect(expired).not.toHaveProperty('summary')
    const mismatch = result.reasons.find((r) => r.code === 'hostname-mismatch')!
    expect(mismatch.params).toMatchObject({ host, names: ['other.example.test'] })
  })

  // One row per reason code: what to break, and the code(s) that must appear as errors.
  const table: [string, Parameters<typeof run>[0], Partial<EvaluateInput>, string][] = [
    ['expired', { leaf: { notAfter: new Date(Date.now() - 3 * day) } }, {}, 'expired'],
    ['not-yet-valid', { leaf: { notBefore: new Date(Date.now() + 3 * day) } }, {}, 'not-yet-valid'],
    [
      'expired intermediate',
      { intermediate: { notAfter: new Date(Date.now() - day * 10) } },
      {},
      'expired'
    ],
    [
      'hostname-mismatch',
      { leaf: { sans: [{ type: 'dns', value: 'other.example.test' }] } },
      {},
      'hostname-mismatch'
    ],
    ['sip-domain-mismatch', {}, { sipDomain: 'example.org' }, 'sip-domain-mismatch'],
    ['weak-key (RSA-1024 leaf)', { leaf: { key: 'RSA-1024' } }, {}, 'weak-key'],
    ['weak-signature (SHA-1)', { leaf: { hash: 'SHA-1' } }, {}, 'weak-signature'],
    ['not-a-ca', { intermediate: { ca: false, keyUsage: ku.keyCertSign } }, {}, 'not-a-ca'],
    [
      'path-length-exceeded',
      { root: { ca: { ca: true, pathLen: 0 } } },
      {},
      'path-length-exceeded'
    ],
    ['key-usage on CA', { intermediate: { keyUsage: ku.digitalSignature } }, {}, 'key-usage'],
    [
      'key-usage keyCertSign on leaf',
      { leaf: { keyUsage: ku.keyCertSign | ku.digitalSignature } },
      {},
      'key-usage'
    ],
    [
      'key-usage leaf without a TLS bit',
      { leaf: { keyUsage: ku.nonRepudiation } },
      {},
      'key-usage'
    ],
    [
      'extended-key-usage clientAuth only',
      { leaf: { eku: [oids.clientAuth] } },
      {},
      'extended-key-usage'
    ],
    [
      'extended-key-usage anyEKU on leaf',
      { leaf: { eku: [oids.serverAuth, oids.anyEku] } },
      {},
      'extended-key-usage'
    ],
    [
      'name-constraints excluded',
      { intermediate: { nameConstraints: { excluded: [{ type: 'dns', value: 'example.test' }] } } },
      {},
      'name-constraints'
    ],
    [
      'name-constraints permitted elsewhere',
      { root: { nameConstraints: { permitted: [{ type: 'dns', value: 'corp.test' }] } } },
      {},
      'name-constraints'
    ],
    [
      'unknown-critical-extension',
      { leaf: { extensions: [rawExtension('1.2.3.4.5', true, new Uint8Array([5, 0]))] } },
      {},
      'unknown-critical-extension'
    ],
    ['invalid-extension (no AKI)', { leaf: { noAki: true } }, {}, 'invalid-extension']
  ]
  it.each(table)('%s', async (_name, over, input, code) => {
    const { result } = await run(over, input)
    expect(verdictOf(result)).toBe('untrusted')
    expect(codes(result)).toContain(code)
    for (const r of result.reasons) {
      const text = reasonText(r)
      expect(text.summary.length).toBeGreaterThan(20)
      expect(text.remedy.length).toBeGreaterThan(5)
    }
  })

  it('words expiry like a browser, with the date', async () => {
    const { result } = await run(
      { leaf: { notAfter: new Date(Date.UTC(2025, 2, 3, 12)) } },
      { at: new Date(Date.UTC(2025, 2, 8)) }
    )
    const r = result.reasons.find((x) => x.code === 'expired')!
    const text = reasonText(r)
    expect(text.summary).toMatch(/^The server's certificate expired on 3 March 2025 \(5 days ago\)/)
    expect(text.remedy).toMatch(/renew.*check this computer's clock/)
    expect(r.certIndex).toBe(0)
  })

  it('reports every problem, not only the first', async () => {
    const { result } = await run(
      {
        leaf: {
          notAfter: new Date(Date.now() - day),
          sans: [{ type: 'dns', value: 'x.test' }],
          key: 'RSA-1024'
        }
      },
      { sipDomain: 'example.org' }
    )
    expect(codes(result)).toEqual(
      expect.arrayContaining(['expired', 'hostname-mismatch', 'weak-key', 'sip-domain-mismatch'])
    )
  })

  it('adds a clock-skew hint when just outside the validity period', async () => {
    const { result } = await run({ leaf: { notBefore: new Date(Date.now() + 60_000) } })
    expect(codes(result, 'info')).toContain('clock-skew')
  })

  it('reports unknown-issuer without anchors and self-signed for a lone self-signed leaf', async () => {
    const h = await makeHierarchy(host)
    const a = await evaluateChain({ chain: [h.leaf.der, h.intermediate.der], anchors: [], host })
    expect(codes(a)).toContain('unknown-issuer')
    const self = await makeCert({
      subject: `CN=${host}`,
      sans: [{ type: 'dns', value: host }],
      noAki: false
    })
    const b = await evaluateChain({ chain: [self.der], anchors: [], host })
    expect(codes(b)).toContain('self-signed')
    expect(b.sentChain[0]!.selfSigned).toBe(true)
  })

  it('blames an unknown self-signed root for being unknown, not for lacking a key identifier', async () => {
    // The lab's "unknown CA" server: a rogue self-signed root without authorityKeyIdentifier
    // (RFC 5280 4.2.1.1 lets a self-signed certificate omit it), sent with its leaf.
    const rogue = await makeCert({ subject: 'CN=Unknown Rogue CA', ca: true, noAki: true })
    const leaf = await makeCert({
      subject: `CN=${host}`,
      sans: [{ type: 'dns', value: host }],
      issuer: rogue
    })
    const r = await evaluateChain({ chain: [leaf.der, rogue.der], anchors: [], host })
    expect(codes(r)).toEqual(['unknown-issuer'])
    // A self-signed server certificate without it: self-signed, nothing about extensions.
    const self = await makeCert({
      subject: `CN=${host}`,
      sans: [{ type: 'dns', value: host }],
      noAki: true
    })
    const s = await evaluateChain({ chain: [self.der], anchors: [], host })
    expect(codes(s)).toContain('self-signed')
    expect(codes(s)).not.toContain('invalid-extension')
    // An intermediate without one is still reported.
    const h = await run({ intermediate: { noAki: true } })
    expect(h.result.reasons.map((x) => x.code)).toContain('invalid-extension')
  })

  it('trusts a self-signed leaf that is itself an account anchor (pinned)', async () => {
    const self = await makeCert({ subject: `CN=${host}`, sans: [{ type: 'dns', value: host }] })
    const r = await evaluateChain({
      chain: [self.der],
      anchors: [{ der: self.der, source: 'account' }],
      host
    })
    expect(verdictOf(r)).toBe('trusted')
    expect(r.anchor?.source).toBe('account')
  })

  it('reports missing-intermediate when the AIA is there but not fetched, and fetches via the hook', async () => {
    const h = await makeHierarchy(host, { leaf: { caIssuers: ['http://ca.example.test/int.cer'] } })
    const anchors = [{ der: h.root.der, source: 'system' as const }]
    const missing = await evaluateChain({ chain: [h.leaf.der], anchors, host })
    expect(codes(missing)).toContain('missing-intermediate')
    const failing = await evaluateChain({
      chain: [h.leaf.der],
      anchors,
      host,
      fetchIssuer: () => Promise.resolve(null)
    })
    expect(codes(failing)).toContain('missing-intermediate')
    const urls: string[] = []
    const fetched = await evaluateChain({
      chain: [h.leaf.der],
      anchors,
      host,
      fetchIssuer: (url) => {
        urls.push(url)
        return Promise.resolve(h.intermediate.der)
      }
    })
    expect(urls).toEqual(['http://ca.example.test/int.cer'])
    expect(verdictOf(fetched)).toBe('trusted')
    expect(codes(fetched, 'warning')).toContain('incomplete-chain-fetched')
    expect(fetched.chainNotes.fetched).toEqual([
      { certIndex: 1, url: 'http://ca.example.test/int.cer' }
    ])
  })

  it('builds through wrong order, duplicates, extras and a sent anchor, and notes them', async () => {
    const h = await makeHierarchy(host)
    const stray = await makeCert({ subject: 'CN=Unrelated CA', ca: true })
    const r = await evaluateChain({
      chain: [h.leaf.der, h.root.der, stray.der, h.intermediate.der, h.intermediate.der],
      anchors: [{ der: h.root.der, source: 'system' }],
      host
    })
    expect(verdictOf(r)).toBe('trusted')
    expect(r.chainNotes).toMatchObject({
      outOfOrder: true,
      anchorSent: true,
      duplicates: [4],
      unused: [2]
    })
    expect(codes(r, 'info')).toEqual(
      expect.arrayContaining(['chain-order', 'extra-certificates', 'anchor-sent'])
    )
  })

  it('revocation hook: revoked is an error, unknown is a warning in soft-fail and an error in hard-fail', async () => {
    const revoked = await run(
      {},
      {
        revocationCheck: () =>
          Promise.resolve({ status: 'revoked', source: 'ocsp', detail: 'keyCompromise' })
      }
    )
    expect(codes(revoked.result)).toEqual(['revoked'])
    expect(revoked.result.revocation).toMatchObject({
      status: 'revoked',
      source: 'ocsp',
      mode: 'soft-fail'
    })
    const soft = await run(
      {},
      {
        revocationCheck: () =>
          Promise.resolve({ status: 'unknown', source: null, detail: 'timeout' })
      }
    )
    expect(verdictOf(soft.result)).toBe('trusted')
    expect(codes(soft.result, 'warning')).toContain('revocation-unknown')
    const hard = await run(
      {},
      {
        policy: { revocation: 'hard-fail' },
        revocationCheck: () => Promise.reject(new Error('responder down'))
      }
    )
    expect(codes(hard.result)).toContain('revocation-unknown')
  })

  it('matches SIP domains per RFC 5922 via sip: URI SANs', async () => {
    const { result } = await run(
      {
        leaf: {
          sans: [
            { type: 'dns', value: host },
            { type: 'uri', value: 'sip:example.test' }
          ]
        }
      },
      { sipDomain: 'example.test' }
    )
    expect(verdictOf(result)).toBe('trusted')
  })

  it('accepts id-kp-sipDomain (RFC 5924) in place of serverAuth', async () => {
    const { result } = await run({ leaf: { eku: [oids.sipDomain] } })
    expect(codes(result)).toEqual([])
  })

  it('accepts IP hosts only against IP SANs', async () => {
    const ok = await run(
      { leaf: { sans: [{ type: 'ip', value: '192.0.2.7' }] } },
      { host: '192.0.2.7' }
    )
    expect(verdictOf(ok.result)).toBe('trusted')
    const bad = await run(
      { leaf: { sans: [{ type: 'dns', value: '192.0.2.7.example' }] } },
      { host: '192.0.2.7' }
    )
    expect(codes(bad.result)).toContain('hostname-mismatch')
  })

  it('works with RSA, RSA-PSS, P-384, P-521 and Ed25519 keys', async () => {
    for (const key of ['RSA-2048', 'RSA-PSS-2048', 'P-384', 'P-521', 'Ed25519'] as const) {
      const { result } = await run({ root: { key }, intermediate: { key }, leaf: { key } })
      expect([key, verdictOf(result), codes(result)]).toEqual([key, 'trusted', []])
    }
  })

  it('rejects a tampered signature', async () => {
    const h = await makeHierarchy(host)
    const der = Buffer.from(h.leaf.der)
    der[der.length - 5] = der[der.length - 5]! ^ 0x01
    const r = await evaluateChain({
      chain: [der, h.intermediate.der],
      anchors: [{ der: h.root.der, source: 'system' }],
      host
    })
    expect(verdictOf(r)).toBe('untrusted')
    expect(codes(r)).toContain('bad-signature')
  })

  it('never crashes on garbage, empty or huge input', async () => {
    const h = await makeHierarchy(host)
    const anchors = [{ der: h.root.der, source: 'system' as const }]
    for (const chain of [
      [],
      [Buffer.alloc(0)],
      [Buffer.from('hello')],
      [Buffer.alloc(300_000, 0x30)],
      [h.leaf.der.subarray(0, 100)]
    ]) {
      const r = await evaluateChain({ chain, anchors, host })
      expect(verdictOf(r)).toBe('untrusted')
      expect(codes(r).some((c) => c === 'malformed-certificate' || c === 'no-certificate')).toBe(
        true
      )
    }
    const withJunk = await evaluateChain({
      chain: [h.leaf.der, Buffer.from([0x30, 0x03, 1, 2]), h.intermediate.der],
      anchors,
      host
    })
    expect(verdictOf(withJunk)).toBe('trusted')
    expect(codes(withJunk, 'warning')).toContain('malformed-certificate')
  })

  it('refuses absurdly long chains quickly with a clear reason', async () => {
    const h = await makeHierarchy(host)
    const chain = [h.leaf.der, ...new Array<Buffer>(200).fill(h.intermediate.der)]
    const t = Date.now()
    const r = await evaluateChain({ chain, anchors: [{ der: h.root.der, source: 'system' }], host })
    expect(Date.now() - t).toBeLessThan(2000)
    expect(codes(r)).toContain('chain-limit')
  })

  it('terminates on issuer loops and deep chains without an anchor', async () => {
    const a = await makeCert({ subject: 'CN=Loop A', ca: true })
    const b = await makeCert({ subject: 'CN=Loop B', ca: true, issuer: a })
    const aByB = await makeCert({ subject: 'CN=Loop A', ca: true, issuer: b, keys: a.keys })
    const leaf = await makeCert({
      subject: `CN=${host}`,
      issuer: aByB,
      sans: [{ type: 'dns', value: host }]
    })
    const other = await makeCert({ subject: 'CN=Somewhere Else', ca: true })
    const r = await evaluateChain({
      chain: [leaf.der, b.der, aByB.der],
      anchors: [{ der: other.der, source: 'system' }],
      host
    })
    expect(verdictOf(r)).toBe('untrusted')
    expect(codes(r)).toContain('unknown-issuer')

    let issuer: IssuedCert = await makeCert({ subject: 'CN=Deep 0', ca: true })
    const root = issuer
    const deep: Buffer[] = []
    for (let i = 1; i < 20; i++) {
      issuer = await makeCert({ subject: `CN=Deep ${i}`, ca: true, issuer })
      deep.unshift(issuer.der)
    }
    const dl = await makeCert({
      subject: `CN=${host}`,
      issuer,
      sans: [{ type: 'dns', value: host }]
    })
    const d = await evaluateChain({
      chain: [dl.der, ...deep],
      anchors: [{ der: root.der, source: 'system' }],
      host
    })
    expect(verdictOf(d)).toBe('untrusted')
    expect(codes(d)).toContain('chain-too-long')
  })

  it('evaluates a 10,000-SAN certificate quickly', async () => {
    const sans = Array.from({ length: 10_000 }, (_, i) => ({
      type: 'dns' as const,
      value: `h${i}.example.test`
    }))
    sans.push({ type: 'dns', value: host })
    const t = Date.now()
    const { result } = await run({
      leaf: { sans },
      intermediate: { nameConstraints: { permitted: [{ type: 'dns', value: 'example.test' }] } }
    })
    expect(codes(result)).toEqual([])
    expect(result.builtChain[0]!.subjectAltNames).toHaveLength(10_001)
    expect(Date.now() - t).toBeLessThan(5000)
  })

  it('backtracks to a second issuer when the first candidate is expired', async () => {
    const root = await makeCert({ subject: 'CN=Root', ca: true })
    const keys = (await makeCert({ subject: 'CN=tmp', ca: true })).keys
    const expiredInt = await makeCert({
      subject: 'CN=Int',
      ca: true,
      issuer: root,
      keys,
      notAfter: new Date(Date.now() - day)
    })
    const goodInt = await makeCert({ subject: 'CN=Int', ca: true, issuer: root, keys })
    const leaf = await makeCert({
      subject: `CN=${host}`,
      issuer: goodInt,
      sans: [{ type: 'dns', value: host }]
    })
    const r = await evaluateChain({
      chain: [leaf.der, expiredInt.der, goodInt.der],
      anchors: [{ der: root.der, source: 'system' }],
      host
    })
    expect(verdictOf(r)).toBe('trusted')
    expect(r.builtChain[1]!.sha256).toBe(r.sentChain[2]!.sha256)
  })

  it('relaxes the CA profile only for OS-store roots (legacy roots without basicConstraints/SKI)', async () => {
    const legacy = { ca: null, noSki: true, keyUsage: null } as const
    const system = await run({ root: legacy })
    expect(verdictOf(system.result)).toBe('untrusted')
    const h = system
    const asSystem = await evaluateChain({
      chain: [h.leaf.der, h.intermediate.der],
      anchors: [{ der: h.root.der, source: 'system' }],
      host
    })
    expect(verdictOf(asSystem)).toBe('trusted')
    expect(codes(system.result)).toContain('not-a-ca')
  })

  it('times out stuck hooks instead of hanging the connection', async () => {
    const h = await makeHierarchy(host, { leaf: { caIssuers: ['http://ca.example.test/int.cer'] } })
    const never = new Promise<never>(() => {})
    const r = await evaluateChain({
      chain: [h.leaf.der],
      anchors: [{ der: h.root.der, source: 'system' }],
      host,
      hookTimeoutMs: 50,
      fetchIssuer: () => never
    })
    expect(codes(r)).toContain('missing-intermediate')
    expect(r.reasons.find((x) => x.code === 'missing-intermediate')?.detail).toMatch(/timed out/)
    const rev = await run({}, { hookTimeoutMs: 50, revocationCheck: () => never })
    expect(codes(rev.result, 'warning')).toContain('revocation-unknown')
  })

  it('never throws, even when a hook returns nonsense', async () => {
    const h = await makeHierarchy(host, { leaf: { caIssuers: ['http://x.test/i'] } })
    const r = await evaluateChain({
      chain: [h.leaf.der],
      anchors: [{ der: h.root.der, source: 'system' }],
      host,
      fetchIssuer: () => Promise.resolve(42 as unknown as Buffer)
    })
    expect(verdictOf(r)).toBe('untrusted')
  })
})
