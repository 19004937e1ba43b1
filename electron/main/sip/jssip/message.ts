import type { UA } from 'jssip'
import type { ImTransport, SendOutcome } from '../im'
import type { InFlight } from './in-flight'
import { OutgoingRequest, RequestSender, type UaInternals } from './internals'

/**
 * MESSAGE (RFC 3428) on JsSIP's request classes rather than `ua.sendMessage`, which makes up a
 * new Call-ID, From tag and CSeq for every call: a copy sent again after a lost connection must
 * carry the identity of the first, so the receiver can tell it already has it.
 *
 * For the same reason the credentials sent after a 401/407 keep the CSeq. RFC 3261 §22.2 asks
 * for a new CSeq there, which serves ordering within a dialog and at a registrar; an
 * out-of-dialog MESSAGE has neither, while a resent copy that is challenged on its new
 * connection (every new connection starts without a nonce) would otherwise reach the peer as
 * a different request. The challenged attempt never reaches the peer.
 */
export function messagesOver(ua: UA, inFlight: InFlight): ImTransport {
  return {
    sendMessage: (message) =>
      new Promise<SendOutcome>((resolve) => {
        if (inFlight.closed) {
          resolve({ kind: 'transport-error', reason: 'not connected' })
          return
        }
        const target = (ua as unknown as UaInternals).normalizeTarget(message.to)
        if (!target) {
          resolve({ kind: 'invalid', reason: `not a SIP address: ${message.to}` })
          return
        }
        let settled = false
        let untrack = () => undefined as void
        const finish = (outcome: SendOutcome) => {
          if (settled) return
          settled = true
          untrack()
          resolve(outcome)
        }
        untrack = inFlight.track(() =>
          finish({ kind: 'transport-error', reason: 'connection lost' })
        )
        const id = message.identity
        const request = new OutgoingRequest(
          'MESSAGE',
          target,
          ua,
          id
            ? { to_uri: target, call_id: id.callId, from_tag: id.fromTag, cseq: id.cseq }
            : { to_uri: target },
          [`Content-Type: ${message.contentType}`],
          message.body
        )
        try {
          new RequestSender(ua, request, {
            onRequestTimeout: () => finish({ kind: 'timeout' }),
            onTransportError: () => finish({ kind: 'transport-error', reason: 'connection error' }),
            onAuthenticated: (again) => {
              if (!id) return
              again.cseq = id.cseq
              again.setHeader('cseq', `${id.cseq} MESSAGE`)
            },
            onReceiveResponse: (response) => {
              if (response.status_code < 200) return
              const retryAfter = parseInt(response.getHeader('Retry-After') ?? '', 10)
              finish({
                kind: 'response',
                status: response.status_code,
                reason: response.reason_phrase,
                ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfter } : {})
              })
            }
          }).send()
        } catch (error) {
          finish({ kind: 'transport-error', reason: String(error) })
        }
      })
  }
}
