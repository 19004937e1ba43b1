import type { EffectivePolicy } from '../../../shared/types/policy'
import type { AccountCaLock } from '../../../shared/types/profile'

/**
 * May the user trust CAs of their own for an account? The one home of that decision, for the
 * settings (adding, removing) and for sign-in (using them). No, when the policy:
 * - sets the trusted CAs (`trustedCaFiles`): IT chose the anchors, and the account's own would
 *   widen them behind its back (README, "The enterprise policy file");
 * - forbids trust exceptions (`allowTrustExceptions: false`): a CA of one's own trusts every
 *   certificate it issues, far more than the one certificate an exception accepts.
 * An invalid policy locks both, so it locks these too.
 */
export function accountCaLock(policy: EffectivePolicy | null): AccountCaLock | null {
  if (!policy) return null
  const { trustedCaFiles, allowTrustExceptions } = policy.settings
  if (trustedCaFiles.locked) {
    return { reason: 'policy-sets-cas', by: trustedCaFiles.lockedBy ?? policy.source }
  }
  if (allowTrustExceptions.locked && !allowTrustExceptions.value) {
    return {
      reason: 'policy-forbids-exceptions',
      by: allowTrustExceptions.lockedBy ?? policy.source
    }
  }
  return null
}
