import { z } from 'zod'
import { event, invoke } from '../define'
import {
  conversationSummarySchema,
  historyRequestSchema,
  historySchema,
  imMessageSchema,
  sendImRequestSchema,
  typingSchema
} from '../../types/im'
import {
  contactPresenceSchema,
  contactSchema,
  contactViewSchema,
  presenceSchema,
  setPresenceRequestSchema
} from '../../types/presence'
import { sessionStateSchema, signInRequestSchema, sipUriSchema } from '../../types/sip'

/** SIP session, presence, contacts and instant-messaging channels. */
export const sipChannels = {
  /**
   * Signs in with a SIP address and password; resolves when registered or failed.
   *
   * Failures are part of the state (`failed` with `wrong-password`, `unknown-user`, `untrusted`…),
   * not an IPC error. The password is kept in main memory only and never sent back.
   */
  'session:sign-in': invoke(signInRequestSchema, sessionStateSchema),
  /** Signs out: unpublishes presence, unsubscribes, unregisters, closes the connection. */
  'session:sign-out': invoke(z.void(), sessionStateSchema),
  /** The current session state (for a window that opens later). */
  'session:get-state': invoke(z.void(), sessionStateSchema),
  /** The session state changed (connecting, registered, reconnecting with next retry, failed…). */
  'session:state-changed': event(sessionStateSchema),
  /** Sets our own presence and note; published when signed in and kept across reconnects. */
  'presence:set': invoke(setPresenceRequestSchema, presenceSchema),
  /** Our own presence as last set. */
  'presence:get': invoke(z.void(), presenceSchema),
  /** Our own presence changed (set here or in another window); the tray follows it. */
  'presence:own-changed': event(presenceSchema),
  /** A contact's presence or subscription health changed. */
  'presence:changed': event(contactPresenceSchema),
  /** The roster with each contact's live presence, subscription health and unread count. */
  'contacts:list': invoke(z.void(), z.array(contactViewSchema)),
  /** Adds a contact (or renames it) and starts watching its presence. */
  'contacts:add': invoke(contactSchema, contactViewSchema),
  /** Removes a contact and unsubscribes from its presence; history is kept. */
  'contacts:remove': invoke(z.object({ uri: sipUriSchema }), z.object({ removed: z.boolean() })),
  /**
   * Sends an instant message. Resolves once it is stored as `sending` or `queued` (offline);
   * delivery is reported by `im:message-updated` (`accepted`, or `failed` with the SIP status).
   */
  'im:send': invoke(sendImRequestSchema, imMessageSchema),
  /**
   * A page of a conversation's stored messages (the newest `limit`, or the `limit` before the
   * message `before`), oldest first, with the unread count and whether older ones exist. The
   * core reads history files from the end, so this is quick whatever the file's size.
   */
  'im:history': invoke(historyRequestSchema, historySchema),
  /**
   * Every conversation kept in history, newest first, with its last message and unread count:
   * conversations with people outside the roster are found again after a restart.
   */
  'im:list-conversations': invoke(z.void(), z.array(conversationSummarySchema)),
  /** Marks a conversation read; returns the new unread count (0). */
  'im:mark-read': invoke(
    z.object({ conversation: sipUriSchema }),
    z.object({ unread: z.number().int().min(0) })
  ),
  /** We are (or stopped) typing to a peer (RFC 3994); skipped for peers that refused it. */
  'im:typing': invoke(typingSchema, z.object({ sent: z.boolean() })),
  /** A message arrived. */
  'im:received': event(imMessageSchema),
  /** An outgoing message changed state (sending, accepted, failed with reason, queued). */
  'im:message-updated': event(imMessageSchema),
  /** A peer started or stopped typing. */
  'im:typing-changed': event(typingSchema)
} as const
