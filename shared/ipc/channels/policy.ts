import { z } from 'zod'
import { invoke } from '../define'
import { effectivePolicySchema, userSettingsSchema } from '../../types/policy'

/** Enterprise policy channels: what the policy file locks, for settings and helpdesk screens. */
export const policyChannels = {
  /** The settings in force, each with its value and whether (and by which file) it is locked. */
  'policy:get': invoke(z.void(), effectivePolicySchema),
  /** Reads the policy file again (after IT fixed or deployed it) and answers as `policy:get`. */
  'policy:reload': invoke(z.void(), effectivePolicySchema),
  /**
   * Saves the user's choice for settings the policy file does not lock (read receipts) and
   * answers as `policy:get`; fails with `policy-locked` for a locked one.
   */
  'policy:set': invoke(userSettingsSchema, effectivePolicySchema)
} as const
