import { describe, expect, it } from 'vitest'
import {
  decideVerdict,
  headlinePrecedence,
  type DecisionContext
} from '../../../../electron/main/tls/decision'
import {
  trustReasonSchema,
  type TrustReason,
  type TrustReasonCode,
  type TrustSeverity
} from '../../../../shared/types/trust'

const leaf = 'AA:AA'
const other = 'BB:BB'

function f(code: TrustReasonCode, severity: TrustSeverity = 'error'): TrustReason {
  return { code, severity, certIndex: 0, certSubject: 'CN=x', params: {}, detail: code }
}

function ctx(over: Partial<DecisionContext> = {}): DecisionContext {
  return {
    anchored: true,
    leafSha256: leaf,
    leafSubject: 'CN=x',
    host: 'sip.example.test',
    port: 5061,
    node: { authorized: true, authorizationError: null },
    exception: null,
    exceptionsAllowed: true,
    ...over
  }
}

const nodeRejects = { authorized: false, authorizationError: 'SELF_SIGNED_CERT_IN_CHAIN' }
const pinned = (sha256: string) => ({ sha256, acceptedAt: '2026-01-02T03:04:05.000Z' })

describe('decideVerdict', () => {
  it('trusts a clean, anchored chain Node agrees with, with no headline', () => {
    const d = decideVerdict([f('chain-order', 'info')], ctx())
    expect(d).toMatchObject({ verdict: 'trusted', headline: null, exception: null })
    expect(d.exceptionOffer).toBe('not-applicable')
  })

  it('refuses a chain TrustLine accepts but Node rejects, as an error of its own', () => {
    const d = decideVerdict([], ctx({ node: nodeRejects }))
    expect(d.verdict).toBe('untrusted')
    expect(d.headline).toMatchObject({
      code: 'node-disagrees',
      severity: 'error',
      params: { direction: 'node-rejects', nodeError: 'SELF_SIGNED_CERT_IN_CHAIN' }
    })
    expect(d.exceptionOffer).toBe('not-applicable')
  })

  it.each(['revoked', 'weak-key', 'weak-signature', 'malformed-certificate'] as const)(
    'only notes that Node does not check %s, and never makes that the headline',
    (code) => {
      const d = decideVerdict([f(code)], ctx())
      expect(d.verdict).toBe('untrusted')
      expect(d.headline?.code).toBe(code)
      const node = d.reasons.find((r) => r.code === 'node-disagrees')
      expect(node).toMatchObject({ severity: 'info', params: { codes: [code] } })
    }
  )

  it('says nothing about Node when both refuse, or when TrustLine refuses for what Node checks', () => {
    expect(
      decideVerdict([f('self-signed')], ctx({ anchored: false, node: nodeRejects })).reasons.map(
        (r) => r.code
      )
    ).toEqual(['self-signed'])
    expect(decideVerdict([f('hostname-mismatch')], ctx()).reasons.map((r) => r.code)).toEqual([
      'hostname-mismatch'
    ])
  })

  it('trusts by exception only the pinned leaf, whatever chain problem it has', () => {
    const d = decideVerdict(
      [f('self-signed'), f('hostname-mismatch')],
      ctx({ anchored: false, node: nodeRejects, exception: pinned(leaf) })
    )
    expect(d).toMatchObject({
      verdict: 'trusted-by-exception',
      headline: null,
      exception: pinned(leaf)
    })
    expect(d.reasons.map((r) => r.code)).not.toContain('node-disagrees')
  })

  it('ignores a stored exception while policy forbids exceptions, and says so first', () => {
    const d = decideVerdict(
      [f('self-signed')],
      ctx({
        anchored: false,
        node: nodeRejects,
        exception: pinned(leaf),
        exceptionsAllowed: false,
        exceptionsLockedBy: '/etc/trustline/policy.json'
      })
    )
    expect(d.verdict).toBe('untrusted')
    expect(d.exception).toBeNull()
    expect(d.headline).toMatchObject({
      code: 'exception-forbidden',
      params: { lockedBy: '/etc/trustline/policy.json', host: 'sip.example.test', port: 5061 }
    })
    expect(d.exceptionOffer).toBe('forbidden-by-policy')
  })

  it('makes a changed pinned certificate the headline, ahead of the chain problems', () => {
    const d = decideVerdict(
      [f('unknown-issuer'), f('expired')],
      ctx({ anchored: false, node: nodeRejects, exception: pinned(other) })
    )
    expect(d.verdict).toBe('untrusted')
    expect(d.reasons[0]).toBe(d.headline)
    expect(d.headline).toMatchObject({
      code: 'certificate-changed',
      severity: 'error',
      params: { acceptedSha256: other, presentedSha256: leaf, acceptedAt: pinned(other).acceptedAt }
    })
    expect(d.exceptionOffer).toBe('available')
  })

  it('only warns about a changed pin when a trusted CA now vouches for the server', () => {
    const d = decideVerdict([], ctx({ exception: pinned(other) }))
    expect(d.verdict).toBe('trusted')
    expect(d.reasons).toEqual([
      expect.objectContaining({ code: 'certificate-changed', severity: 'warning' })
    ])
  })

  it('never lets an exception cover revocation', () => {
    const d = decideVerdict(
      [f('revoked'), f('self-signed')],
      ctx({ anchored: false, exception: pinned(leaf) })
    )
    expect(d.verdict).toBe('untrusted')
    expect(d.headline?.code).toBe('revoked')
    expect(d.exceptionOffer).toBe('not-applicable')
  })

  it('never lets an exception cover the SIP-domain rule', () => {
    const refused = decideVerdict(
      [f('self-signed'), f('sip-domain-refused')],
      ctx({ anchored: false, exception: pinned(leaf) })
    )
    expect(refused.verdict).toBe('untrusted')
    expect(refused.headline?.code).toBe('sip-domain-refused')
    const asked = decideVerdict(
      [f('self-signed'), f('sip-domain-unconfirmed', 'question')],
      ctx({ anchored: false, exception: pinned(leaf) })
    )
    expect(asked.verdict).toBe('needs-question')
    expect(asked.headline?.code).toBe('sip-domain-unconfirmed')
  })

  it('asks only when nothing else refuses', () => {
    expect(decideVerdict([f('sip-domain-unconfirmed', 'question')], ctx()).verdict).toBe(
      'needs-question'
    )
    const both = decideVerdict([f('sip-domain-unconfirmed', 'question'), f('expired')], ctx())
    expect(both.verdict).toBe('untrusted')
    expect(both.headline?.code).toBe('expired')
  })

  it('has no verdict when the attempt failed before a certificate was seen', () => {
    const d = decideVerdict(
      [f('client-cert-required')],
      ctx({ anchored: false, leafSha256: null, node: null })
    )
    expect(d).toMatchObject({ verdict: 'no-verdict', exceptionOffer: 'not-applicable' })
    expect(d.headline?.code).toBe('client-cert-required')
  })

  it('judges the server certificate it saw even when the connection then failed', () => {
    const refused = decideVerdict([f('client-cert-required')], ctx())
    expect(refused).toMatchObject({ verdict: 'no-verdict', serverCertificate: 'trusted' })
    expect(refused.headline?.code).toBe('client-cert-required')
    // An untrusted server is called untrusted, with its own problem first.
    const both = decideVerdict([f('client-cert-required'), f('expired')], ctx())
    expect(both).toMatchObject({ verdict: 'untrusted', serverCertificate: 'untrusted' })
    expect(both.headline?.code).toBe('expired')
    // Our own certificate's fault leads when the server refused it.
    const cause = decideVerdict([f('client-cert-rejected'), f('client-cert-expired')], ctx())
    expect(cause.headline?.code).toBe('client-cert-expired')
    // A warning about our certificate never stops a connection the server accepted.
    expect(decideVerdict([f('client-cert-expired', 'warning')], ctx()).verdict).toBe('trusted')
  })

  it('offers an exception for chain problems when policy allows, not otherwise', () => {
    expect(decideVerdict([f('self-signed')], ctx({ anchored: false })).exceptionOffer).toBe(
      'available'
    )
    expect(
      decideVerdict([f('self-signed')], ctx({ anchored: false, exceptionsAllowed: false }))
        .exceptionOffer
    ).toBe('forbidden-by-policy')
  })

  it('never trusts an unanchored chain, even when no producer said why', () => {
    const d = decideVerdict([], ctx({ anchored: false }))
    expect(d.verdict).toBe('untrusted')
    expect(d.headline?.code).toBe('unknown-issuer')
  })

  it('orders the reasons: headline, then errors, questions, warnings, notes', () => {
    const d = decideVerdict(
      [
        f('chain-order', 'info'),
        f('incomplete-chain-fetched', 'warning'),
        f('weak-key'),
        f('expired')
      ],
      ctx()
    )
    expect(d.reasons.map((r) => r.code)).toEqual([
      'expired',
      'weak-key',
      'incomplete-chain-fetched',
      'chain-order',
      'node-disagrees'
    ])
  })

  it("refuses a path to the account's own CA once the policy forbids such CAs", () => {
    const own = { accountAnchor: true, accountCasLockedBy: '/etc/trustline/policy.json' }
    expect(decideVerdict([], ctx({ ...own, accountCasAllowed: true })).verdict).toBe('trusted')
    const refused = decideVerdict([], ctx({ ...own, accountCasAllowed: false }))
    expect(refused.verdict).toBe('untrusted')
    expect(refused.headline).toMatchObject({
      code: 'account-ca-forbidden',
      params: { lockedBy: '/etc/trustline/policy.json' }
    })
    // Only the account's own anchors: a path to a policy or system CA is not affected.
    expect(decideVerdict([], ctx({ accountCasAllowed: false })).verdict).toBe('trusted')
    // An exception for exactly this leaf is still the user's (and the policy's) other way in.
    const pinned = decideVerdict(
      [],
      ctx({ ...own, accountCasAllowed: false, exception: { sha256: leaf, acceptedAt: 'x' } })
    )
    expect(pinned.verdict).toBe('trusted-by-exception')
  })

  it('cuts oversized facts to what a report carries, saying how many there were', () => {
    const names = Array.from({ length: 300 }, (_, i) => `host${i}.example.test`)
    const long = 'x'.repeat(10_000)
    const d = decideVerdict(
      [{ ...f('hostname-mismatch'), params: { names, subject: long, count: 3, ok: true } }],
      ctx()
    )
    const params = d.headline?.params ?? {}
    expect(params['names']).toEqual(names.slice(0, 64))
    expect(params['namesTotal']).toBe(300)
    expect((params['subject'] as string).length).toBe(4096)
    expect(params).toMatchObject({ count: 3, ok: true })
    for (const r of d.reasons) expect(trustReasonSchema.safeParse(r).success).toBe(true)
  })

  it('ranks every code it names exactly once', () => {
    expect(new Set(headlinePrecedence).size).toBe(headlinePrecedence.length)
  })
})
