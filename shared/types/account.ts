import { z } from 'zod'
import { sipUriSchema } from './sip'

/**
 * Why passwords cannot be kept: the browser host keeps none, the system has no keychain the app
 * can use, or the only one would store it in plain text (Linux `basic_text`).
 */
export const vaultUnavailableReasonSchema = z.enum(['browser-host', 'no-keychain', 'plain-text'])

/** Why passwords cannot be kept. */
export type VaultUnavailableReason = z.infer<typeof vaultUnavailableReasonSchema>

/** Whether passwords can be kept, and if not, why (a code each language words). */
export const vaultStatusSchema = z.object({
  available: z.boolean(),
  reason: vaultUnavailableReasonSchema.nullable()
})

/** Whether passwords can be kept. */
export type VaultStatus = z.infer<typeof vaultStatusSchema>

/** The account the app remembers between starts (never the password itself). */
export const savedAccountSchema = z.object({
  aor: sipUriSchema,
  displayName: z.string().max(200).optional(),
  server: z
    .object({ host: z.string(), port: z.number().int().min(1).max(65535).optional() })
    .optional(),
  hasSavedPassword: z.boolean()
})

/** The remembered account. */
export type SavedAccount = z.infer<typeof savedAccountSchema>
