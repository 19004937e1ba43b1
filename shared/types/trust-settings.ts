import { z } from 'zod'

/** A host:port the trust engine checks; port defaults to SIP over TLS (5061). */
export const serverAddressSchema = z.object({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535)
})

/** A host:port. */
export type ServerAddress = z.infer<typeof serverAddressSchema>

/** SHA-256 fingerprint as colon-separated upper-case hex (32 bytes). */
export const sha256FingerprintSchema = z
  .string()
  .regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'a SHA-256 fingerprint like AB:CD:…')

/** One stored trust exception: exactly one leaf certificate for exactly one host:port. */
export const trustExceptionEntrySchema = z.object({
  host: z.string(),
  port: z.number().int(),
  sha256: sha256FingerprintSchema,
  /** Subject of the accepted certificate, for the settings list. */
  subject: z.string(),
  acceptedAt: z.string()
})

/** One stored trust exception. */
export type TrustExceptionEntry = z.infer<typeof trustExceptionEntrySchema>

/**
 * The user's explicit acceptance of one certificate: the fingerprint the user saw must be repeated,
 * so a stale or tampered UI cannot accept a different certificate, and `confirm` must be true.
 */
export const acceptExceptionRequestSchema = serverAddressSchema.extend({
  sha256: sha256FingerprintSchema,
  confirm: z.literal(true)
})

/** Acceptance of one certificate for one host:port. */
export type AcceptExceptionRequest = z.infer<typeof acceptExceptionRequestSchema>

/**
 * The user's answer when DNS sent a SIP domain to a server outside it whose certificate does not
 * name the domain (the DNS-hijack rule): remembered per SIP domain and server.
 */
export const domainDecisionSchema = z.object({
  sipDomain: z.string().min(1).max(253),
  serverHost: z.string().min(1).max(253),
  allow: z.boolean(),
  decidedAt: z.string()
})

/** A remembered answer to the DNS-hijack question. */
export type DomainDecision = z.infer<typeof domainDecisionSchema>

/** A report export for the helpdesk: passwords and message bodies are never in it. */
export const reportExportSchema = z.object({
  filename: z.string(),
  mime: z.enum(['text/plain', 'application/json']),
  content: z.string()
})

/** A report export. */
export type ReportExport = z.infer<typeof reportExportSchema>
