import { z } from 'zod'
import { discoveredServerSchema, discoveryStepSchema } from './connection'
import { signInRequestSchema } from './sip'
import {
  certificateDetailsSchema,
  revocationInfoSchema,
  revocationModeSchema,
  trustAnchorInfoSchema
} from './trust'

/**
 * Stable machine code of one federation finding. Sentences come from the wording catalog
 * (shared/federation/wording.ts) in each language, from the code and the finding's parameters.
 */
export const federationFindingCodeSchema = z.enum([
  // Discovery
  'discovery-failed',
  'federation-srv-missing',
  'target-outside-domain',
  // The mutual-TLS connection
  'connect-failed',
  'handshake-alert',
  'partner-closed-connection',
  'certificate-not-requested',
  'our-ca-not-listed',
  'ca-names-hidden',
  // The partner's certificate as a server (our edge connecting to it)
  'partner-cert-expired',
  'partner-cert-not-yet-valid',
  'partner-cert-name-mismatch',
  'partner-cert-untrusted',
  'partner-cert-revoked',
  'partner-cert-revocation-unknown',
  'partner-cert-no-server-auth',
  'partner-cert-invalid',
  'partner-cert-warning',
  // The partner's certificate as a client (its edge connecting back to ours)
  'partner-cert-no-client-auth',
  // Our own edge certificate
  'own-cert-public-ca-no-client-auth',
  'own-cert-no-client-auth',
  'own-cert-no-server-auth',
  'own-cert-expired',
  'own-cert-not-yet-valid',
  'own-cert-untrusted',
  'own-cert-revoked',
  'own-cert-invalid',
  // SIP OPTIONS over the mutual-TLS connection
  'options-rejected',
  'options-silent',
  'options-closed',
  'options-ok',
  // The headline of a report without errors or warnings
  'federation-ready'
])

/** Stable machine code of one federation finding. */
export type FederationFindingCode = z.infer<typeof federationFindingCodeSchema>

/** How bad a federation finding is: any 'error' makes the verdict 'not-ready'. */
export const federationSeveritySchema = z.enum(['error', 'warning', 'info'])

/** How bad a federation finding is. */
export type FederationSeverity = z.infer<typeof federationSeveritySchema>

/** A parameter of a finding: facts only (names, dates as YYYY-MM-DD, fingerprints, codes). */
export const federationParamSchema = z.union([
  z.string().max(2000),
  z.number(),
  z.array(z.string().max(2000)).max(64)
])

/** A parameter of a finding. */
export type FederationParam = z.infer<typeof federationParamSchema>

/**
 * One finding of the federation check. No sentence inside: `params` carries the facts every
 * language words the same way; `detail` is the technical, untranslated detail for the helpdesk.
 */
export const federationFindingSchema = z.object({
  code: federationFindingCodeSchema,
  severity: federationSeveritySchema,
  /** Index into the chain the code is about (partner-cert-* → partner, own-cert-* → own). */
  certIndex: z.number().int().nullable(),
  certSubject: z.string().nullable(),
  params: z.record(z.string(), federationParamSchema),
  detail: z.string()
})

/** One finding of the federation check. */
export type FederationFinding = z.infer<typeof federationFindingSchema>

/** Can our edge federate with the partner over mutual TLS? */
export const federationVerdictSchema = z.enum(['ready', 'not-ready'])

/** The federation verdict. */
export type FederationVerdict = z.infer<typeof federationVerdictSchema>

/** What the partner said about the CAs it accepts for client certificates. */
export const caNamesStatusSchema = z.enum([
  /** The CertificateRequest listed CA names (caNames). */
  'listed',
  /** TLS 1.2 CertificateRequest with an empty list: "any CA I trust". */
  'empty',
  /** TLS 1.3 without the optional certificate_authorities extension: the list is not shown. */
  'hidden',
  /** No CertificateRequest at all. */
  'not-requested',
  /** The handshake could not be read far enough to tell. */
  'unknown'
])

/** What the partner said about the CAs it accepts. */
export type CaNamesStatus = z.infer<typeof caNamesStatusSchema>

