import type { z } from 'zod'

/** A renderer→main request/response channel. */
export interface InvokeChannel<
  Req extends z.ZodType = z.ZodType,
  Res extends z.ZodType = z.ZodType
> {
  readonly kind: 'invoke'
  readonly request: Req
  readonly response: Res
}

/** A main→renderer notification channel. */
export interface EventChannel<Payload extends z.ZodType = z.ZodType> {
  readonly kind: 'event'
  readonly payload: Payload
}

/** Any channel of the contract. */
export type Channel = InvokeChannel | EventChannel

/** Declares an invoke channel (renderer→main, answered with a result). */
export function invoke<Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  response: Res
): InvokeChannel<Req, Res> {
  return { kind: 'invoke', request, response }
}

/** Declares an event channel (main→renderer, no answer). */
export function event<Payload extends z.ZodType>(payload: Payload): EventChannel<Payload> {
  return { kind: 'event', payload }
}
