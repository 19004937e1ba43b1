import type { ImState } from '../../../shared/types/im'
import { normalizeAor, sipUriSchema } from '../../../shared/types/sip'
import {
  buildCpim,
  cpimAddress,
  cpimDateTime,
  cpimHeader,
  CpimError,
  CPIM_CONTENT_TYPE,
  parseCpim
} from './cpim'
import {
  IMDN_CONTENT_TYPE,
  IMDN_NS,
  imdnRequestOf,
  ImdnError,
  parseImdn,
  type ImdnNotification,
  type ImdnRequest
} from './imdn'

/** Content type of our instant messages (RFC 3428 §9 recommends text/plain with a charset). */
export const TEXT_CONTENT_TYPE = 'text/plain;charset=UTF-8'
/** Content type of an isComposing indication (RFC 3994 §5). */
export const ISCOMPOSING_CONTENT_TYPE = 'application/im-iscomposing+xml'

/**
 * The MESSAGE bodies TrustLine takes, for the one Accept header of a 415 (RFC 3261 §21.4.16)
 * and of an OPTIONS answer.
 */
export const ACCEPTED_MESSAGE_TYPES = [
  'text/plain',
  CPIM_CONTENT_TYPE,
  IMDN_CONTENT_TYPE,
  ISCOMPOSING_CONTENT_TYPE
].join(', ')

/** What an incoming MESSAGE carries, CPIM unwrapped. */
export type Incoming =
  | {
      kind: 'text'
      body: string
      /** The CPIM DateTime (ISO), when there was one. */
      writtenAt?: string
      /** The CPIM From, when it names a valid SIP address. */
      author?: string
      /** What the sender asked to be told (CPIM with imdn.* headers). */
      request?: ImdnRequest
      cpim: boolean
    }
  | { kind: 'composing'; body: string }
  | { kind: 'receipt'; notification: ImdnNotification; cpim: boolean }
  /** A type we do not show: answer 415 with ACCEPTED_MESSAGE_TYPES. */
  | { kind: 'unsupported'; type: string }
  /** A CPIM or IMDN body that is not one: answer 400 with the reason. */
  | { kind: 'malformed'; reason: string }

const mediaType = (contentType: string | undefined) =>
  (contentType ?? 'text/plain').split(';')[0]!.trim().toLowerCase()

/**
 * Classifies an incoming MESSAGE body (after the transport undid any Content-Encoding): plain
 * text, CPIM around text, isComposing or a receipt (RFC 3862, RFC 5438), or a receipt on its
 * own ("unwrapped", as Linphone sends them when it does not use CPIM). Never throws.
 */
export function classifyIncoming(contentType: string | undefined, body: string): Incoming {
  const type = mediaType(contentType)
  if (type === 'text/plain') return { kind: 'text', body, cpim: false }
  if (type === ISCOMPOSING_CONTENT_TYPE) return { kind: 'composing', body }
  if (type === IMDN_CONTENT_TYPE) return receipt(body, false)
  if (type !== CPIM_CONTENT_TYPE) return { kind: 'unsupported', type }
  let cpim
  try {
    cpim = parseCpim(body)
  } catch (error) {
    return { kind: 'malformed', reason: error instanceof CpimError ? error.message : String(error) }
  }
  const inner = cpim.contentType || 'text/plain'
  if (inner === ISCOMPOSING_CONTENT_TYPE) return { kind: 'composing', body: cpim.body }
  if (inner === IMDN_CONTENT_TYPE) return receipt(cpim.body, true)
  if (inner !== 'text/plain')
    return { kind: 'unsupported', type: `${CPIM_CONTENT_TYPE} (${inner})` }
  const writtenAt = cpimDateTime(cpim)
  const from = cpimAddress(cpimHeader(cpim, 'From'))?.uri
  const author =
    from && sipUriSchema.safeParse(normalizeAor(from)).success ? normalizeAor(from) : undefined
  const request = imdnRequestOf(cpim)
  return {
    kind: 'text',
    body: cpim.body,
    cpim: true,
    ...(writtenAt ? { writtenAt } : {}),
    ...(author ? { author } : {}),
    ...(request ? { request } : {})
  }
}

function receipt(xml: string, cpim: boolean): Incoming {
  try {
    return { kind: 'receipt', notification: parseImdn(xml), cpim }
  } catch (error) {
    return { kind: 'malformed', reason: error instanceof ImdnError ? error.message : String(error) }
  }
}

/** The state a receipt moves our message to, or null for one that says nothing we show. */
export function receiptState(n: ImdnNotification): ImState | null {
  if (n.kind === 'delivery') return n.status === 'delivered' ? 'delivered' : 'failed'
  if (n.kind === 'display') return n.status === 'displayed' ? 'displayed' : null
  return null
}

const outgoingOrder: readonly ImState[] = [
  'queued',
  'sending',
  'accepted',
  'delivered',
  'displayed'
]

/**
 * Whether an outgoing message in `from` may move to `to`: forward only, so a late 200 OK or a
 * delivery receipt arriving after the read receipt never moves it back, and nothing leaves a
 * final state except by a receipt (the peer's device has it after all). A retry may requeue a
 * message that is still on its way (`sending` → `queued`).
 */
export function outgoingMayMove(from: ImState, to: ImState): boolean {
  if (from === to) return false
  if (to === 'failed') return from !== 'delivered' && from !== 'displayed'
  if (from === 'failed') return to === 'delivered' || to === 'displayed' || to === 'sending'
  if (from === 'sending' && to === 'queued') return true
  const a = outgoingOrder.indexOf(from)
  const b = outgoingOrder.indexOf(to)
  return a >= 0 && b > a
}

/** A text message in CPIM asking for delivery and read receipts (RFC 5438 §6.1). */
export function cpimText(m: {
  from: string
  to: string
  messageId: string
  body: string
  now: Date
}): string {
  return buildCpim({
    from: m.from,
    to: m.to,
    dateTime: m.now,
    namespaces: { imdn: IMDN_NS },
    headers: [
      ['imdn.Message-ID', m.messageId],
      ['imdn.Disposition-Notification', 'positive-delivery, display']
    ],
    contentType: TEXT_CONTENT_TYPE,
    body: m.body
  })
}
