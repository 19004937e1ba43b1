import { describe, expect, it } from 'vitest'
import {
  domainIn,
  effectivePolicySchema,
  normalizeDomain,
  policyFileSchema
} from '../../../../shared/types/policy'
import { mergeSettings } from '../../../../electron/main/policy/merge'

const full = {
  version: 1,
  server: { host: 'sip.corp.example', port: 5061, sipDomain: 'corp.example' },
  trustedCaFiles: ['/etc/trustline/corp-root.pem', 'C:\\ProgramData\\TrustLine\\corp.pem'],
  revocation: 'hard-fail',
  allowTrustExceptions: false,
  allowedSipDomains: ['corp.example', 'XN--BCHER-KVA.example.']
}

describe('policyFileSchema', () => {
  it('accepts a full policy and an empty one', () => {
    expect(policyFileSchema.parse(full)).toEqual(full)
    expect(policyFileSchema.parse({})).toEqual({})
  })

  it.each([
    ['unknown (misspelt) key', { allowTrustExeptions: false }, ''],
    ['revocation outside the enum', { revocation: 'strict' }, 'revocation'],
    ['boolean as a string', { allowTrustExceptions: 'no' }, 'allowTrustExceptions'],
    ['relative CA path', { trustedCaFiles: ['certs/ca.pem'] }, 'trustedCaFiles.0'],
    ['port without host', { server: { sipDomain: 'corp.example', port: 5061 } }, 'server.port'],
    ['empty server block', { server: {} }, 'server'],
    ['port out of range', { server: { host: 'sip.corp.example', port: 70000 } }, 'server.port'],
    ['host with a scheme', { server: { host: 'sips:sip.corp.example' } }, 'server.host'],
    ['domain with a space', { allowedSipDomains: ['corp example'] }, 'allowedSipDomains.0'],
    ['unknown key in server', { server: { host: 'a.example', tls: true } }, 'server'],
    ['future version', { version: 2 }, 'version'],
    [
      'preset domain not allowed',
      { server: { sipDomain: 'other.example' }, allowedSipDomains: ['corp.example'] },
      'server.sipDomain'
    ],
    ['array at top level', [], '']
  ])('rejects %s', (_name, input, path) => {
    const result = policyFileSchema.safeParse(input)
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path)
  })

  it.each(['10.0.0.5', '2001:db8::5', 'sip-1.corp.example', 'corp.example.'])(
    'accepts host %s',
    (host) => {
      expect(policyFileSchema.safeParse({ server: { host } }).success).toBe(true)
    }
  )

  it('accepts an empty allowedSipDomains (no sign-in allowed)', () => {
    expect(policyFileSchema.parse({ allowedSipDomains: [] })).toEqual({ allowedSipDomains: [] })
  })
})

describe('domain helpers', () => {
  it('compare without case and trailing dot', () => {
    expect(normalizeDomain('Corp.Example.')).toBe('corp.example')
    expect(domainIn('CORP.example', ['corp.example.'])).toBe(true)
    expect(domainIn('evilcorp.example', ['corp.example'])).toBe(false)
    expect(domainIn('sub.corp.example', ['corp.example'])).toBe(false)
  })
})

describe('effectivePolicySchema', () => {
  it('round-trips what mergeSettings builds', () => {
    const policy = policyFileSchema.parse(full)
    const effective = mergeSettings({}, { policy, source: '/etc/trustline/policy.json' })
    expect(effectivePolicySchema.parse(effective)).toEqual(effective)
    expect(effectivePolicySchema.parse(JSON.parse(JSON.stringify(effective)))).toEqual(effective)
  })
})
