import { z } from 'zod'
import { event, invoke } from '../define'
import { clientCertificateFileSchema } from '../../types/sip'
import { revocationModeSchema, trustReportSchema } from '../../types/trust'
import {
  acceptExceptionRequestSchema,
  domainDecisionSchema,
  reportExportSchema,
  serverAddressSchema,
  trustExceptionEntrySchema
} from '../../types/trust-settings'

/** Trust engine channels: reports, exceptions and the DNS-hijack decisions. */
export const trustChannels = {
  /** The trust report of the current (or last attempted) connection; null before any. */
  'trust:get-report': invoke(z.void(), trustReportSchema.nullable()),
  /**
   * Checks a server without signing in (helpdesk "test this server"): connects, evaluates,
   * closes. Sends no SIP and no credentials. `host` is where to connect (a name or an address);
   * `servername` the name the certificate must carry (and SNI), when it differs; with a client
   * certificate the mutual-TLS outcome is reported next to the server's own certificate.
   */
  'trust:check-server': invoke(
    serverAddressSchema.extend({
      sipDomain: z.string().max(253).optional(),
      servername: z.string().min(1).max(253).optional(),
      clientCertificate: clientCertificateFileSchema.optional(),
      revocation: revocationModeSchema.optional()
    }),
    trustReportSchema
  ),
  /**
   * The current attempt's report changed: a new attempt started (null until it has one), an
   * attempt ended (its report, or a 'no-verdict' report), the connection was decided again, or
   * the user signed out (null).
   */
  'trust:report-changed': event(trustReportSchema.nullable()),
  /** Accepts exactly one certificate for one host:port after explicit confirmation. */
  'trust:accept-exception': invoke(acceptExceptionRequestSchema, trustExceptionEntrySchema),
  /** All stored exceptions. */
  'trust:list-exceptions': invoke(z.void(), z.array(trustExceptionEntrySchema)),
  /** Removes the exception for host:port. */
  'trust:revoke-exception': invoke(serverAddressSchema, z.object({ revoked: z.boolean() })),
  /** Remembered answers to the DNS-hijack question. */
  'trust:list-domain-decisions': invoke(z.void(), z.array(domainDecisionSchema)),
  /** Answers the DNS-hijack question for a SIP domain and the server DNS gave. */
  'trust:decide-domain': invoke(
    domainDecisionSchema.omit({ decidedAt: true }),
    domainDecisionSchema
  ),
  /** Forgets a remembered answer, so the question is asked again. */
  'trust:forget-domain-decision': invoke(
    z.object({ sipDomain: z.string().min(1).max(253), serverHost: z.string().min(1).max(253) }),
    z.object({ forgotten: z.boolean() })
  ),
  /**
   * A report as text or JSON for the helpdesk, passwords and bodies redacted: the connection's
   * (default) or the last "test a server" result.
   */
  'trust:export-report': invoke(
    z.object({
      format: z.enum(['text', 'json']),
      source: z.enum(['connection', 'server-check']).optional()
    }),
    reportExportSchema
  )
} as const
