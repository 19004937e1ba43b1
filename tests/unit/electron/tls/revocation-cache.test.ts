import { describe, expect, it } from 'vitest'
import type { RevocationResult } from '../../../../electron/main/tls/chain/evaluate'
import { ocspCacheUntil } from '../../../../electron/main/tls/revocation'
import {
  RevocationCache,
  type CachedOcspAnswer
} from '../../../../electron/main/tls/revocation-cache'

const t0 = new Date('2026-11-28T12:00:00Z')
const plus = (ms: number, from = t0) => new Date(from.getTime() + ms)
const min = 60_000
const hour = 60 * min

function answer(status: RevocationResult['status'], validUntil = plus(hour)): CachedOcspAnswer {
  return {
    result: { status, source: 'ocsp', detail: `OCSP ${status}` },
    url: 'http://ocsp.test/',
    fetchedAt: t0,
    validUntil
  }
}

describe('RevocationCache, OCSP answers', () => {
  it('returns a good answer until validUntil, then forgets it', () => {
    const cache = new RevocationCache()
    cache.putOcsp('a', answer('good'))
    expect(cache.ocsp('a', t0)?.result.status).toBe('good')
    expect(cache.ocsp('a', plus(hour - 1))?.result.status).toBe('good')
    expect(cache.ocsp('a', plus(hour))).toBeNull()
    // Gone for good: an earlier clock afterwards does not bring it back.
    expect(cache.ocsp('a', t0)).toBeNull()
    expect(cache.size.ocsp).toBe(0)
  })

  it('keeps a revoked answer revoked for its whole validity', () => {
    const cache = new RevocationCache()
    cache.putOcsp('r', answer('revoked'))
    for (const at of [t0, plus(30 * min), plus(hour - 1)]) {
      expect(cache.ocsp('r', at)?.result.status).toBe('revoked')
    }
  })

  it('does not let a good answer asked earlier overwrite a revoked one', () => {
    // Two checks missed the cache at once; the "good" one finishes last.
    const cache = new RevocationCache()
    cache.putOcsp('r', answer('revoked'))
    cache.putOcsp('r', answer('good', plus(2 * hour)))
    expect(cache.ocsp('r', plus(min))?.result.status).toBe('revoked')
    // The other way round, revoked replaces good.
    cache.putOcsp('g', answer('good'))
    cache.putOcsp('g', answer('revoked'))
    expect(cache.ocsp('g', plus(min))?.result.status).toBe('revoked')
  })

  it('never keeps an unknown answer, a non-OCSP answer or one already expired', () => {
    const cache = new RevocationCache()
    cache.putOcsp('u', answer('unknown'))
    cache.putOcsp('c', { ...answer('good'), result: { status: 'good', source: 'crl', detail: '' } })
    cache.putOcsp('e', answer('good', t0))
    expect(cache.size.ocsp).toBe(0)
  })

  it('does not answer for a clock set back before the fetch (beyond the skew)', () => {
    const cache = new RevocationCache({ skewMs: 5 * min })
    cache.putOcsp('a', answer('good'))
    expect(cache.ocsp('a', plus(-4 * min))?.result.status).toBe('good')
    expect(cache.ocsp('a', plus(-6 * min))).toBeNull()
  })

  it('keeps its own copy, so a caller changing its result changes nothing', () => {
    const cache = new RevocationCache()
    const a = answer('revoked')
    cache.putOcsp('r', a)
    a.result.status = 'good'
    expect(cache.ocsp('r', t0)?.result.status).toBe('revoked')
  })

  it('is bounded, dropping the least recently used answer', () => {
    const cache = new RevocationCache({ maxOcsp: 2 })
    cache.putOcsp('1', answer('good'))
    cache.putOcsp('2', answer('good'))
    cache.ocsp('1', t0)
    cache.putOcsp('3', answer('good'))
    expect(cache.ocsp('1', t0)).not.toBeNull()
    expect(cache.ocsp('2', t0)).toBeNull()
    expect(cache.ocsp('3', t0)).not.toBeNull()
  })
})

describe('RevocationCache, CRLs', () => {
  const crl = (bytes: number, validUntil = plus(hour)) => ({
    der: Buffer.alloc(bytes, 1),
    url: 'http://crl.test/ca.crl',
    fetchedAt: t0,
    validUntil
  })

  it('keeps a CRL until its nextUpdate, and can drop it', () => {
    const cache = new RevocationCache()
    cache.putCrl('k', crl(10))
    expect(cache.crl('k', plus(hour - 1))?.der.length).toBe(10)
    expect(cache.crl('k', plus(hour))).toBeNull()
    cache.putCrl('k', crl(10))
    cache.dropCrl('k')
    expect(cache.size).toMatchObject({ crls: 0, crlBytes: 0 })
  })

  it('bounds the bytes held and skips a CRL larger than the whole budget', () => {
    const cache = new RevocationCache({ maxCrlBytes: 100 })
    cache.putCrl('big', crl(101))
    expect(cache.size.crls).toBe(0)
    cache.putCrl('a', crl(60))
    cache.putCrl('b', crl(30))
    cache.putCrl('a', crl(50))
    expect(cache.size).toMatchObject({ crls: 2, crlBytes: 80 })
    cache.putCrl('c', crl(40))
    expect(cache.crl('b', t0)).toBeNull()
    expect(cache.size.crlBytes).toBe(90)
  })
})

describe('ocspCacheUntil (RFC 6960 4.2.2.1)', () => {
  const o = { maxAgeMs: 7 * 24 * hour, withoutNextUpdateMs: hour }
  it.each([
    [
      'nextUpdate',
      { thisUpdate: t0, nextUpdate: plus(4 * hour), signerNotAfter: null },
      plus(4 * hour)
    ],
    [
      'no nextUpdate: the short default',
      { thisUpdate: t0, nextUpdate: null, signerNotAfter: null },
      plus(hour)
    ],
    [
      'no nextUpdate, old thisUpdate: never past the accepted age',
      { thisUpdate: plus(-7 * 24 * hour + 10 * min), nextUpdate: null, signerNotAfter: null },
      plus(10 * min)
    ],
    [
      'a delegated responder certificate expiring first',
      { thisUpdate: t0, nextUpdate: plus(4 * hour), signerNotAfter: plus(2 * hour) },
      plus(2 * hour)
    ],
    [
      'a nextUpdate already past',
      { thisUpdate: plus(-2 * hour), nextUpdate: plus(-min), signerNotAfter: null },
      null
    ]
  ] as const)('%s', (_name, validity, want) => {
    expect(ocspCacheUntil(validity, t0, o)).toEqual(want)
  })
})
