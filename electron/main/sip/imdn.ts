import { buildCpim, cpimHeader, type CpimMessage } from './cpim'
import { escapeXml, parseXml, type XmlElement } from './xml'

/**
 * Instant Message Disposition Notification (IMDN, RFC 5438): the requests a sender puts into a
 * CPIM message (`imdn.Message-ID`, `imdn.Disposition-Notification`) and the `message/imdn+xml`
 * documents that answer them — "delivered to the device", "displayed to the user".
 *
 * What real clients send, seen in the lab with Linphone 5.1: receipts for plain text/plain
 * messages too (their `<message-id>` is the MESSAGE's Call-ID), wrapped in CPIM or not
 * ("unwrapped"), without `NS: imdn` in the wrapper, and deflate-compressed
 * (`Content-Encoding: deflate`, undone by the transport before anything here sees the body).
 */

/** Namespace of the CPIM headers of IMDN (RFC 5438 §10.1). */
export const IMDN_NS = 'urn:ietf:params:imdn'
/** Namespace of the notification document (RFC 5438 §10.2). */
export const IMDN_XML_NS = 'urn:ietf:params:xml:ns:imdn'
/** Content type of a notification (RFC 5438 §10.3). */
export const IMDN_CONTENT_TYPE = 'message/imdn+xml'

/** The notifications a sender may ask for (RFC 5438 §6.2). */
export type Disposition = 'positive-delivery' | 'negative-delivery' | 'processing' | 'display'
const DISPOSITIONS: readonly Disposition[] = [
  'positive-delivery',
  'negative-delivery',
  'processing',
  'display'
]

/** What a received CPIM message asks for. */
export interface ImdnRequest {
  /** The sender's Message-ID, echoed in our notifications. */
  messageId: string
  dispositions: ReadonlySet<Disposition>
}

/** The kind of a notification and its status (RFC 5438 §7.2). */
export type ImdnStatus =
  | { kind: 'delivery'; status: 'delivered' | 'failed' | 'forbidden' | 'error' }
  | { kind: 'display'; status: 'displayed' | 'forbidden' | 'error' }
  | { kind: 'processing'; status: 'processed' | 'stored' | 'forbidden' | 'error' }

/** A received notification. */
export type ImdnNotification = ImdnStatus & {
  /** The Message-ID of the message it is about. */
  messageId: string
  /** When that message was sent, as the notification says (ISO), if it does. */
  dateTime?: string
}

/** Why a notification document was refused. */
export class ImdnError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ImdnError'
  }
}

/** The dispositions in an `imdn.Disposition-Notification` value; unknown tokens are ignored. */
export function parseDispositions(value: string | undefined): Set<Disposition> {
  const out = new Set<Disposition>()
  for (const token of (value ?? '').split(',')) {
    const t = token.trim().toLowerCase() as Disposition
    if (DISPOSITIONS.includes(t)) out.add(t)
  }
  return out
}

/** The IMDN request in a received CPIM message, or null when it asks for none. */
export function imdnRequestOf(message: CpimMessage): ImdnRequest | null {
  const messageId = cpimHeader(message, 'Message-ID', IMDN_NS)?.trim()
  const dispositions = parseDispositions(cpimHeader(message, 'Disposition-Notification', IMDN_NS))
  if (!messageId || !dispositions.size) return null
  return { messageId, dispositions }
}

const statusByKind: Record<ImdnStatus['kind'], readonly string[]> = {
  delivery: ['delivered', 'failed', 'forbidden', 'error'],
  display: ['displayed', 'forbidden', 'error'],
  processing: ['processed', 'stored', 'forbidden', 'error']
}

/** Reads a `message/imdn+xml` document; throws ImdnError when it is not one. */
export function parseImdn(xml: string): ImdnNotification {
  let root: XmlElement
  try {
    root = parseXml(xml)
  } catch (error) {
    throw new ImdnError(`not XML: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (root.local !== 'imdn' || (root.ns !== IMDN_XML_NS && root.ns !== '')) {
    throw new ImdnError(`not an IMDN document (root <${root.local.slice(0, 40)}>)`)
  }
  const child = (el: XmlElement, local: string) => el.children.find((c) => c.local === local)
  const messageId = child(root, 'message-id')?.text.trim()
  if (!messageId) throw new ImdnError('IMDN without <message-id>')
  for (const kind of ['delivery', 'display', 'processing'] as const) {
    const notification = child(root, `${kind}-notification`)
    if (!notification) continue
    const status = child(notification, 'status')?.children.find((c) =>
      statusByKind[kind].includes(c.local)
    )?.local
    if (!status) throw new ImdnError(`${kind} notification without a known status`)
    const raw = child(root, 'datetime')?.text.trim()
    const ms = raw ? Date.parse(raw) : NaN
    return {
      messageId,
      kind,
      status,
      ...(Number.isFinite(ms) ? { dateTime: new Date(ms).toISOString() } : {})
    } as ImdnNotification
  }
  throw new ImdnError('IMDN without a delivery, display or processing notification')
}

/** What goes into a notification we send. */
export type ImdnBuild = ImdnStatus & {
  /** The Message-ID of the message it answers. */
  messageId: string
  /** When that message was sent (its CPIM DateTime), or when we got it. */
  dateTime: Date
  /** Our own address, the recipient (RFC 5438 §7.2.1.2). */
  recipientUri?: string
}

/** A `message/imdn+xml` document (RFC 5438 §7.2). */
export function buildImdn(n: ImdnBuild): string {
  const recipient = n.recipientUri
    ? `<recipient-uri>${escapeXml(n.recipientUri)}</recipient-uri>` +
      `<original-recipient-uri>${escapeXml(n.recipientUri)}</original-recipient-uri>`
    : ''
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    `<imdn xmlns="${IMDN_XML_NS}">` +
    `<message-id>${escapeXml(n.messageId)}</message-id>` +
    `<datetime>${n.dateTime.toISOString().replace(/\.\d{3}Z$/, 'Z')}</datetime>` +
    recipient +
    `<${n.kind}-notification><status><${n.status}/></status></${n.kind}-notification>` +
    '</imdn>\r\n'
  )
}

/**
 * A notification as the MESSAGE body Linphone expects: the IMDN document in CPIM with its own
 * Message-ID and `Content-Disposition: notification` (RFC 5438 §7.1.1). It asks for no
 * notification itself (§6.2).
 */
export function buildImdnCpim(
  n: ImdnBuild & { from: string; to: string; notificationId: string; now: Date }
): string {
  return buildCpim({
    from: n.from,
    to: n.to,
    dateTime: n.now,
    namespaces: { imdn: IMDN_NS },
    headers: [['imdn.Message-ID', n.notificationId]],
    contentType: `${IMDN_CONTENT_TYPE}`,
    contentHeaders: [['Content-Disposition', 'notification']],
    body: buildImdn(n)
  })
}
