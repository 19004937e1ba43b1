import { z } from 'zod'
import { sipUriSchema } from './sip'

/** Which way a message went. */
export const imDirectionSchema = z.enum(['in', 'out'])

/** Which way a message went. */
export type ImDirection = z.infer<typeof imDirectionSchema>

/**
 * Delivery state of a message.
 *
 * Outgoing: `queued` (no connection yet) → `sending` → `accepted` (2xx) | `failed`.
 * Incoming messages are `received`.
 */
export const imStateSchema = z.enum(['queued', 'sending', 'accepted', 'failed', 'received'])

/** Delivery state of a message. */
export type ImState = z.infer<typeof imStateSchema>

/** Why a message failed: the SIP status line when there was one, else our own reason. */
export const imFailureSchema = z.object({
  status: z.number().int().min(100).max(699).optional(),
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
  failure: imFailureSchema.optional()
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

/** What `im:history` takes. */
export const historyRequestSchema = z.object({
  conversation: sipUriSchema,
  /** Most recent N messages; all when omitted. */
  limit: z.number().int().min(1).max(10_000).optional()
})

/** A conversation's history as loaded. */
export const historySchema = z.object({
  conversation: sipUriSchema,
  messages: z.array(imMessageSchema),
  unread: z.number().int().min(0),
  /** True when a torn last line (crash mid-write) was found and ignored on load. */
  recoveredTornLine: z.boolean()
})

/** A conversation's history as loaded. */
export type History = z.infer<typeof historySchema>

/** One conversation in the list of conversations: who, the last message, how many unread. */
export const conversationSummarySchema = z.object({
  conversation: sipUriSchema,
  /** The newest message, for a preview line and ordering; absent when the file holds none. */
  last: imMessageSchema.optional(),
  messages: z.number().int().min(0),
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
