import { z } from 'zod'
import { trustReasonSchema } from './trust'

/** A SIP address of record such as `sip:alice@example.org` (scheme `sip:` or `sips:`, user and host). */
export const sipUriSchema = z
  .string()
  .trim()
  .max(512)
  .regex(/^sips?:[^@\s;<>"]+@[^@\s;<>"]+$/i, 'expected a SIP address like sip:alice@example.org')

/** A SIP address of record. */
export type SipUri = z.infer<typeof sipUriSchema>

/** Where the session's life cycle stands. */
export const sessionStatusSchema = z.enum([
  'signed-out',
  'connecting',
  'registering',
  'registered',
  'reconnecting',
  'failed'
])

/** Where the session's life cycle stands. */
export type SessionStatus = z.infer<typeof sessionStatusSchema>

/**
 * Why a sign-in or a connection failed, as a stable code the UI can translate.
 *
 * `wrong-password` and `unknown-user` come from the registrar's 403 and 404 (RFC 3261 §21.4);
 * `untrusted` means the trust engine refused the server, so nothing was sent.
 */
export const sessionFailureCodeSchema = z.enum([
  'wrong-password',
  'unknown-user',
  'untrusted',
  'client-certificate',
  'network',
  'timeout',
  'sip-error',
  'protocol',
  'internal'
])

/** Why a sign-in or a connection failed. */
export type SessionFailureCode = z.infer<typeof sessionFailureCodeSchema>

/** A failure with its SIP status line when the server gave one. */
export const sessionFailureSchema = z.object({
  code: sessionFailureCodeSchema,
  /** SIP status code (e.g. 403) when the failure came from a SIP response. */
  status: z.number().int().min(100).max(699).optional(),
  /** Reason phrase from the server, or a technical sentence for logs and reports. */
  reason: z.string(),
  /**
   * For a refused or failed connection: the trust report's headline finding, which the UI words
   * in the user's language (shared/reasons).
   */
  finding: trustReasonSchema.optional()
})

/** A failure with its SIP status line when the server gave one. */
export type SessionFailure = z.infer<typeof sessionFailureSchema>

/** The session's state as the UI shows it. */
export const sessionStateSchema = z.object({
  status: sessionStatusSchema,
  /** Our address of record while signed in or trying to. */
  aor: sipUriSchema.optional(),
  /** Set when status is `failed`, and on `reconnecting` to say why the link dropped. */
  failure: sessionFailureSchema.optional(),
  /** Reconnect attempt number (1-based) while `reconnecting`. */
  attempt: z.number().int().min(0).optional(),
  /** When the next reconnect attempt starts (ISO 8601), while `reconnecting`. */
  nextRetryAt: z.string().optional(),
  /** When the current registration expires (ISO 8601), while `registered`. */
  registeredUntil: z.string().optional()
})

/** The session's state as the UI shows it. */
export type SessionState = z.infer<typeof sessionStateSchema>

/**
 * A client certificate for mutual TLS, as the file's bytes (base64) so it works the same under
 * Electron and the browser host: PKCS#12 (.p12/.pfx) or PEM with certificate and key.
 */
export const clientCertificateFileSchema = z.object({
  fileName: z.string().max(255),
  format: z.enum(['pkcs12', 'pem']),
  dataBase64: z.string().min(1).max(200_000),
  passphrase: z.string().max(1024).optional()
})

/** A client certificate file as the renderer sends it. */
export type ClientCertificateFile = z.infer<typeof clientCertificateFileSchema>

/** What the user types to sign in. The password never comes back out of main. */
export const signInRequestSchema = z.object({
  aor: sipUriSchema,
  password: z.string().min(1).max(1024),
  /** Optional display name put in From headers. */
  displayName: z.string().max(200).optional(),
  /** Use this server instead of discovering it from the SIP domain (NAPTR/SRV). */
  server: z
    .object({
      host: z.string().trim().min(1).max(253),
      port: z.number().int().min(1).max(65535).optional(),
      /** HTTP path of the WebSocket endpoint, for `wss` (e.g. `/ws`). */
      path: z
        .string()
        .max(200)
        .regex(/^\/[\x21-\x7e]*$/, 'a path starting with /')
        .optional()
    })
    .optional(),
  /** Transport to the server: SIP over TLS (default) or SIP over secure WebSocket. */
  transport: z.enum(['tls', 'wss']).optional(),
  /** A client certificate for mutual TLS. */
  clientCertificate: clientCertificateFileSchema.optional(),
  /** Keep the password (encrypted by the OS keychain) for the next start. */
  remember: z.boolean().optional()
})

/** What the user types to sign in. */
export type SignInRequest = z.infer<typeof signInRequestSchema>

/**
 * The canonical form of an address of record for keys and comparisons: scheme and host
 * lower-cased, URI parameters and headers dropped; the user part stays as is, because it is
 * case-sensitive (RFC 3261 §19.1.4).
 */
export function normalizeAor(uri: string): string {
  const trimmed = uri.trim().replace(/^<|>$/g, '')
  const match = /^(sips?):([^@]+)@([^;?>]+)/i.exec(trimmed)
  if (!match) return trimmed
  const [, scheme = 'sip', user = '', host = ''] = match
  return `${scheme.toLowerCase()}:${user}@${host.toLowerCase()}`
}

/**
 * A domain in the form DNS and certificates use: lower case, no trailing dot, IDN labels as
 * A-labels (`bücher.test` → `xn--bcher-kva.test`, via the WHATWG URL host parser, which both the
 * core and the renderer have). Text that is not a host name comes back lower-cased.
 */
export function domainToALabel(domain: string): string {
  const d = domain.trim().toLowerCase().replace(/\.$/, '')
  if (d === '' || /^[\x21-\x7e]*$/.test(d)) return d
  try {
    return new URL(`http://${d}/`).hostname || d
  } catch {
    return d
  }
}

/** An address of record taken apart: the one parser sign-in, the session and the form use. */
export interface ParsedAor {
  scheme: 'sip' | 'sips'
  /** The user part, as typed (case-sensitive, RFC 3261 §19.1.4). */
  user: string
  /** The SIP domain in A-label form (what discovery, policy and RFC 5922 compare). */
  domain: string
  /** `sip:user@domain` with the domain as above. */
  aor: string
}

/** Parses `sip:user@domain` (or `sips:`, with or without `<>`, parameters dropped); null if not one. */
export function parseAor(uri: string): ParsedAor | null {
  const match = /^(sips?):([^@;?>]+)@([^;?>:]+)(?::\d+)?(?:[;?].*)?$/i.exec(
    uri.trim().replace(/^<|>$/g, '')
  )
  if (!match) return null
  const scheme = match[1]!.toLowerCase() as 'sip' | 'sips'
  const user = match[2]!
  const domain = domainToALabel(match[3]!)
  if (domain === '') return null
  return { scheme, user, domain, aor: `${scheme}:${user}@${domain}` }
}
