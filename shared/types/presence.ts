import { z } from 'zod'
import { sipUriSchema } from './sip'

/**
 * A presence state, as the UI offers it and as parsed from PIDF (RFC 3863) + RPID (RFC 4480).
 *
 * `unknown` is never published: it is what a contact shows before the first NOTIFY or when the
 * document could not be understood.
 */
export const presenceStateSchema = z.enum([
  'available',
  'busy',
  'do-not-disturb',
  'be-right-back',
  'away',
  'offline',
  'unknown'
])

/** A presence state. */
export type PresenceState = z.infer<typeof presenceStateSchema>

/** States the user can choose for themself (`offline` = appear offline: publishes closed). */
export const ownPresenceStateSchema = presenceStateSchema.exclude(['unknown'])

/** States the user can choose for themself. */
export type OwnPresenceState = z.infer<typeof ownPresenceStateSchema>

/** A presence state with an optional free-text note. */
export const presenceSchema = z.object({
  state: presenceStateSchema,
  note: z.string().max(1000).optional()
})

/** A presence state with an optional free-text note. */
export type Presence = z.infer<typeof presenceSchema>

/** What `presence:set` takes. */
export const setPresenceRequestSchema = z.object({
  state: ownPresenceStateSchema,
  note: z.string().max(1000).optional()
})

/** What `presence:set` takes. */
export type SetPresenceRequest = z.infer<typeof setPresenceRequestSchema>

/** Health of our presence subscription to one contact (RFC 6665 Subscription-State). */
export const subscriptionStatusSchema = z.enum(['none', 'pending', 'active', 'terminated', 'error'])

/** Health of our presence subscription to one contact. */
export type SubscriptionStatus = z.infer<typeof subscriptionStatusSchema>

/** Subscription health with the reason when it ended or failed. */
export const subscriptionHealthSchema = z.object({
  status: subscriptionStatusSchema,
  /** Why it is terminated or in error (e.g. `rejected`, `403 Forbidden`, `timeout`). */
  reason: z.string().optional(),
  /** Last NOTIFY or state change (ISO 8601). */
  lastUpdate: z.string().optional()
})

/** Subscription health with the reason when it ended or failed. */
export type SubscriptionHealth = z.infer<typeof subscriptionHealthSchema>

/** A contact's presence as shown in the roster. */
export const contactPresenceSchema = z.object({
  uri: sipUriSchema,
  presence: presenceSchema,
  subscription: subscriptionHealthSchema
})

/** A contact's presence as shown in the roster. */
export type ContactPresence = z.infer<typeof contactPresenceSchema>

/** A roster entry as stored. */
export const contactSchema = z.object({
  uri: sipUriSchema,
  displayName: z.string().max(200).optional()
})

/** A roster entry as stored. */
export type Contact = z.infer<typeof contactSchema>

/** A roster entry with its live presence, as `contacts:list` returns it. */
export const contactViewSchema = contactSchema.extend({
  presence: presenceSchema,
  subscription: subscriptionHealthSchema,
  unread: z.number().int().min(0)
})

/** A roster entry with its live presence. */
export type ContactView = z.infer<typeof contactViewSchema>
