import { z } from 'zod'
import { event, invoke } from '../define'
import {
  addTrustedCaRequestSchema,
  profileViewSchema,
  trustedCaListSchema
} from '../../types/profile'

/** The account's profile: whose data is shown, and the CAs the user added for that account. */
export const profileChannels = {
  /** The account whose data is shown (null: none, e.g. before any sign-in). */
  'profile:get': invoke(z.void(), profileViewSchema.nullable()),
  /**
   * Another account's data is shown now (a sign-in of another account started, or a sign-out):
   * every list (contacts, conversations, unread counts, remembered answers) must be loaded again.
   */
  'profile:changed': event(profileViewSchema.nullable()),
  /** The CAs the user added for the account shown, and whether the policy locks them. */
  'profile:list-cas': invoke(z.void(), trustedCaListSchema),
  /**
   * Adds the CA certificate(s) of a PEM or DER file to the account shown, after checking that each
   * is a CA (basicConstraints cA); answers the new list. Used from the next sign-in on.
   */
  'profile:add-ca': invoke(addTrustedCaRequestSchema, trustedCaListSchema),
  /** Removes one of the account's CAs by its SHA-256; answers the new list. */
  'profile:remove-ca': invoke(z.object({ sha256: z.string().min(1).max(200) }), trustedCaListSchema)
} as const
