import { describe, expect, it } from 'vitest'
import { backoffDelay } from '../../../../electron/main/sip/backoff'

const policy = { baseMs: 1000, maxMs: 8000 }

describe('backoffDelay', () => {
  it('doubles from the base up to the cap, half fixed and half random', () => {
    const low = [1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, policy, () => 0))
    const high = [1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, policy, () => 0.999999))
    expect(low).toEqual([500, 1000, 2000, 4000, 4000, 4000])
    expect(high).toEqual([1000, 2000, 4000, 8000, 8000, 8000])
  })

  it('takes the server Retry-After instead when there is one', () => {
    expect(backoffDelay(3, policy, () => 0.5, 120)).toBe(120_000)
    expect(backoffDelay(3, policy, () => 0.5, 0)).toBe(0)
  })

  it('treats a first attempt number of 0 like 1', () => {
    expect(backoffDelay(0, policy, () => 0)).toBe(500)
  })
})
