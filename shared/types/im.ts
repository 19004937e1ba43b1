import { z } from 'zod'
import { sipUriSchema } from './sip'

/** Which way a message went. */
export const imDirectionSchema = z.enum(['in', 'out'])

/** Which way a message went. */
export type ImDirection = z.infer<typeof imDirectionSchema>

/**
 * Delivery state of a message.
 *
 * Outgoing: `queued` (no connection yet) → `sending` → `accepted` (2xx from the server) →
 * `delivered` (the peer's device said it has it: IMDN positive-delivery, RFC 5438) → `displayed`
 * (the peer's user has seen it: IMDN display) | `failed`. A state never moves back.
 * Incoming: `received`, then `displayed` once our user has seen it in an open chat.
 */
export const imStateSchema = z.enum([
  'queued',
  'sending',
  'accepted',
  'delivered',
  'displayed',
  'failed',
  'received'
])

/** Delivery state of a message. */
export type ImState = z.infer<typeof imStateSchema>

/**
 * Why a message was not delivered, as a code each language turns into a sentence:
 * - from the server's final answer: `offline` (480), `not-found` (404, 604), `busy` (486, 600),
 *   `declined` (603), `unsupported` (415, 488, 606), `too-large` (413, 513), `forbidden` (403),
 *   `not-authorized` (401, 407), `no-answer` (408, or no answer at all), `server-error` (5xx),
 *   `refused` (any other);
 * - from TrustLine: `no-connection` (no connection within the delivery time, param `seconds`),
 *   `signed-out`, `connection-failed` (the session ended, param `cause`: a session failure
 *   code), `interrupted` (TrustLine closed before the answer), `invalid-address`;
 * - from the peer's device after the server took it: `recipient-failed` (an IMDN
 *   negative-delivery receipt, RFC 5438 §7.2.1.1; param `status`, the IMDN status).
 */
export const imFailureCodeSchema = z.enum([
  'offline',
  'not-found',
  'busy',
  'declined',
  'unsupported',
  'too-large',
  'forbidden',
  'not-authorized',
  'no-answer',
  'server-error',
  'refused',
  'no-connection',
  'signed-out',
  'connection-failed',
  'interrupted',
  'invalid-address',
  'recipient-failed'
])

/** Why a message was not delivered, as a code. */
export type ImFailureCode = z.infer<typeof imFailureCodeSchema>

/**
 * Why a message failed: a code with its parameters for the sentence, and the detail for the
 * helpdesk (the SIP status line when there was one, else our own words). Records written before
 * codes existed have only `status` and `reason`.
 */
export const imFailureSchema = z.object({
  code: imFailureCodeSchema.optional(),
  /** Facts the sentence needs (e.g. `seconds`, `cause`). */
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  status: z.number().int().min(100).max(699).optional(),
  /** The server's reason phrase, or our own detail. */
  reason: z.string()
})

/** Why a message failed. */
export type ImFailure = z.infer<typeof imFailureSchema>

/** One instant message (RFC 3428 MESSAGE). */
export const imMessageSchema = z.object({
  id: z.string().min(1).max(100),
  /** The peer's address of record; one conversation per peer. */
  conversation: sipUriSchema,
  direction: imDirectionSchema,
  body: z.string().max(100_000),
  /** When we sent or received it (ISO 8601). */
  sentAt: z.string(),
  state: imStateSchema,
  failure: imFailureSchema.optional(),
  /**
   * Incoming messages: sender, Call-ID and CSeq of the MESSAGE (RFC 3261 §8.2.2.2), the same on
   * every copy of one request, so a copy resent after a lost connection is recognised and not
   * shown twice.
   */
  dedupeKey: z.string().max(2000).optional(),
  /** When the sender wrote it, as its CPIM DateTime says (RFC 3862 §5.4); incoming only. */
  writtenAt: z.string().optional(),
  /** The CPIM From when it names someone else than the conversation's peer (RFC 3862 §5.1). */
  author: sipUriSchema.optional(),
  /**
   * An incoming message whose sender asked for a read receipt (IMDN `display`, RFC 5438): its
   * Message-ID, which the receipt quotes.
   */
  displayReceipt: z.object({ messageId: z.string().min(1).max(256) }).optional()
})

/** One instant message. */
export type ImMessage = z.infer<typeof imMessageSchema>

/** What `im:send` takes. */
export const sendImRequestSchema = z.object({
  to: sipUriSchema,
  body: z.string().min(1).max(100_000)
})

/** What `im:send` takes. */
export type SendImRequest = z.infer<typeof sendImRequestSchema>

/** What `im:history` takes: a page of a conversation, newest first or older than a message. */
export const historyRequestSchema = z.object({
  conversation: sipUriSchema,
  /** How many messages (the page size); 200 when omitted. */
  limit: z.number().int().min(1).max(10_000).optional(),
  /**
   * The id of the oldest message the caller has: the page is the `limit` messages before it.
   * Absent: the newest messages.
   */
  before: z.string().min(1).max(100).optional()
})

/** A conversation's history as loaded. */
export const historySchema = z.object({
  conversation: sipUriSchema,
  messages: z.array(imMessageSchema),
  unread: z.number().int().min(0),
  /** True when a torn last line (crash mid-write) was found and ignored on load. */
  recoveredTornLine: z.boolean(),
  /** Older messages exist: ask again with `before` set to the first message's id. */
  hasOlder: z.boolean()
})

/** A conversation's history as loaded. */
export type History = z.infer<typeof historySchema>

/** One conversation in the list of conversations: who, the last message, how many unread. */
export const conversationSummarySchema = z.object({
  conversation: sipUriSchema,
  /** The newest message, for a preview line and ordering; absent when the file holds none. */
  last: imMessageSchema.optional(),
  unread: z.number().int().min(0)
})

/** One conversation in the list of conversations. */
export type ConversationSummary = z.infer<typeof conversationSummarySchema>

/** Typing indicator (RFC 3994 isComposing) in either direction. */
export const typingSchema = z.object({
  conversation: sipUriSchema,
  active: z.boolean()
})

/** Typing indicator. */
export type Typing = z.infer<typeof typingSchema>
