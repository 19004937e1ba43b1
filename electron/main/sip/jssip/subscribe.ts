import type { UA } from 'jssip'
import type { IncomingResponse } from 'jssip/lib/SIPMessage'
import { PIDF_CONTENT_TYPE } from '../pidf'
import type { SubscribeFn, SubscriptionEnd } from '../subscriptions'
import type { InFlight } from './in-flight'

/**
 * Presence subscriptions (RFC 3856, RFC 6665) with JsSIP's Subscriber, which keeps the dialog
 * and refreshes it; SubscriptionManager decides when to subscribe again after one ended.
 */
export function subscribeOver(ua: UA, expires: number, connection: InFlight): SubscribeFn {
  return (target, events) => {
    if (connection.closed) throw new Error('not connected')
    const subscriber = ua.subscribe(target, 'presence', PIDF_CONTENT_TYPE, { expires })
    // JsSIP reports a refused SUBSCRIBE without its status; keep the last final response.
    let refusal: { status: number; reason: string } | null = null
    const internals = subscriber as unknown as {
      _receiveSubscribeResponse(r: IncomingResponse): void
    }
    const originalReceive = internals._receiveSubscribeResponse.bind(subscriber)
    internals._receiveSubscribeResponse = (response) => {
      if (response.status_code >= 300)
        refusal = { status: response.status_code, reason: response.reason_phrase }
      originalReceive(response)
    }
    const C = subscriber.C as unknown as Record<string, number>
    subscriber.on('accepted', () => events.onAccepted?.())
    subscriber.on('pending', () => events.onPending())
    subscriber.on('active', () => events.onActive())
    subscriber.on('notify', (_final, _request, body, contentType) =>
      events.onNotify(body, contentType)
    )
    subscriber.on('terminated', (code, reason, retryAfter) => {
      let end: SubscriptionEnd
      if (code === C.FINAL_NOTIFY_RECEIVED) {
        end = {
          reason: reason ?? 'deactivated',
          ...(retryAfter !== undefined ? { retryAfter } : {})
        }
      } else if (code === C.SUBSCRIBE_NON_OK_RESPONSE && refusal) {
        end = { reason: refusal.reason, status: refusal.status }
      } else if (code === C.SUBSCRIBE_AUTHENTICATION_FAILED) {
        end = { reason: 'authentication failed', status: refusal?.status ?? 401 }
      } else if (code === C.SUBSCRIBE_RESPONSE_TIMEOUT) {
        end = { reason: 'no answer to SUBSCRIBE', transport: true }
      } else if (code === C.UNSUBSCRIBE_TIMEOUT) {
        end = { reason: 'unsubscribed' }
      } else {
        end = { reason: `subscription failed (${code})`, transport: true }
      }
      events.onTerminated(end)
    })
    subscriber.subscribe()
    return { terminate: () => subscriber.terminate() }
  }
}
