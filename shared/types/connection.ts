import { z } from 'zod'

/** An SRV record as discovery saw it (RFC 2782). */
export const srvRecordSchema = z.object({
  target: z.string(),
  port: z.number().int(),
  priority: z.number().int(),
  weight: z.number().int()
})

/** A NAPTR record that leads to SIP over TLS (RFC 3263 §4.1). */
export const naptrRecordSchema = z.object({
  service: z.string(),
  replacement: z.string()
})

/**
 * What one discovery look-up found, as data: each language words it (the text report and the
 * CLI in English, the renderer in the user's language).
 */
export const discoveryResultSchema = z.discriminatedUnion('type', [
  /** A configured server, used as is: no DNS service records were asked. */
  z.object({ type: z.literal('configured'), host: z.string(), port: z.number().int() }),
  z.object({ type: z.literal('naptr'), records: z.array(naptrRecordSchema) }),
  z.object({ type: z.literal('srv'), records: z.array(srvRecordSchema) }),
  z.object({ type: z.literal('addresses'), addresses: z.array(z.string()) }),
  /** The name has no record of this type (NXDOMAIN, NODATA, or an empty answer). */
  z.object({ type: z.literal('no-record') }),
  /** NAPTR records exist, but none for SIP over TLS (`SIPS+D2T`). */
  z.object({ type: z.literal('no-tls-service') }),
  /** The DNS server did not answer (`ETIMEOUT`, `ECONNREFUSED`). */
  z.object({ type: z.literal('dns-unreachable'), code: z.string() }),
  /** Any other resolver error, by its code (or message when it has none). */
  z.object({ type: z.literal('dns-error'), code: z.string() })
])

/** What one discovery look-up found. */
export type DiscoveryResult = z.infer<typeof discoveryResultSchema>

/** One step of server discovery, for the connection panel and helpdesk reports. */
export const discoveryStepSchema = z.object({
  /** Which look-up: a configured server, or a DNS record type. */
  kind: z.enum(['configured', 'naptr', 'srv', 'a', 'aaaa']),
  /** The name asked about (SIP domain, SRV owner, host); the host for a configured server. */
  name: z.string(),
  result: discoveryResultSchema,
  ok: z.boolean()
})

/** One step of server discovery. */
export type DiscoveryStep = z.infer<typeof discoveryStepSchema>

/** How the server was found. */
export const serverSourceSchema = z.enum(['configured', 'naptr', 'srv', 'address'])

/** A server candidate: the name its certificate must carry, the address actually dialled. */
export const discoveredServerSchema = z.object({
  host: z.string(),
  port: z.number().int(),
  address: z.string(),
  source: serverSourceSchema,
  /** The SRV owner name when found by SRV, e.g. `_sips._tcp.example.org`. */
  via: z.string().nullable()
})

/** A server candidate. */
export type DiscoveredServer = z.infer<typeof discoveredServerSchema>

/**
 * The question asked when DNS sent the SIP domain to a server outside it whose certificate does
 * not name the domain (Skype for Business TLS guidance; RFC 5922 §4): it could be a DNS hijack.
 */
export const domainQuestionSchema = z.object({
  sipDomain: z.string(),
  serverHost: z.string(),
  port: z.number().int(),
  /** Names the certificate does carry, to show the user. */
  certificateNames: z.array(z.string())
})

/** The DNS-hijack question. */
export type DomainQuestion = z.infer<typeof domainQuestionSchema>

/** The connection as the connection panel shows it. */
export const connectionInfoSchema = z.object({
  /** The connection attempt this view belongs to (TrustReport.attemptId); null before any. */
  attemptId: z.string().max(64).nullable(),
  sipDomain: z.string().nullable(),
  server: discoveredServerSchema.nullable(),
  transport: z.enum(['tls', 'wss']),
  trace: z.array(discoveryStepSchema),
  /** Set while sign-in waits for the user's answer to the DNS-hijack question. */
  question: domainQuestionSchema.nullable()
})

/** The connection as the connection panel shows it. */
export type ConnectionInfo = z.infer<typeof connectionInfoSchema>
