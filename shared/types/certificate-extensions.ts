import { z } from 'zod'

/**
 * One GeneralName (RFC 5280 §4.2.1.6) as shown: the value verbatim (a directory name in its
 * RFC 4514 text, an IP address in its textual form, an otherName as its type OID).
 */
export const generalNameSchema = z.object({
  type: z.enum(['dns', 'ip', 'uri', 'email', 'dn', 'other']),
  value: z.string()
})

/** One GeneralName. */
export type GeneralNameView = z.infer<typeof generalNameSchema>

/**
 * A list of names, at most a few dozen spelled out: a hosting certificate can carry ten thousand
 * names, and the viewer shows them as a count beyond that. `more` is how many were left out.
 */
export const nameListSchema = z.object({
  names: z.array(generalNameSchema),
  more: z.number().int().min(0)
})

/** A list of names, the rest counted. */
export type NameList = z.infer<typeof nameListSchema>

/** An access method of authorityInfoAccess / subjectInfoAccess (RFC 5280 §4.2.2). */
export const accessMethodSchema = z.enum([
  'ocsp',
  'ca-issuers',
  'ca-repository',
  'time-stamping',
  'other'
])

/** An access method of authorityInfoAccess / subjectInfoAccess. */
export type AccessMethod = z.infer<typeof accessMethodSchema>

/** A CRL reason flag (RFC 5280 §4.2.1.13 ReasonFlags), by its ASN.1 name, in bit order. */
export const crlReasonFlagSchema = z.enum([
  'unused',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'privilegeWithdrawn',
  'aACompromise'
])

/** A CRL reason flag. */
export type CrlReasonFlag = z.infer<typeof crlReasonFlagSchema>

/** Well-known certificate policies, by what they say about the subject (CA/Browser Forum). */
export const knownPolicySchema = z.enum([
  'any-policy',
  'domain-validated',
  'organization-validated',
  'individual-validated',
  'extended-validation'
])

/** A well-known certificate policy. */
export type KnownPolicy = z.infer<typeof knownPolicySchema>

/**
 * The decoded value of one X.509v3 extension, as data: the renderer words it in the user's
 * language, and names, URLs, OIDs and hex stay as the certificate has them. `raw` is for an
 * extension TrustLine does not know; `malformed` for a known one whose value does not decode.
 */
export const extensionValueSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('basic-constraints'),
    ca: z.boolean(),
    pathLen: z.number().int().nullable()
  }),
  /** keyUsage bits by their RFC 5280 names (`digitalSignature`, `keyCertSign`, …). */
  z.object({ kind: z.literal('key-usage'), usages: z.array(z.string()) }),
  /** Purposes by OID, with the RFC name (`serverAuth`, …) when known. */
  z.object({
    kind: z.literal('ext-key-usage'),
    purposes: z.array(z.object({ oid: z.string(), name: z.string().nullable() }))
  }),
  /** subjectAltName, issuerAltName. */
  z.object({ kind: z.literal('names'), list: nameListSchema }),
  /** subjectKeyIdentifier, colon hex. */
  z.object({ kind: z.literal('key-id'), keyId: z.string() }),
  z.object({
    kind: z.literal('authority-key-id'),
    keyId: z.string().nullable(),
    issuer: nameListSchema,
    serial: z.string().nullable()
  }),
  /** authorityInfoAccess (OCSP, CA issuers) and subjectInfoAccess. */
  z.object({
    kind: z.literal('info-access'),
    entries: z.array(
      z.object({ method: accessMethodSchema, methodOid: z.string(), location: generalNameSchema })
    )
  }),
  /** cRLDistributionPoints and freshestCRL. */
  z.object({
    kind: z.literal('crl-distribution-points'),
    points: z.array(
      z.object({
        names: nameListSchema,
        /** nameRelativeToCRLIssuer, as RDN text. */
        relativeName: z.string().nullable(),
        /** Only these reasons are covered; null = all. */
        reasons: z.array(crlReasonFlagSchema).nullable(),
        crlIssuer: nameListSchema
      })
    )
  }),
  z.object({
    kind: z.literal('certificate-policies'),
    policies: z.array(
      z.object({
        oid: z.string(),
        known: knownPolicySchema.nullable(),
        /** CPS pointer URIs. */
        cps: z.array(z.string()),
        /** User notice texts, verbatim. */
        notices: z.array(z.string())
      })
    )
  }),
  z.object({
    kind: z.literal('policy-mappings'),
    mappings: z.array(z.object({ issuerPolicy: z.string(), subjectPolicy: z.string() }))
  }),
  z.object({
    kind: z.literal('policy-constraints'),
    requireExplicitPolicy: z.number().int().nullable(),
    inhibitPolicyMapping: z.number().int().nullable()
  }),
  z.object({ kind: z.literal('inhibit-any-policy'), skipCerts: z.number().int() }),
  z.object({
    kind: z.literal('name-constraints'),
    permitted: nameListSchema,
    excluded: nameListSchema
  }),
  /** Certificate Transparency SCTs (RFC 6962 §3.3): log ID (base64) and time of each. */
  z.object({
    kind: z.literal('sct-list'),
    scts: z.array(z.object({ version: z.number().int(), logId: z.string(), timestamp: z.string() }))
  }),
  /** The CT precertificate poison (RFC 6962 §3.1): this is not a usable certificate. */
  z.object({ kind: z.literal('ct-poison') }),
  /** TLS feature (RFC 7633): extension numbers; 5 = status_request ("must staple"). */
  z.object({ kind: z.literal('tls-feature'), features: z.array(z.number().int()) }),
  /** An extension TrustLine does not decode: its bytes (the first 64 as hex) and length. */
  z.object({ kind: z.literal('raw'), length: z.number().int(), hex: z.string() }),
  /** A known extension whose value does not decode. */
  z.object({ kind: z.literal('malformed'), length: z.number().int(), hex: z.string() })
])

/** The decoded value of one X.509v3 extension. */
export type ExtensionValue = z.infer<typeof extensionValueSchema>
