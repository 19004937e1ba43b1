import {
  domainIn,
  normalizeDomain,
  type EffectivePolicy,
  type EffectiveSetting,
  type PolicySettings
} from '../../../shared/types/policy'
import type { LoadedPolicy } from './load'

/** SIP over TLS (RFC 3261 §19.1.2), the port of a policy server given without one. */
const sipsPort = 5061

/** The settings without user choices and without a policy. */
export const defaultSettings: Readonly<PolicySettings> = Object.freeze({
  server: null,
  sipDomain: null,
  trustedCaFiles: Object.freeze([]) as unknown as string[],
  // As the chain engine's default (electron/main/tls/chain/checks.ts): an unreachable OCSP
  // responder warns rather than fails, because many SIP servers' CAs run none.
  revocation: 'soft-fail',
  allowTrustExceptions: true,
  allowedSipDomains: null,
  // Read receipts are what people expect from a chat (and what Linphone sends); the user or the
  // policy can turn them off.
  sendReadReceipts: true
})

/**
 * The settings in force: the policy wins for every setting it names (locked, with the file as the
 * reason), the user's choice for the rest, defaults otherwise. The `server` block of a policy locks
 * both the server and the SIP domain (a missing host there means DNS discovery). A user SIP domain
 * outside the policy's allowedSipDomains is dropped.
 */
export function mergeSettings(
  user: Partial<PolicySettings>,
  loaded: LoadedPolicy
): EffectivePolicy {
  const { policy, source } = loaded
  const lockedOrigin = loaded.error === undefined ? 'policy' : 'policy-error'

  function pick<K extends keyof PolicySettings>(
    key: K,
    fromPolicy: PolicySettings[K] | undefined
  ): EffectiveSetting<PolicySettings[K]> {
    if (fromPolicy !== undefined) {
      return { value: fromPolicy, locked: true, lockedBy: source, origin: lockedOrigin }
    }
    const mine = user[key]
    if (mine !== undefined) return { value: mine, locked: false, lockedBy: null, origin: 'user' }
    return { value: defaultSettings[key], locked: false, lockedBy: null, origin: 'default' }
  }

  const preset = policy?.server
  const allowed = pick('allowedSipDomains', policy?.allowedSipDomains?.map(normalizeDomain))
  let sipDomain = pick('sipDomain', preset ? (preset.sipDomain ?? null) : undefined)
  if (
    !sipDomain.locked &&
    sipDomain.value !== null &&
    allowed.value !== null &&
    !domainIn(sipDomain.value, allowed.value)
  ) {
    sipDomain = { value: null, locked: false, lockedBy: null, origin: lockedOrigin }
  }

  return {
    status: policy === null ? 'none' : loaded.error === undefined ? 'active' : 'invalid',
    source,
    error: loaded.error ?? null,
    settings: {
      server: pick(
        'server',
        preset
          ? preset.host === undefined
            ? null
            : { host: preset.host, port: preset.port ?? sipsPort }
          : undefined
      ),
      sipDomain,
      trustedCaFiles: pick('trustedCaFiles', policy?.trustedCaFiles),
      revocation: pick('revocation', policy?.revocation),
      allowTrustExceptions: pick('allowTrustExceptions', policy?.allowTrustExceptions),
      allowedSipDomains: allowed,
      sendReadReceipts: pick('sendReadReceipts', policy?.sendReadReceipts)
    }
  }
}

/** True when sign-in to `sipDomain` is allowed by the settings in force. */
export function isSipDomainAllowed(sipDomain: string, effective: EffectivePolicy): boolean {
  const allowed = effective.settings.allowedSipDomains.value
  return allowed === null || domainIn(sipDomain, allowed)
}
