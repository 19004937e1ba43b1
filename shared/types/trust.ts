import { z } from 'zod'
import { extensionValueSchema } from './certificate-extensions'

/** Kind of a subjectAltName entry (RFC 5280 4.2.1.6); everything else is reported as 'other'. */
export const subjectAltNameTypeSchema = z.enum(['dns', 'ip', 'uri', 'email', 'other'])

/** Kind of a subjectAltName entry. */
export type SubjectAltNameType = z.infer<typeof subjectAltNameTypeSchema>

/** One subjectAltName entry, value rendered as text (IPs in canonical textual form). */
export const subjectAltNameSchema = z.object({
  type: subjectAltNameTypeSchema,
  value: z.string()
})

/** One subjectAltName entry. */
export type SubjectAltName = z.infer<typeof subjectAltNameSchema>

/** The certificate's public key, as shown to helpdesk staff. */
export const publicKeyInfoSchema = z.object({
  /** 'RSA', 'RSA-PSS', 'EC', 'Ed25519', 'Ed448' or the algorithm OID when unknown. */
  algorithm: z.string(),
  /** Key size in bits (RSA modulus, EC field size), null when unknown. */
  size: z.number().int().nullable(),
  /** Named curve for EC keys ('P-256', 'P-384', 'P-521'), null otherwise. */
  curve: z.string().nullable(),
  /** SHA-256 of the DER SubjectPublicKeyInfo, colon hex uppercase (the HPKP / pin format input). */
  spkiSha256: z.string()
})

/** The certificate's public key. */
export type PublicKeyInfo = z.infer<typeof publicKeyInfoSchema>

/** One X.509v3 extension with its value decoded as data. */
export const certificateExtensionSchema = z.object({
  oid: z.string(),
  /** Well-known name ('basicConstraints', 'keyUsage', ...) or the OID when unknown. */
  name: z.string(),
  critical: z.boolean(),
  value: extensionValueSchema
})

/** One X.509v3 extension. */
export type CertificateExtension = z.infer<typeof certificateExtensionSchema>

/** Everything the UI and the helpdesk report show about one certificate. */
export const certificateDetailsSchema = z.object({
  /** Subject DN, RFC 4514-ish ('CN=sip.example.com, O=Example'). */
  subject: z.string(),
  /** Issuer DN, same format as subject. */
  issuer: z.string(),
  /** Serial number, lowercase hex without separators. */
  serialNumber: z.string(),
  /** Start of validity, ISO 8601. */
  notBefore: z.string(),
  /** End of validity, ISO 8601. */
  notAfter: z.string(),
  /** Whole days from evaluation time to notAfter; negative once expired. */
  daysLeft: z.number().int(),
  subjectAltNames: z.array(subjectAltNameSchema),
  publicKey: publicKeyInfoSchema,
  /** Human algorithm name, e.g. 'sha256WithRSAEncryption', 'ecdsa-with-SHA256', 'Ed25519'. */
  signatureAlgorithm: z.string(),
  /** basicConstraints cA flag. */
  isCA: z.boolean(),
  /** basicConstraints pathLenConstraint, null when absent. */
  pathLen: z.number().int().nullable(),
  /** keyUsage bit names ('digitalSignature', 'keyCertSign', ...); empty when the extension is absent. */
  keyUsage: z.array(z.string()),
  /** extendedKeyUsage names ('serverAuth', ...) or OIDs; empty when the extension is absent. */
  extendedKeyUsage: z.array(z.string()),
  extensions: z.array(certificateExtensionSchema),
  /** SHA-256 of the DER certificate, colon hex uppercase. */
  sha256: z.string(),
  /** SHA-1 of the DER certificate, colon hex uppercase (only for matching legacy tools). */
  sha1: z.string(),
  pem: z.string(),
  /** Subject equals issuer and the signature verifies with the certificate's own key. */
  selfSigned: z.boolean()
})

/** Everything shown about one certificate. */
export type CertificateDetails = z.infer<typeof certificateDetailsSchema>

/**
 * Stable machine code of one trust finding.
 *
 * Codes never change meaning; UI text is keyed on them. New codes may be added.
 */
