import { describe, expect, it, vi } from 'vitest'
import { createPolicyHandlers } from '../../../../electron/main/ipc/policy-handlers'
import { lockedDownPolicy, type LoadedPolicy } from '../../../../electron/main/policy/load'
import { createPolicyService } from '../../../../electron/main/policy/service'
import { policyChannels } from '../../../../shared/ipc/channels/policy'

const source = '/etc/trustline/policy.json'

describe('createPolicyService', () => {
  it('loads once, merges the current user settings on each get, reloads on request', async () => {
    const results: LoadedPolicy[] = [
      { policy: null, source },
      { policy: { revocation: 'hard-fail' }, source }
    ]
    const load = vi.fn(() => Promise.resolve(results.shift()!))
    let revocation: 'off' | 'soft-fail' = 'off'
    const service = await createPolicyService({ load, userSettings: () => ({ revocation }) })
    expect(service.get().settings.revocation).toMatchObject({ value: 'off', locked: false })
    revocation = 'soft-fail'
    expect(service.get().settings.revocation.value).toBe('soft-fail')
    expect(load).toHaveBeenCalledTimes(1)
    const reloaded = await service.reload()
    expect(reloaded.settings.revocation).toMatchObject({ value: 'hard-fail', locked: true })
    expect(service.get()).toEqual(reloaded)
  })

  it('reports an invalid file once per load', async () => {
    const onInvalid = vi.fn()
    const error = 'The policy file x is invalid'
    const service = await createPolicyService({
      load: () => Promise.resolve({ policy: lockedDownPolicy, source, error }),
      userSettings: () => ({}),
      onInvalid
    })
    service.get()
    expect(onInvalid).toHaveBeenCalledExactlyOnceWith(error)
    expect(service.get().status).toBe('invalid')
  })
})

describe('createPolicyHandlers', () => {
  it('answers both channels with a response their schema accepts', async () => {
    const service = await createPolicyService({
      load: () => Promise.resolve({ policy: { allowTrustExceptions: false }, source }),
      userSettings: () => ({})
    })
    const handlers = createPolicyHandlers({ policy: service })
    const got = await handlers['policy:get']()
    expect(policyChannels['policy:get'].response.parse(got)).toEqual(got)
    const reloaded = await handlers['policy:reload']()
    expect(policyChannels['policy:reload'].response.parse(reloaded)).toEqual(reloaded)
    expect(got.settings.allowTrustExceptions).toMatchObject({ value: false, lockedBy: source })
  })

  it('has a handler for every policy channel; get and reload take nothing, set only known keys', () => {
    expect(
      Object.keys(
        createPolicyHandlers({ policy: { get: vi.fn(), reload: vi.fn(), setUser: vi.fn() } })
      )
    ).toEqual(Object.keys(policyChannels))
    for (const channel of [policyChannels['policy:get'], policyChannels['policy:reload']]) {
      expect(channel.request.safeParse(undefined).success).toBe(true)
      expect(channel.request.safeParse({ file: '/tmp/x' }).success).toBe(false)
    }
    const set = policyChannels['policy:set'].request
    expect(set.safeParse({ sendReadReceipts: false }).success).toBe(true)
    expect(set.safeParse({ allowTrustExceptions: true }).success).toBe(false)
  })

  it('policy:set saves what the policy leaves to the user and refuses what it locks', async () => {
    let saved = {}
    const save = vi.fn((patch: object) => {
      saved = { ...saved, ...patch }
      return Promise.resolve()
    })
    const free = await createPolicyService({
      load: () => Promise.resolve({ policy: null, source }),
      userSettings: () => saved,
      saveUserSettings: save
    })
    const after = await createPolicyHandlers({ policy: free })['policy:set']({
      sendReadReceipts: false
    })
    expect(after.settings.sendReadReceipts).toMatchObject({ value: false, origin: 'user' })
    const locked = await createPolicyService({
      load: () => Promise.resolve({ policy: { sendReadReceipts: true }, source }),
      userSettings: () => ({}),
      saveUserSettings: save
    })
    await expect(locked.setUser({ sendReadReceipts: false })).rejects.toMatchObject({
      code: 'policy-locked'
    })
    expect(save).toHaveBeenCalledTimes(1)
  })
})
