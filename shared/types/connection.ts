import { z } from 'zod'

/** One step of server discovery, for the connection panel and helpdesk reports. */
export const discoveryStepSchema = z.object({
  /** What was asked, e.g. `SRV _sips._tcp.example.org`. */
  query: z.string(),
  /** What came back, in words (`sip.example.org:5061 (priority 0, weight 10)`, `no record`). */
  answer: z.string(),
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