export const trustReasonCodeSchema = z.enum([
  'expired',
  'not-yet-valid',
  'clock-skew',
  'hostname-mismatch',
  'sip-domain-mismatch',
  'unknown-issuer',
  'missing-intermediate',
  'incomplete-chain-fetched',
  'self-signed',
  'weak-key',
  'weak-signature',
  'unsupported-algorithm',
  'bad-signature',
  'not-a-ca',
  'path-length-exceeded',
  'chain-too-long',
  'key-usage',
  'extended-key-usage',
  'name-constraints',
  'unknown-critical-extension',
  'invalid-extension',
  'revoked',
  'revocation-unknown',
  'chain-order',
  'extra-certificates',
  'anchor-sent',
  'node-disagrees',
  'malformed-certificate',
  'no-certificate',
  'chain-limit',
  'certificate-changed',
  'exception-forbidden',
  'account-ca-forbidden',
  'sip-domain-unconfirmed',
  'sip-domain-confirmed',
  'sip-domain-refused',
  'sip-domain-not-named',
  'client-cert-required',
  'client-cert-rejected',
  'client-cert-unreadable',
  'client-cert-bad-passphrase',
  'client-cert-key-mismatch',
  'client-cert-expired',
  'client-cert-not-for-client',
  'connection-failed'
])

/** Stable machine code of one trust finding. */
export type TrustReasonCode = z.infer<typeof trustReasonCodeSchema>

/**
 * How bad a finding is: an 'error' refuses the server (unless the user's exception for exactly
 * this certificate covers it), a 'question' stops until the user answers, 'warning' and 'info'
 * are shown but do not stop anything.
 */
export const trustSeveritySchema = z.enum(['error', 'question', 'warning', 'info'])

/** How bad a finding is. */
export type TrustSeverity = z.infer<typeof trustSeveritySchema>

/** The longest text and the longest list one finding's fact may carry. */
export const reasonParamLimits = { text: 4096, list: 64 } as const

/** One value a finding carries for its sentence: a name, a date (ISO 8601), a number, a list. */
export const reasonParamSchema = z.union([
  z.string().max(reasonParamLimits.text),
  z.number(),
  z.boolean(),
  z.array(z.string().max(reasonParamLimits.text)).max(reasonParamLimits.list)
])

/** One value a finding carries for its sentence. */
export type ReasonParam = z.infer<typeof reasonParamSchema>

/**
 * The facts of one finding, by name: `host`, `sipDomain`, `date` / `at` (ISO 8601), `names`,
 * `role` ('leaf' | 'intermediate' | 'root'), fingerprints, …  Each language renders its own
 * sentence from the code and these (shared/reasons), so every language says the same things.
 */
export const reasonParamsSchema = z.record(z.string().max(64), reasonParamSchema)

/** The facts of one finding, by name. */
export type ReasonParams = z.infer<typeof reasonParamsSchema>

/**
 * Facts cut to what a report carries, whatever a server sent (a certificate with 300 names, a
 * server listing 200 client CAs): a longer list keeps its first items and records how many there
 * were as `<name>Total`; a longer text is cut with an ellipsis. Without this one oversized fact
 * would make the whole report fail its schema and the user would see no report at all.
 */
export function fitReasonParams(params: Record<string, unknown>): ReasonParams {
  const max = reasonParamLimits
  const text = (v: string) => (v.length > max.text ? `${v.slice(0, max.text - 1)}…` : v)
  const out: ReasonParams = {}
  for (const [name, value] of Object.entries(params)) {
    if (name.length > 64) continue
    if (typeof value === 'string') out[name] = text(value)
    else if (typeof value === 'number' || typeof value === 'boolean') out[name] = value
    else if (Array.isArray(value)) {
      const items = value.filter((v): v is string => typeof v === 'string')
      out[name] = items.slice(0, max.list).map(text)
      if (items.length > max.list) out[`${name}Total`] = items.length
    }
  }
  return out
}

/**
 * One finding about the connection: a stable code, how bad it is and its facts. It carries no
 * sentence: the renderer (in the user's language), the command-line tool and the text report
 * word it from code + params through one catalog (shared/reasons).
 */
