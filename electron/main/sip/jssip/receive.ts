import type { UA } from 'jssip'
import { normalizeAor } from '../../../../shared/types/sip'
import type { IncomingMessage, ReceiveHandler } from '../agent'
import { Transactions, type UaInternals } from './internals'

/** The minimal view of JsSIP's IncomingRequest this module uses. */
interface Request {
  method: string
  to_tag?: string
  from_tag?: string
  call_id: string
  cseq: number
  ruri: { user: string; scheme: string }
  from: { uri: { toString(): string } }
  body?: string
  getHeader(name: string): string | undefined
  reply(code: number, reason?: string, extraHeaders?: string[]): void
}

/**
 * Compact header names (RFC 3261 §7.3.3 and the RFCs that define the headers) that JsSIP's parser
 * keeps as sent: it files `e: deflate` under `E`, not under Content-Encoding.
 */
const COMPACT_FORMS: Readonly<Record<string, string>> = {
  'content-encoding': 'e',
  subject: 's',
  supported: 'k',
  'allow-events': 'u',
  'referred-by': 'b',
  'accept-contact': 'a',
  'reject-contact': 'j',
  'request-disposition': 'd'
}

/**
 * Answers two kinds of request ourselves, before JsSIP's UA would:
 * - an initial INVITE gets 488 at once: this client has no calls, and JsSIP's INVITE path
 *   touches `window` (WebRTC), which does not exist in the main process;
 * - an out-of-dialog MESSAGE goes to `receive`, and is answered with what it returns once it
 *   settles (500 if it fails), so a 200 OK can mean "stored".
 */
export function receiveMessagesWith(
  ua: UA,
  receive: ReceiveHandler,
  log: (message: string) => void
): void {
  const internals = ua as unknown as UaInternals
  const original = internals.receiveRequest.bind(ua)
  internals.receiveRequest = (incoming) => {
    const request = incoming as unknown as Request
    const method = request.method
    const mine = (method === 'INVITE' || method === 'MESSAGE') && !request.to_tag
    if (!mine) return original(incoming)
    const config = internals._configuration
    if (
      request.ruri.user !== config.uri.user &&
      request.ruri.user !== internals._contact.uri.user
    ) {
      request.reply(404)
      return
    }
    if (Transactions.checkTransaction(ua, incoming)) return
    if (method === 'INVITE') {
      new Transactions.InviteServerTransaction(ua, internals._transport, incoming)
      request.reply(488, 'Not Acceptable Here: TrustLine does not take calls')
      return
    }
    const message: IncomingMessage = {
      from: normalizeAor(request.from.uri.toString()),
      fromTag: request.from_tag ?? '',
      callId: request.call_id,
      cseq: request.cseq,
      body: request.body ?? '',
      contentType: request.getHeader('Content-Type'),
      header: (name) => {
        const compact = COMPACT_FORMS[name.toLowerCase()]
        return request.getHeader(name) ?? (compact ? request.getHeader(compact) : undefined)
      }
    }
    // A handler that throws is answered like one that rejects.
    const answer = Promise.resolve().then(() => receive(message))
    // The server transaction is made when the answer is known, not now: JsSIP answers a copy of
    // a request (same From tag, Call-ID and CSeq, RFC 3261 §8.2.2.2) that comes while the first
    // copy's transaction lives with 482 Loop Detected, and the sender would take that for a
    // refusal of a message that is being stored. `receive` recognises copies itself. Over TLS
    // and WebSocket nothing is retransmitted meanwhile (RFC 3261 §17.1.2.2), so no transaction
    // is needed to absorb retransmissions.
    const reply = (status: number, reason?: string, headers?: string[]) => {
      new Transactions.NonInviteServerTransaction(ua, internals._transport, incoming)
      // A reason phrase is one line (RFC 3261 §25.1): what a handler quotes (a parser's error
      // about the peer's body, say) never adds header lines.
      request.reply(status, reason?.replace(/[\r\n]+/g, ' ').slice(0, 200), headers)
    }
    answer
      .then(
        (a) => reply(a.status, a.reason, a.headers),
        (error: unknown) => {
          log(`handling an incoming MESSAGE failed: ${String(error)}`)
          reply(500, 'Could Not Store Message')
        }
      )
      .catch((error: unknown) => log(`answering an incoming MESSAGE failed: ${String(error)}`))
  }
}