/** The TLS facts of the mutual-TLS connection attempt. */
export const federationTlsSchema = z.object({
  handshake: z.enum(['completed', 'failed', 'not-attempted']),
  protocol: z.string().nullable(),
  cipher: z.string().nullable(),
  /** SNI sent (the SRV target unless overridden). */
  servername: z.string().nullable(),
  /** The partner sent a CertificateRequest; null when unknown. */
  clientCertRequested: z.boolean().nullable(),
  clientCertSent: z.boolean(),
  caNamesStatus: caNamesStatusSchema,
  /** The CA names of the CertificateRequest, as distinguished names. */
  caNames: z.array(z.string()),
  /** The alert the partner sent, by registry name ('unknown_ca'); null when none. */
  alert: z.string().nullable(),
  /** The connector's failure code when the connection failed ('refused', 'timeout', …). */
  error: z.string().nullable()
})

/** The TLS facts of the connection attempt. */
export type FederationTls = z.infer<typeof federationTlsSchema>

/** One certificate chain of the report: as presented, as built, and what anchored it. */
export const federationChainSchema = z.object({
  /** The certificates as presented (the partner's handshake, or our certificate file). */
  presented: z.array(certificateDetailsSchema),
  /** The validated (or best-effort) path, leaf first. */
  builtChain: z.array(certificateDetailsSchema),
  anchor: trustAnchorInfoSchema.nullable(),
  revocation: revocationInfoSchema
})

/** One certificate chain of the report. */
export type FederationChain = z.infer<typeof federationChainSchema>

/** The SIP OPTIONS exchange over the mutual-TLS connection. */
export const federationOptionsSchema = z.object({
  outcome: z.enum(['answered', 'silent', 'closed', 'not-sent']),
  /** Why it was not sent (a finding code that stopped it), when outcome is 'not-sent'. */
  notSentBecause: z.string().nullable(),
  /** The request as written on the wire, null when not sent. */
  request: z.string().nullable(),
  /** The response's start line and headers as received, null without an answer. */
  response: z.string().nullable(),
  status: z.number().int().nullable(),
  reason: z.string().nullable(),
  server: z.string().nullable(),
  allow: z.string().nullable(),
  supported: z.string().nullable(),
  /** Request written → final response read, milliseconds. */
  rttMs: z.number().nullable()
})

/** The SIP OPTIONS exchange. */
export type FederationOptions = z.infer<typeof federationOptionsSchema>

/** The full, explainable answer to "can our edge federate with this partner?". */
export const federationReportSchema = z.object({
  verdict: federationVerdictSchema,
  /** The one finding that explains the verdict (fixed precedence); federation-ready when clean. */
  headline: federationFindingSchema,
  /** All findings, errors first. */
  findings: z.array(federationFindingSchema),
  partnerDomain: z.string(),
  /** Our SIP domain as our certificate names it (first sip: URI or DNS name), null when none. */
  ourDomain: z.string().nullable(),
  /** The partner server tried, null when discovery found none. */
  server: discoveredServerSchema.nullable(),
  trace: z.array(discoveryStepSchema),
  tls: federationTlsSchema,
  /** The partner's chain, null when it never presented one. */
  partnerChain: federationChainSchema.nullable(),
  ownChain: federationChainSchema,
  options: federationOptionsSchema,
  revocationMode: revocationModeSchema,
  /** ISO 8601 time of the check. */
  evaluatedAt: z.string(),
  /** How long the whole check took, milliseconds. */
  durationMs: z.number()
})

/** The full federation report. */
export type FederationReport = z.infer<typeof federationReportSchema>

/** A request to check federation with a partner domain. */
export const federationCheckRequestSchema = z.object({
  partnerDomain: z
    .string()
    .trim()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9.-]+$/, 'a domain name (IDNs as xn--…)'),
  /** Our edge identity: the file's bytes, exactly as sign-in takes a client certificate. */
  clientCertificate: signInRequestSchema.shape.clientCertificate.unwrap(),
  /** The partner's edge server instead of DNS discovery. */
  server: z
    .object({
      host: z.string().trim().min(1).max(253),
      port: z.number().int().min(1).max(65535).optional()
    })
    .optional(),
  revocation: revocationModeSchema.optional()
})

/** A request to check federation. */
export type FederationCheckRequest = z.infer<typeof federationCheckRequestSchema>
