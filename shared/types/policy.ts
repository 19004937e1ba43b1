import { z } from 'zod'
import { revocationModeSchema } from './trust'

// A DNS name in A-label form (IDNs as xn--…), one trailing dot allowed: RFC 1035 §2.3.4 lengths.
const dnsNamePattern =
  /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i
const ipv4Pattern =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/
const ipv6Pattern = /^[0-9a-f]*:[0-9a-f:.]*$/i

/** A DNS name as an administrator writes it in the policy (A-labels for IDNs). */
export const policyDomainSchema = z
  .string()
  .regex(dnsNamePattern, 'a DNS name like corp.example (IDNs as xn--… A-labels)')

/** A server host: a DNS name or an IPv4/IPv6 literal (IPv6 without brackets). */
export const policyHostSchema = z
  .string()
  .refine(
    (s) => dnsNamePattern.test(s) || ipv4Pattern.test(s) || ipv6Pattern.test(s),
    'a DNS name or an IP address'
  )

/**
 * An absolute file path: POSIX `/…`, Windows `C:\…` or a UNC `\\server\share\…`. Relative paths
 * are refused because nothing says what they would be relative to.
 */
export const absolutePathSchema = z
  .string()
  .max(1024)
  .regex(/^(?:\/|[A-Za-z]:[\\/]|\\\\[^\\])/, 'an absolute path')

/** The server preset of a policy: host (and port), SIP domain, or both. */
export const policyServerSchema = z
  .strictObject({
    host: policyHostSchema.optional(),
    /** Defaults to 5061 (SIP over TLS, RFC 3261 §19.1.2) when a host is given. */
    port: z.number().int().min(1).max(65535).optional(),
    sipDomain: policyDomainSchema.optional()
  })
  .refine((s) => s.host !== undefined || s.sipDomain !== undefined, {
    message: 'needs a host, a sipDomain or both'
  })
  .refine((s) => s.port === undefined || s.host !== undefined, {
    message: 'a port needs a host',
    path: ['port']
  })

/**
 * The enterprise policy file (`policy.json` in the system location). Every key is optional: a key
 * that is present locks that setting. Unknown keys are an error, so a misspelt key cannot
 * silently leave a setting unlocked.
 */
export const policyFileSchema = z
  .strictObject({
    /** Format version; only 1 exists. */
    version: z.literal(1).optional(),
    /** Preset server and/or SIP domain; users cannot change what is set here. */
    server: policyServerSchema.optional(),
    /** PEM files with extra CA certificates to trust besides the system store. */
    trustedCaFiles: z.array(absolutePathSchema).max(64).optional(),
    /** How a missing revocation answer counts. */
    revocation: revocationModeSchema.optional(),
    /** Whether users may accept a certificate the engine rejected (a trust exception). */
    allowTrustExceptions: z.boolean().optional(),
    /** The only SIP domains users may sign in to (compared case-insensitively); [] allows none. */
    allowedSipDomains: z.array(policyDomainSchema).max(1024).optional(),
    /** Whether TrustLine tells senders that their message was read (IMDN display, RFC 5438). */
    sendReadReceipts: z.boolean().optional()
  })
  .superRefine((p, ctx) => {
    const preset = p.server?.sipDomain
    if (preset !== undefined && p.allowedSipDomains && !domainIn(preset, p.allowedSipDomains)) {
      ctx.addIssue({
        code: 'custom',
        path: ['server', 'sipDomain'],
        message: `${preset} is not in allowedSipDomains`
      })
    }
  })

/** The enterprise policy file. */
export type PolicyFile = z.infer<typeof policyFileSchema>

/** A server the user (or the policy) chose instead of DNS discovery. */
export const presetServerSchema = z.object({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535)
})

/** A server chosen instead of DNS discovery. */
export type PresetServer = z.infer<typeof presetServerSchema>

/** The settings a policy can lock, as the user has them (or the defaults). */
export const policySettingsSchema = z.object({
  /** Server to use instead of DNS discovery; null = discover from the SIP domain. */
  server: presetServerSchema.nullable(),
  /** SIP domain to sign in to; null = taken from the user's SIP address. */
  sipDomain: z.string().nullable(),
  /** Extra CA files trusted besides the system store. */
  trustedCaFiles: z.array(z.string()),
  revocation: revocationModeSchema,
  allowTrustExceptions: z.boolean(),
  /** SIP domains sign-in is allowed for; null = any. */
  allowedSipDomains: z.array(z.string()).nullable(),
  /** Tell senders who ask for it that their message was read (delivery receipts always go). */
  sendReadReceipts: z.boolean()
})

/** The settings a policy can lock. */
export type PolicySettings = z.infer<typeof policySettingsSchema>

/** Where an effective value comes from. */
export const settingOriginSchema = z.enum(['default', 'user', 'policy', 'policy-error'])

/** Where an effective value comes from. */
export type SettingOrigin = z.infer<typeof settingOriginSchema>

/** One setting as in force: its value and whether (and by which file) it is locked. */
export function effectiveSettingSchema<T extends z.ZodType>(value: T) {
  return z.object({
    value,
    locked: z.boolean(),
    /** Path of the policy file that locks the setting; null when the user may change it. */
    lockedBy: z.string().nullable(),
    origin: settingOriginSchema
  })
}

/** One setting as in force. */
export interface EffectiveSetting<T> {
  value: T
  locked: boolean
  lockedBy: string | null
  origin: SettingOrigin
}

/** State of the policy file. */
export const policyStatusSchema = z.enum(['none', 'active', 'invalid'])

/** State of the policy file: absent, in force, or rejected (locked down). */
export type PolicyStatus = z.infer<typeof policyStatusSchema>

const shape = policySettingsSchema.shape

/** Every policy-lockable setting as in force, for the settings screen and helpdesk reports. */
export const effectivePolicySchema = z.object({
  status: policyStatusSchema,
  /** The policy file that was looked for. */
  source: z.string(),
  /** Why the file was rejected; null unless status is `invalid`. */
  error: z.string().nullable(),
  settings: z.object({
    server: effectiveSettingSchema(shape.server),
    sipDomain: effectiveSettingSchema(shape.sipDomain),
    trustedCaFiles: effectiveSettingSchema(shape.trustedCaFiles),
    revocation: effectiveSettingSchema(shape.revocation),
    allowTrustExceptions: effectiveSettingSchema(shape.allowTrustExceptions),
    allowedSipDomains: effectiveSettingSchema(shape.allowedSipDomains),
    sendReadReceipts: effectiveSettingSchema(shape.sendReadReceipts)
  })
})

/** The policy-lockable settings a user may change (those the policy file does not lock). */
export const userSettingsSchema = z.strictObject({
  sendReadReceipts: z.boolean().optional()
})

/** The policy-lockable settings a user may change. */
export type UserSettings = z.infer<typeof userSettingsSchema>

/** Every policy-lockable setting as in force. */
export type EffectivePolicy = z.infer<typeof effectivePolicySchema>

/** Lower-cases a domain and drops one trailing dot, for comparisons. */
export function normalizeDomain(domain: string): string {
  return domain.toLowerCase().replace(/\.$/, '')
}

/** True when `domain` is one of `list`, ignoring case and a trailing dot. */
export function domainIn(domain: string, list: readonly string[]): boolean {
  const d = normalizeDomain(domain)
  return list.some((entry) => normalizeDomain(entry) === d)
}
