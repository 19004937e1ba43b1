import type { RevocationResult } from './chain/evaluate'

/** A verified OCSP answer (good or revoked) for one certificate, kept until it expires. */
export interface CachedOcspAnswer {
  /** As the checker returned it when fetched: status 'good' or 'revoked', source 'ocsp'. */
  result: RevocationResult
  /** The responder it came from. */
  url: string
  fetchedAt: Date
  /** nextUpdate, or a short default when the response has none; never past its validity. */
  validUntil: Date
}

/** A CRL that verified against its issuer, kept until its nextUpdate. */
export interface CachedCrl {
  der: Buffer
  url: string
  fetchedAt: Date
  validUntil: Date
}

/** Bounds of a RevocationCache. */
export interface RevocationCacheLimits {
  /** OCSP answers kept (one per certificate). */
  maxOcsp: number
  /** CRLs kept. */
  maxCrls: number
  /** Total CRL bytes kept; a larger CRL is not cached. */
  maxCrlBytes: number
  /** Tolerated clock difference before fetchedAt (as the checker tolerates for thisUpdate). */
  skewMs: number
}

const defaultLimits: RevocationCacheLimits = {
  maxOcsp: 1024,
  maxCrls: 16,
  maxCrlBytes: 32 * 1024 * 1024,
  skewMs: 5 * 60_000
}

/** A map used as an LRU: reading moves an entry to the end, the first entry is the oldest. */
function touch<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key)
  map.set(key, value)
}

/**
 * Revocation answers shared by every check in the process, so a reconnect does not wait on the
 * responder again (RFC 6960 §4.2.2.1: a response is good until its nextUpdate; RFC 5019 §6.1 has
 * clients cache it until then). Only answers the checker verified are put here, never a failure:
 * an expired or missing entry means asking again, and the soft-fail/hard-fail policy applies to
 * what that gives. A revoked answer is kept like a good one, so it keeps refusing.
 *
 * Entries are only returned while `at` lies in [fetchedAt - skew, validUntil): a clock set far
 * back before the fetch does not revive an answer either.
 */
export class RevocationCache {
  readonly #ocsp = new Map<string, CachedOcspAnswer>()
  readonly #crls = new Map<string, CachedCrl>()
  #crlBytes = 0
  readonly limits: RevocationCacheLimits

  constructor(limits: Partial<RevocationCacheLimits> = {}) {
    this.limits = { ...defaultLimits, ...limits }
  }

  /** The OCSP answer for a CertID key, if one is valid at `at`. */
  ocsp(key: string, at: Date): CachedOcspAnswer | null {
    const hit = this.#ocsp.get(key)
    if (!hit) return null
    if (!this.#current(hit, at)) {
      this.#ocsp.delete(key)
      return null
    }
    touch(this.#ocsp, key, hit)
    return hit
  }

  /** Keeps a verified OCSP answer; anything but good or revoked, or already expired, is ignored. */
  putOcsp(key: string, answer: CachedOcspAnswer): void {
    const { status, source } = answer.result
    if ((status !== 'good' && status !== 'revoked') || source !== 'ocsp') return
    if (answer.validUntil.getTime() <= answer.fetchedAt.getTime()) return
    // Two checks that missed the cache at once can both store: a "good" that was asked
    // earlier must not overwrite a "revoked" (revocation does not end, RFC 5280 §3.3).
    const held = this.#ocsp.get(key)
    if (held?.result.status === 'revoked' && status !== 'revoked') return
    touch(
      this.#ocsp,
      key,
      Object.freeze({ ...answer, result: Object.freeze({ ...answer.result }) })
    )
    while (this.#ocsp.size > this.limits.maxOcsp) {
      this.#ocsp.delete(this.#ocsp.keys().next().value!)
    }
  }

  /** The CRL cached under `key` (URL and issuer), if one is valid at `at`. */
  crl(key: string, at: Date): CachedCrl | null {
    const hit = this.#crls.get(key)
    if (!hit) return null
    if (!this.#current(hit, at)) {
      this.dropCrl(key)
      return null
    }
    touch(this.#crls, key, hit)
    return hit
  }

  /** Keeps a CRL that verified for its issuer. */
  putCrl(key: string, crl: CachedCrl): void {
    if (crl.validUntil.getTime() <= crl.fetchedAt.getTime()) return
    if (crl.der.length > this.limits.maxCrlBytes) return
    this.dropCrl(key)
    this.#crls.set(key, Object.freeze({ ...crl, der: Buffer.from(crl.der) }))
    this.#crlBytes += crl.der.length
    while (this.#crls.size > this.limits.maxCrls || this.#crlBytes > this.limits.maxCrlBytes) {
      this.dropCrl(this.#crls.keys().next().value!)
    }
  }

  /** Forgets one CRL (e.g. one that no longer verifies). */
  dropCrl(key: string): void {
    const old = this.#crls.get(key)
    if (!old) return
    this.#crls.delete(key)
    this.#crlBytes -= old.der.length
  }

  /** How many answers and CRLs are held. */
  get size(): { ocsp: number; crls: number; crlBytes: number } {
    return { ocsp: this.#ocsp.size, crls: this.#crls.size, crlBytes: this.#crlBytes }
  }

  /** Forgets everything. */
  clear(): void {
    this.#ocsp.clear()
    this.#crls.clear()
    this.#crlBytes = 0
  }

  #current(e: { fetchedAt: Date; validUntil: Date }, at: Date): boolean {
    const t = at.getTime()
    return t >= e.fetchedAt.getTime() - this.limits.skewMs && t < e.validUntil.getTime()
  }
}

/** The process-wide cache the trust service uses unless given another. */
export const sharedRevocationCache = new RevocationCache()