export const trustReasonSchema = z.object({
  code: trustReasonCodeSchema,
  severity: trustSeveritySchema,
  /** Index into TrustReport.builtChain (0 = leaf), or null when not about one certificate. */
  certIndex: z.number().int().nullable(),
  /** Subject of that certificate, for display when the index is not enough. */
  certSubject: z.string().nullable(),
  /** The facts the sentences are made of. */
  params: reasonParamsSchema,
  /** Technical detail for the helpdesk, verbatim (names, dates, OIDs, library error codes). */
  detail: z.string()
})

/** One finding about the server's certificate chain. */
export type TrustReason = z.infer<typeof trustReasonSchema>

/**
 * Outcome of one connection attempt, decided in one place (electron/main/tls/decision.ts):
 * - trusted: a trusted CA vouches for the server and every check passed;
 * - trusted-by-exception: the user accepted exactly this certificate for this host:port;
 * - untrusted: refused, nothing is sent;
 * - needs-question: nothing is sent until the user answers the question the findings ask
 *   (DNS sent the SIP domain to a server outside it);
 * - no-verdict: the connection could not be made (refused, client certificate, DNS), so there was
 *   nothing to trust; the findings say why, and judge the server's certificate when it was seen
 *   (`serverCertificate`). An untrusted server is always 'untrusted', even when it also failed.
 */
export const trustVerdictSchema = z.enum([
  'trusted',
  'trusted-by-exception',
  'untrusted',
  'needs-question',
  'no-verdict'
])

/** Outcome of a trust evaluation. */
export type TrustVerdict = z.infer<typeof trustVerdictSchema>

/**
 * The server's certificate judged on its own, also when the connection then failed (a server that
 * refuses our client certificate still showed its own): 'not-judged' when none was received, or
 * the connection failed before the server proved it holds that certificate's key.
 */
export const serverCertificateVerdictSchema = z.enum([
  'trusted',
  'trusted-by-exception',
  'untrusted',
  'needs-question',
  'not-judged'
])

/** The server's certificate judged on its own. */
export type ServerCertificateVerdict = z.infer<typeof serverCertificateVerdictSchema>

/** Where a trust anchor came from. 'sent' = only used to describe a self-signed root the server sent. */
export const anchorSourceSchema = z.enum(['system', 'bundled', 'policy', 'account', 'sent'])

/** Where a trust anchor came from. */
export type AnchorSource = z.infer<typeof anchorSourceSchema>

/** The trust anchor the built chain ends at. */
export const trustAnchorInfoSchema = z.object({
  subject: z.string(),
  source: anchorSourceSchema,
  /** SHA-256 of the anchor certificate DER, colon hex uppercase. */
  sha256: z.string()
})

/** The trust anchor the built chain ends at. */
export type TrustAnchorInfo = z.infer<typeof trustAnchorInfoSchema>

/** What the path builder did with the certificates the server sent. */
export const chainNotesSchema = z.object({
  /** Indexes into sentChain that were not used in the built chain. */
  unused: z.array(z.number().int()),
  /** Indexes into sentChain that repeat an earlier certificate. */
  duplicates: z.array(z.number().int()),
  /** The used certificates were not sent in leaf→root order. */
  outOfOrder: z.boolean(),
  /** The server sent its trust anchor along (harmless, wasted bytes). */
  anchorSent: z.boolean(),
  /** Certificates downloaded via AIA caIssuers: builtChain index and URL. */
  fetched: z.array(z.object({ certIndex: z.number().int(), url: z.string() }))
})

/** What the path builder did with the sent certificates. */
export type ChainNotes = z.infer<typeof chainNotesSchema>

/** TLS session facts, filled in by the connector (null when evaluated offline). */
export const tlsSessionInfoSchema = z.object({
  protocol: z.string().nullable(),
  cipher: z.string().nullable(),
  clientCertRequested: z.boolean(),
  clientCertSent: z.boolean(),
  /**
   * How sentChain was captured: 'handshake' = the server's Certificate message (exact order),
   * 'node-peer-chain' = Node's issuer-ordered peer chain (fallback). Absent when offline.
   */
  chainSource: z.enum(['handshake', 'node-peer-chain']).optional()
})

