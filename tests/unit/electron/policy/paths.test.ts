import { describe, expect, it } from 'vitest'
import { policyFileEnv, policyFilePath } from '../../../../electron/main/policy/paths'

describe('policyFilePath', () => {
  it.each([
    ['linux', {}, '/etc/trustline/policy.json'],
    ['freebsd', {}, '/etc/trustline/policy.json'],
    ['darwin', {}, '/Library/Application Support/TrustLine/policy.json'],
    ['win32', { ProgramData: 'D:\\ProgramData' }, 'D:\\ProgramData\\TrustLine\\policy.json'],
    ['win32', {}, 'C:\\ProgramData\\TrustLine\\policy.json']
  ] as const)('%s %j → %s', (platform, env, expected) => {
    expect(policyFilePath({ platform, env, allowEnvOverride: false })).toBe(expected)
  })

  it('honours TRUSTLINE_POLICY_FILE only when allowed', () => {
    const env = { [policyFileEnv]: '/tmp/p.json' }
    expect(policyFilePath({ platform: 'linux', env, allowEnvOverride: true })).toBe('/tmp/p.json')
    expect(policyFilePath({ platform: 'linux', env, allowEnvOverride: false })).toBe(
      '/etc/trustline/policy.json'
    )
  })

  it('ignores an empty override', () => {
    const env = { [policyFileEnv]: '' }
    expect(policyFilePath({ platform: 'linux', env, allowEnvOverride: true })).toBe(
      '/etc/trustline/policy.json'
    )
  })
})
