import { z } from 'zod'
import { sipUriSchema } from './sip'

/** Whether passwords can be kept, and if not, why (in words for the user). */
export const vaultStatusSchema = z.object({
  available: z.boolean(),
  /** Why not: no OS keychain backend, plain-text backend refused, browser host. */
  reason: z.string().nullable()
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
