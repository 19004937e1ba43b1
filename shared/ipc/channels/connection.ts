import { z } from 'zod'
import { event, invoke } from '../define'
import { connectionInfoSchema } from '../../types/connection'

/** The connection to the SIP server: how it was found and what is pending. */
export const connectionChannels = {
  /** Server, discovery trace and any pending DNS-hijack question. */
  'connection:get': invoke(z.void(), connectionInfoSchema),
  /** Discovery ran again, a server was chosen, or a question needs the user's answer. */
  'connection:changed': event(connectionInfoSchema)
} as const
