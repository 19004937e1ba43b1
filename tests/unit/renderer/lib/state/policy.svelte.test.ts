import { beforeEach, describe, expect, it, vi } from 'vitest'
import { answer, resetApi } from '../../api-mock'
import { makePolicy } from '../../fixtures'
import { policy } from '../../../../../renderer/src/lib/state'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

describe('policy state', () => {
  beforeEach(() => {
    resetApi()
    policy.policy = null
    policy.error = null
  })

  it('allows everything while no policy is known, and keeps the error', async () => {
    await policy.load()
    expect(policy.error?.code).toBe('unavailable')
    expect(policy.exceptionsAllowed).toBe(true)
    expect(policy.lockedServer).toBeNull()
    expect(policy.domainAllowed('anything.example')).toBe(true)
  })

  it('exposes what IT locked', async () => {
    answer(
      'policy',
      'get',
      makePolicy({
        server: { host: 'sip.corp.example', port: 5061 },
        allowTrustExceptions: false,
        allowedSipDomains: ['corp.example']
      })
    )
    await policy.load()
    expect(policy.exceptionsAllowed).toBe(false)
    expect(policy.lockedServer).toEqual({ host: 'sip.corp.example', port: 5061 })
    expect(policy.domainAllowed('CORP.example.')).toBe(true)
    expect(policy.domainAllowed('other.example')).toBe(false)
    expect(policy.locked.map((s) => s.name)).toEqual([
      'server',
      'allowTrustExceptions',
      'allowedSipDomains'
    ])
  })

  it('reloads through policy:reload', async () => {
    const reload = answer('policy', 'reload', makePolicy())
    await policy.reload()
    expect(reload).toHaveBeenCalled()
    expect(policy.policy?.status).toBe('none')
  })
})
