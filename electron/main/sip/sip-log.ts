import type { SipLogEntry } from '../../../shared/types/sip-log'
import { classifyIncoming } from './receipts'

/** How many messages the log keeps (oldest dropped first). */
export const SIP_LOG_LIMIT = 2000

/** Bodies that are the user's own words, never shown to a helpdesk. */
const PRIVATE_BODIES = /^(text\/|message\/cpim|application\/im-iscomposing\+xml)/i

/**
 * Digest headers both ways (RFC 3261 §22, RFC 8760): our answers, and the server's challenges
 * and Authentication-Info, whose nonces would let a reader of the log replay or pre-compute.
 */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'www-authenticate',
  'proxy-authenticate',
  'authentication-info',
  'proxy-authentication-info'
])

/**
 * Removes the digest response, the nonces and the opaque value from a digest header, keeping
 * what the helpdesk needs (scheme, username, realm, uri, algorithm, qop).
 */
export function redactAuthorization(value: string): string {
  return value.replace(
    /\b(response|rspauth|cnonce|nextnonce|nonce|opaque)\s*=\s*("[^"]*"|[^,\s]+)/gi,
    '$1="[redacted]"'
  )
}

/** Presence documents (PIDF, RPID, and RLS notifications that bundle them). */
const PRESENCE_BODIES = /^(application\/(pidf|xpidf|pidf-diff)\+xml|multipart\/related)/i

/**
 * Removes the personal notes from a presence document (RFC 3863 `<note>`, RPID and data-model
 * notes with any prefix), keeping its structure: status, activities and tuples still show what
 * the helpdesk needs to debug presence.
 */
export function redactPresenceNotes(body: string): string {
  return body.replace(
    /(<(?:[\w.-]+:)?note\b[^>]*>)[\s\S]*?(<\/(?:[\w.-]+:)?note\s*>)/gi,
    '$1[redacted]$2'
  )
}

/** Parses one SIP message into a log entry, redacting secrets and message text. */
export function toLogEntry(
  id: number,
  direction: 'out' | 'in',
  text: string,
  at: Date = new Date()
): SipLogEntry {
  const split = text.indexOf('\r\n\r\n')
  const head = split >= 0 ? text.slice(0, split) : text
  const rawBody = split >= 0 ? text.slice(split + 4) : ''
  const [startLine = '', ...lines] = head.split(/\r\n/)
  const headers: SipLogEntry['headers'] = []
  for (const line of lines) {
    // Folded header lines (RFC 3261 §7.3.1) continue the previous value.
    if (/^[ \t]/.test(line) && headers.length) {
      headers[headers.length - 1]!.value += ` ${line.trim()}`
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim()
    const value = line.slice(colon + 1).trim()
    headers.push({
      name,
      value: SECRET_HEADERS.has(name.toLowerCase()) ? redactAuthorization(value) : value
    })
  }
  const header = (...names: string[]) =>
    headers.find((h) => names.includes(h.name.toLowerCase()))?.value ?? null
  const cseq = header('cseq')
  const response = /^SIP\/2\.0\s+(\d{3})/.exec(startLine)
  const method = response ? (cseq?.split(/\s+/)[1] ?? '') : (startLine.split(' ')[0] ?? '')
  const contentType = header('content-type', 'c') ?? ''
  // What a MESSAGE carries, for the ladder: a receipt (no words of the user in it, so its body
  // is shown) or text that asks for receipts.
  const carried =
    !response && method === 'MESSAGE' && rawBody ? classifyIncoming(contentType, rawBody) : null
  const receipt = carried?.kind === 'receipt' ? carried.notification : undefined
  const requested = carried?.kind === 'text' ? carried.request?.dispositions : undefined
  const isPrivate =
    rawBody.length > 0 && !receipt && (method === 'MESSAGE' || PRIVATE_BODIES.test(contentType))
  const body = isPrivate
    ? ''
    : PRESENCE_BODIES.test(contentType)
      ? redactPresenceNotes(rawBody)
      : rawBody
  return {
    id,
    at: at.toISOString(),
    direction,
    startLine,
    method,
    status: response ? Number(response[1]) : null,
    callId: header('call-id', 'i'),
    cseq,
    headers,
    body,
    bodyRedacted: body !== rawBody,
    ...(isPrivate ? { withheldBytes: Buffer.byteLength(rawBody, 'utf8') } : {}),
    ...(receipt
      ? { receipt: { kind: receipt.kind, status: receipt.status, messageId: receipt.messageId } }
      : {}),
    ...(requested?.size ? { receiptsRequested: [...requested] } : {})
  }
}

/** The last SIP_LOG_LIMIT messages, for the ladder view and the helpdesk report. */
export class SipLog {
  #entries: SipLogEntry[] = []
  #next = 1

  constructor(private readonly onAppend: (entry: SipLogEntry) => void = () => undefined) {}

  add(direction: 'out' | 'in', text: string): SipLogEntry {
    const entry = toLogEntry(this.#next++, direction, text)
    this.#entries.push(entry)
    if (this.#entries.length > SIP_LOG_LIMIT)
      this.#entries.splice(0, this.#entries.length - SIP_LOG_LIMIT)
    this.onAppend(entry)
    return entry
  }

  list(): SipLogEntry[] {
    return [...this.#entries]
  }

  clear(): void {
    this.#entries = []
  }
}
