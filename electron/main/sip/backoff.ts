/** Bounds of an exponential back-off. */
export interface BackoffPolicy {
  /** Delay ceiling of the first retry. */
  baseMs: number
  /** Delay ceiling of any retry. */
  maxMs: number
}

/**
 * How long to wait before retry number `failures` (1 for the first): exponential from `baseMs`,
 * capped at `maxMs`, with "equal jitter" (half of it fixed, half random) so that clients cut off
 * together do not all come back in the same second. A server's Retry-After (RFC 3261 §20.33,
 * RFC 6665 §4.1.3), when given, is the delay instead: it knows when it will be back.
 *
 * The one back-off of the SIP layer: reconnects, re-subscriptions and message retries.
 */
export function backoffDelay(
  failures: number,
  policy: BackoffPolicy,
  random: () => number,
  retryAfterSeconds?: number
): number {
  if (retryAfterSeconds !== undefined && retryAfterSeconds >= 0) return retryAfterSeconds * 1000
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}
