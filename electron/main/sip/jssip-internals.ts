import { randomBytes } from 'node:crypto'
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

/** The parts of a JsSIP client transaction that carry its branch. */
interface ClientTransactionLike {
  type: string
  id: string
  request: {
    getHeader(name: string): string | undefined
    setHeader(name: string, value: string): void
  }
}

interface TransactionsModule {
  checkTransaction(ua: UA, request: IncomingRequest): boolean
  NonInviteClientTransaction: new (
    ua: UA,
    transport: unknown,
    request: JsSipOutgoingRequest,
    handlers: Record<string, (...args: unknown[]) => void>
  ) => ClientTransactionLike
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

/** A Via branch: the RFC 3261 magic cookie and 96 random bits. */
export function newBranch(): string {
  return `z9hG4bK${randomBytes(12).toString('hex')}`
}

/**
 * Gives every client transaction of `ua` a branch that is unique in practice. JsSIP 3.x draws
 * branches from only 10^7 values (`Math.random() * 10000000` in lib/Transactions.js), and the UA
 * files transactions by branch: with hundreds in flight (a roster's SUBSCRIBEs) two collide often
 * enough to be seen (birthday odds of several percent per sign-in), and then a response goes to
 * the wrong transaction. RFC 3261 §8.1.1.7 asks for branches unique across space and time.
 * JsSIP sets the Via header and then registers the transaction with `ua.newTransaction`, before
 * anything is sent, so the branch is replaced there, in the Via header as well as the id.
 * Server transactions keep the branch the peer chose.
 */
export function installUniqueBranches(ua: UA): void {
  const internals = ua as unknown as { newTransaction(t: ClientTransactionLike): void }
  const register = internals.newTransaction.bind(ua)
  internals.newTransaction = (t) => {
    if (t.type === 'nict' || t.type === 'ict') {
      const branch = newBranch()
      const via = t.request.getHeader('via')
      if (via && /;branch=/i.test(via)) {
        t.id = branch
        t.request.setHeader('via', via.replace(/;branch=[^;,\s]*/i, `;branch=${branch}`))
      }
    }
    register(t)
  }
}
