import { IpcFailure } from '../../../shared/ipc/result'
import { domainIn, type EffectivePolicy } from '../../../shared/types/policy'
import { domainToALabel, parseAor, type SignInRequest } from '../../../shared/types/sip'

/** A sign-in the policy lets through: the request as it will be used, and its SIP domain. */
export interface AllowedSignIn {
  request: SignInRequest
  /** The account's SIP domain (A-label form). */
  sipDomain: string
}

function refuse(message: string): never {
  throw new IpcFailure('policy-forbids', message)
}

/**
 * May this account sign in here, and with which server? The one home of that decision, applied by
 * the core for every host (desktop, browser host) before anything is sent:
 * - the SIP domain must be among `allowedSipDomains` when the policy lists them;
 * - a SIP domain locked by the policy's `server` block is the only one allowed;
 * - a server block locks the server too: its host wins over what the user typed, and a block
 *   without a host means DNS discovery, so a server the user typed is dropped.
 * Throws IpcFailure('policy-forbids') with a sentence naming the policy file; 'bad-request' for
 * an address that is not one.
 */
export function applySignInPolicy(
  request: SignInRequest,
  policy: EffectivePolicy | null
): AllowedSignIn {
  const parsed = parseAor(request.aor)
  if (!parsed) throw new IpcFailure('bad-request', `${request.aor} is not a SIP address.`)
  const sipDomain = parsed.domain
  // From here on the address carries its domain as DNS and certificates spell it (A-labels).
  request = { ...request, aor: parsed.aor }
  if (!policy) return { request, sipDomain }
  const s = policy.settings
  const by = (lockedBy: string | null) => (lockedBy ? ` (${lockedBy})` : '')
  if (!domainIn(sipDomain, (s.allowedSipDomains.value ?? [sipDomain]).map(domainToALabel))) {
    refuse(
      `Your organisation's policy${by(s.allowedSipDomains.lockedBy)} does not allow signing in to ${sipDomain}.`
    )
  }
  if (s.sipDomain.locked && s.sipDomain.value && domainToALabel(s.sipDomain.value) !== sipDomain) {
    refuse(
      `Your organisation's policy${by(s.sipDomain.lockedBy)} only allows signing in to ${domainToALabel(s.sipDomain.value)}, not ${sipDomain}.`
    )
  }
  if (s.server.locked) {
    const rest: SignInRequest = { ...request }
    delete rest.server
    const preset = s.server.value
    return {
      request: preset
        ? { ...rest, server: { ...(request.server ?? {}), host: preset.host, port: preset.port } }
        : rest,
      sipDomain
    }
  }
  return { request, sipDomain }
}
