import { describe, expect, it } from 'vitest'
import { decideFederation } from '../../../../electron/main/federation/decide'
import type { FederationFinding, FederationFindingCode } from '../../../../shared/types/federation'

const f = (
  code: FederationFindingCode,
  severity: FederationFinding['severity'] = 'error'
): FederationFinding => ({
  code,
  severity,
  certIndex: null,
  certSubject: null,
  params: {},
  detail: ''
})
const ctx = { partnerDomain: 'partner.example', host: 'edge.partner.example', port: 5061 }

describe('decideFederation', () => {
  it.each([
    // [findings, verdict, headline]
    [[], 'ready', 'federation-ready'],
    [[f('options-ok', 'info')], 'ready', 'federation-ready'],
    [
      [f('options-ok', 'info'), f('federation-srv-missing', 'warning')],
      'ready',
      'federation-srv-missing'
    ],
    // The cause (our certificate) before the symptom (the partner's alert), in either order.
    [[f('handshake-alert'), f('own-cert-no-client-auth')], 'not-ready', 'own-cert-no-client-auth'],
    [
      [f('own-cert-public-ca-no-client-auth'), f('handshake-alert')],
      'not-ready',
      'own-cert-public-ca-no-client-auth'
    ],
    [[f('our-ca-not-listed', 'warning'), f('handshake-alert')], 'not-ready', 'handshake-alert'],
    // A server outside the domain before anything that server says about itself.
    [[f('partner-cert-expired'), f('target-outside-domain')], 'not-ready', 'target-outside-domain'],
    [
      [f('partner-cert-no-client-auth'), f('options-rejected')],
      'not-ready',
      'partner-cert-no-client-auth'
    ],
    // Any error beats any warning, whatever the precedence list says.
    [[f('discovery-failed', 'warning'), f('options-silent')], 'not-ready', 'options-silent'],
    [[f('partner-cert-revocation-unknown', 'warning')], 'ready', 'partner-cert-revocation-unknown'],
    [
      [f('partner-cert-revocation-unknown', 'error')],
      'not-ready',
      'partner-cert-revocation-unknown'
    ]
  ] as const)('%j → %s, %s', (findings, verdict, headline) => {
    const d = decideFederation(findings, ctx)
    expect(d.verdict).toBe(verdict)
    expect(d.headline.code).toBe(headline)
  })

  it('gives the clean headline the partner and server it is about', () => {
    expect(decideFederation([], ctx).headline.params).toEqual({
      domain: 'partner.example',
      host: 'edge.partner.example',
      port: 5061
    })
  })

  it('sorts findings errors first and does not change its input', () => {
    const input = [
      f('options-ok', 'info'),
      f('own-cert-no-server-auth', 'warning'),
      f('options-closed')
    ]
    const d = decideFederation(input, ctx)
    expect(d.findings.map((x) => x.severity)).toEqual(['error', 'warning', 'info'])
    expect(input[0]!.code).toBe('options-ok')
  })
})
