import type { z } from 'zod'
import type { policyChannels } from '../../../shared/ipc/channels/policy'
import type { PolicyService } from '../policy/service'

type PolicyChannels = typeof policyChannels

/**
 * The `policy:` handlers, typed from their channel file so this compiles before the channels join
 * shared/ipc/contract.ts; once they do, this type equals `HandlerMap<'policy:get' | 'policy:reload' | 'policy:set'>`.
 */
export type PolicyHandlerMap = {
  [K in keyof PolicyChannels]: (
    request: z.input<PolicyChannels[K]['request']>
  ) => z.output<PolicyChannels[K]['response']> | Promise<z.output<PolicyChannels[K]['response']>>
}

/** What the policy handlers need. */
export interface PolicyHandlerDeps {
  policy: PolicyService
}

/** Handlers for the `policy:` channels. */
export function createPolicyHandlers(deps: PolicyHandlerDeps): PolicyHandlerMap {
  return {
    'policy:get': () => deps.policy.get(),
    'policy:reload': () => deps.policy.reload(),
    'policy:set': (request) => deps.policy.setUser(request)
  }
}
