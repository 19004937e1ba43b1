import { describe, expect, it } from 'vitest'
import { lockedDownPolicy, type LoadedPolicy } from '../../../../electron/main/policy/load'
import {
  defaultSettings,
  isSipDomainAllowed,
  mergeSettings
} from '../../../../electron/main/policy/merge'
import type { PolicySettings } from '../../../../shared/types/policy'

const source = '/etc/trustline/policy.json'
const none: LoadedPolicy = { policy: null, source }

const user: PolicySettings = {
  server: { host: 'sip.home.example', port: 5062 },
  sipDomain: 'home.example',
  trustedCaFiles: ['/home/me/ca.pem'],
  revocation: 'off',
  allowTrustExceptions: true,
  allowedSipDomains: null,
  sendReadReceipts: false
}

const values = (loaded: LoadedPolicy, mine: Partial<PolicySettings> = user) =>
  Object.fromEntries(
    Object.entries(mergeSettings(mine, loaded).settings).map(([k, s]) => [k, s.value])
  )

describe('mergeSettings', () => {
  it('no policy and no user settings → defaults, nothing locked', () => {
    const effective = mergeSettings({}, none)
    expect(effective.status).toBe('none')
    expect(effective.error).toBeNull()
    for (const [key, setting] of Object.entries(effective.settings)) {
      expect(setting).toEqual({
        value: defaultSettings[key as keyof PolicySettings],
        locked: false,
        lockedBy: null,
        origin: 'default'
      })
    }
    expect(effective.settings.revocation.value).toBe('soft-fail')
    expect(effective.settings.allowTrustExceptions.value).toBe(true)
    expect(effective.settings.sendReadReceipts.value).toBe(true)
  })

  it('read receipts: on by default, the user may turn them off, a policy locks them', () => {
    expect(mergeSettings({ sendReadReceipts: false }, none).settings.sendReadReceipts).toEqual({
      value: false,
      locked: false,
      lockedBy: null,
      origin: 'user'
    })
    const locked = mergeSettings(
      { sendReadReceipts: true },
      { policy: { sendReadReceipts: false }, source }
    )
    expect(locked.settings.sendReadReceipts).toEqual({
      value: false,
      locked: true,
      lockedBy: source,
      origin: 'policy'
    })
  })

  it('no policy → the user settings, unlocked', () => {
    const effective = mergeSettings(user, none)
    expect(values(none)).toEqual(user)
    expect(effective.settings.revocation).toEqual({
      value: 'off',
      locked: false,
      lockedBy: null,
      origin: 'user'
    })
  })

  it('the policy wins for what it names and locks it by file', () => {
    const loaded: LoadedPolicy = {
      policy: { revocation: 'hard-fail', allowTrustExceptions: false },
      source
    }
    const effective = mergeSettings(user, loaded)
    expect(effective.status).toBe('active')
    expect(effective.settings.revocation).toEqual({
      value: 'hard-fail',
      locked: true,
      lockedBy: source,
      origin: 'policy'
    })
    expect(effective.settings.allowTrustExceptions.value).toBe(false)
    expect(effective.settings.allowTrustExceptions.locked).toBe(true)
    // What the policy does not name stays the user's.
    expect(effective.settings.server).toMatchObject({ value: user.server, locked: false })
    expect(effective.settings.trustedCaFiles).toMatchObject({ value: user.trustedCaFiles })
  })

  it('a policy that allows exceptions still locks them as allowed', () => {
    const loaded: LoadedPolicy = { policy: { allowTrustExceptions: true }, source }
    const s = mergeSettings({ allowTrustExceptions: false }, loaded).settings.allowTrustExceptions
    expect(s).toMatchObject({ value: true, locked: true })
  })

  it('a server block locks server and SIP domain; port defaults to 5061', () => {
    const loaded: LoadedPolicy = {
      policy: { server: { host: 'sip.corp.example', sipDomain: 'corp.example' } },
      source
    }
    const { settings } = mergeSettings(user, loaded)
    expect(settings.server).toMatchObject({
      value: { host: 'sip.corp.example', port: 5061 },
      locked: true,
      lockedBy: source
    })
    expect(settings.sipDomain).toMatchObject({ value: 'corp.example', locked: true })
  })

  it('a server block with only a domain locks the server to DNS discovery', () => {
    const loaded: LoadedPolicy = { policy: { server: { sipDomain: 'corp.example' } }, source }
    const { settings } = mergeSettings(user, loaded)
    expect(settings.server).toMatchObject({ value: null, locked: true })
    expect(settings.sipDomain).toMatchObject({ value: 'corp.example', locked: true })
  })

  it('a server block with only a host locks the domain to the one in the address', () => {
    const loaded: LoadedPolicy = { policy: { server: { host: '10.1.2.3', port: 5071 } }, source }
    const { settings } = mergeSettings(user, loaded)
    expect(settings.server.value).toEqual({ host: '10.1.2.3', port: 5071 })
    expect(settings.sipDomain).toMatchObject({ value: null, locked: true })
  })

  it('drops a user SIP domain outside allowedSipDomains; keeps one inside', () => {
    const loaded: LoadedPolicy = { policy: { allowedSipDomains: ['Corp.Example.'] }, source }
    const outside = mergeSettings(user, loaded).settings
    expect(outside.allowedSipDomains).toMatchObject({ value: ['corp.example'], locked: true })
    expect(outside.sipDomain).toEqual({
      value: null,
      locked: false,
      lockedBy: null,
      origin: 'policy'
    })
    const inside = mergeSettings({ sipDomain: 'CORP.example' }, loaded).settings
    expect(inside.sipDomain).toMatchObject({ value: 'CORP.example', origin: 'user' })
  })

  it('an invalid file: everything a policy can loosen is locked shut, with the error', () => {
    const loaded: LoadedPolicy = {
      policy: lockedDownPolicy,
      source,
      error: 'The policy file … is invalid'
    }
    const effective = mergeSettings(user, loaded)
    expect(effective.status).toBe('invalid')
    expect(effective.error).toBe(loaded.error)
    expect(effective.settings.allowTrustExceptions).toEqual({
      value: false,
      locked: true,
      lockedBy: source,
      origin: 'policy-error'
    })
    expect(effective.settings.revocation).toMatchObject({ value: 'hard-fail', locked: true })
    expect(effective.settings.trustedCaFiles).toMatchObject({ value: [], locked: true })
    expect(effective.settings.allowedSipDomains).toMatchObject({ value: [], locked: true })
    expect(effective.settings.sipDomain.value).toBeNull()
    expect(isSipDomainAllowed('home.example', effective)).toBe(false)
    expect(isSipDomainAllowed('corp.example', effective)).toBe(false)
  })

  it('does not share mutable state between calls', () => {
    const a = mergeSettings({}, none)
    expect(() => a.settings.trustedCaFiles.value.push('/x')).toThrow()
    expect(mergeSettings({}, none).settings.trustedCaFiles.value).toEqual([])
  })
})

describe('isSipDomainAllowed', () => {
  it('any domain without a list; only listed ones with one', () => {
    expect(isSipDomainAllowed('anything.example', mergeSettings({}, none))).toBe(true)
    const listed = mergeSettings({}, { policy: { allowedSipDomains: ['corp.example'] }, source })
    expect(isSipDomainAllowed('CORP.EXAMPLE.', listed)).toBe(true)
    expect(isSipDomainAllowed('evilcorp.example', listed)).toBe(false)
  })
})
