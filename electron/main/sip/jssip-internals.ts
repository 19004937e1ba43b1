import { createRequire } from 'node:module'
import type { UA } from 'jssip/lib/UA'
import type { IncomingRequest, IncomingResponse } from 'jssip/lib/SIPMessage'

/**
 * JsSIP modules that its public API does not expose but a presence client needs: there is no
 * PUBLISH client in JsSIP 3.x, so we build PUBLISH on the same request classes its Registrator
 * and Subscriber use (OutgoingRequest + RequestSender, which answers digest challenges), and we
 * answer some incoming requests ourselves through its server transactions.
 */
// Not named `require`: electron-vite's ESM shim declares that name in the same bundle chunk.
const requireCjs = createRequire(import.meta.url)

/** A request built by JsSIP (SIPMessage.OutgoingRequest). */
export interface JsSipOutgoingRequest {
  method: string
  body?: string
}

/** JsSIP's OutgoingRequest constructor. */
export type OutgoingRequestCtor = new (
  method: string,
  ruri: unknown,
  ua: UA,
  params: Record<string, unknown> | null,
  extraHeaders: string[],
  body?: string
) => JsSipOutgoingRequest

/** Callbacks of JsSIP's RequestSender. */
export interface RequestSenderHandlers {
  onRequestTimeout(): void
  onTransportError(): void
  onReceiveResponse(response: IncomingResponse): void
}

/** JsSIP's RequestSender: sends a request in a client transaction and handles 401/407. */
export type RequestSenderCtor = new (
  ua: UA,
  request: JsSipOutgoingRequest,
  handlers: RequestSenderHandlers
) => { send(): void }

interface TransactionsModule {
  checkTransaction(ua: UA, request: IncomingRequest): boolean
  NonInviteServerTransaction: new (ua: UA, transport: unknown, request: IncomingRequest) => unknown
  InviteServerTransaction: new (ua: UA, transport: unknown, request: IncomingRequest) => unknown
}

/** JsSIP's request classes. */
export const OutgoingRequest = (
  requireCjs('jssip/lib/SIPMessage') as { OutgoingRequest: OutgoingRequestCtor }
).OutgoingRequest
/** JsSIP's request sender. */
export const RequestSender = requireCjs('jssip/lib/RequestSender') as RequestSenderCtor
/** JsSIP's transaction layer. */
export const Transactions = requireCjs('jssip/lib/Transactions') as TransactionsModule

/** The parts of a JsSIP UA's private state this module touches. */
export interface UaInternals {
  receiveRequest(request: IncomingRequest): void
  normalizeTarget(target: string): unknown
  _transport: unknown
  _configuration: { uri: { user: string }; password?: string | null }
  _contact: { uri: { user: string } }
}
