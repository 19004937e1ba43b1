import { z } from 'zod'
import { ipcErrorSchema } from './result'

/** Browser host wire protocol: what the renderer may send over the loopback WebSocket. */
export const clientFrameSchema = z.discriminatedUnion('type', [
  /** First frame: the per-run token printed by the host. */
  z.object({ type: z.literal('hello'), token: z.string().max(200) }),
  /** One invoke; `id` pairs the answer with the call. */
  z.object({
    type: z.literal('invoke'),
    id: z.number().int().nonnegative(),
    channel: z.string().max(100),
    payload: z.unknown().optional()
  }),
  /** Start (`on`) or stop receiving an event channel; the host sends only channels asked for. */
  z.object({ type: z.literal('listen'), channel: z.string().max(100), on: z.boolean() })
])

/** A frame from the renderer. */
export type ClientFrame = z.infer<typeof clientFrameSchema>

/** Browser host wire protocol: what the host sends. */
export const serverFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('welcome') }),
  z.object({
    type: z.literal('result'),
    id: z.number().int(),
    result: z.union([
      z.object({ ok: z.literal(true), value: z.unknown() }),
      z.object({ ok: z.literal(false), error: ipcErrorSchema })
    ])
  }),
  /**
   * Events, oldest first: every event the core emitted for this page during one turn of the
   * host's event loop, in one frame (a presence storm is a thousand events a second).
   */
  z.object({
    type: z.literal('events'),
    events: z.array(z.object({ channel: z.string(), payload: z.unknown() }))
  }),
  z.object({ type: z.literal('error'), error: ipcErrorSchema })
])

/** A frame from the host. */
export type ServerFrame = z.infer<typeof serverFrameSchema>

/** Close code the host uses for a missing or wrong token (4000-4999 are application codes). */
export const CLOSE_UNAUTHORIZED = 4401