/** TLS session facts. */
export type TlsSessionInfo = z.infer<typeof tlsSessionInfoSchema>

/** Node's / OpenSSL's own opinion, kept to spot disagreements with our engine. */
export const nodeVerdictSchema = z.object({
  authorized: z.boolean(),
  authorizationError: z.string().nullable()
})

/** Node's / OpenSSL's own opinion. */
export type NodeVerdict = z.infer<typeof nodeVerdictSchema>

/** Revocation policy in force. */
export const revocationModeSchema = z.enum(['off', 'soft-fail', 'hard-fail'])

/** Revocation policy in force. */
export type RevocationMode = z.infer<typeof revocationModeSchema>

/** Revocation status of the leaf (and chain, when checked). */
export const revocationStatusSchema = z.enum(['good', 'revoked', 'unknown', 'not-checked'])

/** Revocation status. */
export type RevocationStatus = z.infer<typeof revocationStatusSchema>

/** Result of the revocation check. */
export const revocationInfoSchema = z.object({
  mode: revocationModeSchema,
  status: revocationStatusSchema,
  source: z.enum(['ocsp', 'crl']).nullable(),
  /** Technical detail: responder URL, thisUpdate/nextUpdate, revocation reason, error text. */
  detail: z.string().nullable()
})

/** Result of the revocation check. */
export type RevocationInfo = z.infer<typeof revocationInfoSchema>

/** A user-accepted exception for exactly this leaf certificate. */
export const trustExceptionInfoSchema = z.object({
  /** SHA-256 of the accepted leaf DER, colon hex uppercase. */
  sha256: z.string(),
  /** ISO 8601 time the user accepted it. */
  acceptedAt: z.string()
})

/** A user-accepted exception. */
export type TrustExceptionInfo = z.infer<typeof trustExceptionInfoSchema>

/**
 * Whether the user may accept this certificate as an exception: 'available' when an exception
 * for exactly this leaf would make the connection trusted, 'forbidden-by-policy' when it would but
 * the organisation's policy forbids exceptions, 'not-applicable' otherwise (trusted already, or a
 * problem no exception can cover, such as revocation).
 */
export const exceptionOfferSchema = z.enum(['available', 'forbidden-by-policy', 'not-applicable'])

/** Whether the user may accept this certificate as an exception. */
export type ExceptionOffer = z.infer<typeof exceptionOfferSchema>

/** The full, explainable answer to "can this server be trusted?", sent to the renderer. */
export const trustReportSchema = z.object({
  /** The connection attempt this report belongs to; a new attempt's report replaces it. */
  attemptId: z.string().max(64),
  verdict: trustVerdictSchema,
  /** The server's certificate on its own; differs from `verdict` when the connection failed. */
  serverCertificate: serverCertificateVerdictSchema,
  /**
   * The finding that explains the verdict best, chosen by a fixed precedence (a changed pinned
   * certificate and revocation first); null when trusted.
   */
  headline: trustReasonSchema.nullable(),
  host: z.string(),
  port: z.number().int(),
  /** SNI sent (null when connecting by IP, where SNI is not allowed, RFC 6066 section 3). */
  servername: z.string().nullable(),
  /** SIP domain of the account, checked per RFC 5922; null when not configured. */
  sipDomain: z.string().nullable(),
  /** All findings, errors first; empty for a clean chain. */
  reasons: z.array(trustReasonSchema),
  /** Certificates exactly as the server sent them. */
  sentChain: z.array(certificateDetailsSchema),
  /** The validated (or best-effort) path, leaf first, anchor last when one was found. */
  builtChain: z.array(certificateDetailsSchema),
  anchor: trustAnchorInfoSchema.nullable(),
  chainNotes: chainNotesSchema,
  tls: tlsSessionInfoSchema.nullable(),
  node: nodeVerdictSchema.nullable(),
  revocation: revocationInfoSchema,
  exception: trustExceptionInfoSchema.nullable(),
  exceptionOffer: exceptionOfferSchema,
  /** ISO 8601 time of evaluation. */
  evaluatedAt: z.string()
})

/** The full, explainable trust answer. */
export type TrustReport = z.infer<typeof trustReportSchema>
