import { z } from 'zod'
import { event, invoke } from '../define'
import { sipLogEntrySchema } from '../../types/sip-log'

/** The helpdesk's SIP log: messages on the wire, secrets and message text removed. */
export const sipLogChannels = {
  /** The kept messages, oldest first. */
  'sip:get-log': invoke(z.void(), z.array(sipLogEntrySchema)),
  /** Empties the log. */
  'sip:clear-log': invoke(z.void(), z.object({ cleared: z.boolean() })),
  /** A message was sent or received. */
  'sip:log-appended': event(sipLogEntrySchema)
} as const
