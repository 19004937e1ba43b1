import { z } from 'zod'

/** One SIP message in the helpdesk's log, with secrets and message text removed. */
export const sipLogEntrySchema = z.object({
  id: z.number().int(),
  /** ISO 8601 time it was sent or received. */
  at: z.string(),
  direction: z.enum(['out', 'in']),
  /** The start line: `REGISTER sip:example.org SIP/2.0` or `SIP/2.0 200 OK`. */
  startLine: z.string(),
  /** Request method, or the method a response answers (from CSeq). */
  method: z.string(),
  /** Response status, null for requests. */
  status: z.number().int().nullable(),
  callId: z.string().nullable(),
  cseq: z.string().nullable(),
  headers: z.array(z.object({ name: z.string(), value: z.string() })),
  /** The body, with personal notes removed; empty when the whole body was withheld. */
  body: z.string(),
  /** Something was removed: the whole body (message text, typing notices) or notes in it. */
  bodyRedacted: z.boolean(),
  /** Size in bytes of a body withheld whole (message text), so the log still shows there was one. */
  withheldBytes: z.number().int().min(0).optional(),
  /** A MESSAGE carrying a delivery or read receipt (IMDN, RFC 5438): which, for which message. */
  receipt: z
    .object({
      kind: z.enum(['delivery', 'display', 'processing']),
      /** The IMDN status element (RFC 5438 §7.2), a code the UI words. */
      status: z.enum([
        'delivered',
        'failed',
        'forbidden',
        'error',
        'displayed',
        'processed',
        'stored'
      ]),
      messageId: z.string()
    })
    .optional(),
  /** A MESSAGE asking for receipts (CPIM imdn.Disposition-Notification): what it asks for. */
  receiptsRequested: z
    .array(z.enum(['positive-delivery', 'negative-delivery', 'processing', 'display']))
    .optional()
})

/** One SIP message in the helpdesk's log. */
export type SipLogEntry = z.infer<typeof sipLogEntrySchema>
