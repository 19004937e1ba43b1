import type { UA } from 'jssip'
import { PIDF_CONTENT_TYPE } from '../pidf'
import type { PublishResponse, PublishSend } from '../publish'
import type { InFlight } from './in-flight'
import { OutgoingRequest, RequestSender, type UaInternals } from './internals'

/**
 * PUBLISH (RFC 3903) for our own presence, on JsSIP's request classes: JsSIP 3.x has no PUBLISH
 * client. RequestSender answers digest challenges; the entity-tag logic is PresencePublisher's.
 */
export function publishOver(ua: UA, aor: string, inFlight: InFlight): PublishSend {
  return (req) =>
    new Promise<PublishResponse>((resolve, reject) => {
      if (inFlight.closed) {
        reject(new Error('not connected'))
        return
      }
      const done = inFlight.track(() => reject(new Error('connection lost during PUBLISH')))
      const target = (ua as unknown as UaInternals).normalizeTarget(aor)
      // RFC 3903 §4: Event, Expires, SIP-If-Match; body only for initial/modify.
      const headers = ['Event: presence', `Expires: ${req.expires}`]
      if (req.ifMatch) headers.push(`SIP-If-Match: ${req.ifMatch}`)
      if (req.body !== undefined) headers.push(`Content-Type: ${PIDF_CONTENT_TYPE}`)
      const request = new OutgoingRequest(
        'PUBLISH',
        target,
        ua,
        { to_uri: target },
        headers,
        req.body
      )
      new RequestSender(ua, request, {
        onRequestTimeout: () => {
          done()
          reject(new Error('no answer to PUBLISH'))
        },
        onTransportError: () => {
          done()
          reject(new Error('connection lost during PUBLISH'))
        },
        onReceiveResponse: (response) => {
          if (response.status_code < 200) return
          done()
          const int = (name: string) => {
            const n = parseInt(response.getHeader(name) ?? '', 10)
            return Number.isFinite(n) ? n : undefined
          }
          const result: PublishResponse = {
            status: response.status_code,
            reason: response.reason_phrase
          }
          const etag = response.getHeader('SIP-ETag')
          if (etag) result.etag = etag.trim()
          const expires = int('Expires')
          if (expires !== undefined) result.expires = expires
          const minExpires = int('Min-Expires')
          if (minExpires !== undefined) result.minExpires = minExpires
          resolve(result)
        }
      }).send()
    })
}
