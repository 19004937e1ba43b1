import { z } from 'zod'
import { sipUriSchema } from './sip'

/**
 * The account whose data (contacts, conversations, unread counts, remembered answers, trusted
 * CAs) the app shows: the signed-in account, the one signing in, or before any sign-in the
 * remembered one. Null when no account's data is shown.
 */
export const profileViewSchema = z.object({
  aor: sipUriSchema,
  /** The display name given at sign-in, if any. */
  displayName: z.string().max(200).optional()
})

/** The account whose data the app shows. */
export type ProfileView = z.infer<typeof profileViewSchema>

/** A CA certificate the user added for their account: an extra trust anchor (source 'account'). */
export const trustedCaSchema = z.object({
  /** SHA-256 of the certificate, colon-separated upper-case hex: its identity. */
  sha256: z.string().min(1).max(200),
  subject: z.string().max(2000),
  /** The name of the file it came from. */
  fileName: z.string().max(255),
  /** When it was added (ISO 8601). */
  addedAt: z.string()
})

/** A CA certificate the user added for their account. */
export type TrustedCa = z.infer<typeof trustedCaSchema>

/**
 * Why the enterprise policy does not let the user trust CAs of their own: it sets the trusted CAs
 * itself (`trustedCaFiles`), or it forbids trust exceptions (`allowTrustExceptions: false`).
 */
export const accountCaLockSchema = z.object({
  reason: z.enum(['policy-sets-cas', 'policy-forbids-exceptions']),
  /** The policy file that says so. */
  by: z.string().max(1024)
})

/** Why the policy does not let the user trust CAs of their own. */
export type AccountCaLock = z.infer<typeof accountCaLockSchema>

/** The CAs the user added for the account shown, and whether the policy lets them add any. */
export const trustedCaListSchema = z.object({
  /** Whose list it is; null when no account's data is shown (then none can be added). */
  aor: sipUriSchema.nullable(),
  cas: z.array(trustedCaSchema),
  /**
   * Set when the policy does not let the user trust CAs of their own: the account's CAs are then
   * not used, and none can be added or removed.
   */
  locked: accountCaLockSchema.nullable()
})

/** The CAs the user added for the account shown. */
export type TrustedCaList = z.infer<typeof trustedCaListSchema>

/** What `profile:add-ca` takes: a CA certificate file (PEM or DER) as base64. */
export const addTrustedCaRequestSchema = z.object({
  fileName: z.string().min(1).max(255),
  dataBase64: z.string().min(1).max(200_000)
})

/** What `profile:add-ca` takes. */
export type AddTrustedCaRequest = z.infer<typeof addTrustedCaRequestSchema>
