/**
 * Common Presence and Instant Messaging message format (CPIM, RFC 3862): the `message/cpim`
 * wrapper that carries a message's own From/To/DateTime and, through namespaced headers such as
 * `imdn.Message-ID`, requests for delivery and read receipts (RFC 5438).
 *
 *   From: <sip:alice@example.org>              ← message headers (RFC 3862 §3.1, §5)
 *   NS: imdn <urn:ietf:params:imdn>
 *   imdn.Message-ID: 34jk324j
 *                                              ← empty line
 *   Content-Type: text/plain;charset=utf-8     ← MIME headers of the content (§3.2)
 *                                              ← empty line
 *   Hello                                      ← the content
 *
 * The parser is strict about structure (two header blocks, `Name: value` lines, declared
 * prefixes) and lenient about what clients really send: LF instead of CRLF, a missing or wrong
 * inner Content-Length, header names in another case. A message that does not have that shape
 * is refused with a CpimError; nothing of it is shown raw.
 */

/** Content type of a CPIM message (RFC 3862 §6). */
export const CPIM_CONTENT_TYPE = 'message/cpim'

/** Why a CPIM body was refused. */
export class CpimError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CpimError'
  }
}

/** One message header; `ns` is the namespace URN of its prefix, '' for the core headers. */
export interface CpimHeader {
  ns: string
  name: string
  value: string
}

/** A parsed CPIM message. */
export interface CpimMessage {
  /** Message headers in order, prefixes resolved (NS declarations themselves included). */
  headers: CpimHeader[]
  /** MIME headers of the content, names as sent. */
  contentHeaders: Array<[string, string]>
  /** The content's media type, lower case, without parameters ('' when absent). */
  contentType: string
  /** The content (UTF-8 text). */
  body: string
}

const MAX_HEADERS = 64
const MAX_LINE = 8 * 1024
const headerRe = /^([A-Za-z0-9!#$%&'*+\-.^_`|~]+):[ \t]*(.*)$/
const nsRe = /^(?:([A-Za-z0-9!#$%&'*+\-^_`|~]+)[ \t]+)?<([^<>\s]+)>$/

/** Well-known prefix Linphone and others use without always declaring it. */
const IMPLIED_NS: Record<string, string> = { imdn: 'urn:ietf:params:imdn' }

/** Parses a `message/cpim` body; throws CpimError when it is not one. */
export function parseCpim(text: string): CpimMessage {
  const src = text.replace(/^\uFEFF/, '')
  const [messageBlock, afterMessage] = splitBlock(src, 'message headers')
  const [contentBlock, body] = splitBlock(afterMessage, 'content headers')

  const prefixes = new Map<string, string>()
  const headers: CpimHeader[] = []
  for (const [name, value] of headerLines(messageBlock, 'message')) {
    if (name.toLowerCase() === 'ns') {
      const m = nsRe.exec(value.trim())
      if (!m) throw new CpimError(`malformed NS header ${JSON.stringify(value.slice(0, 80))}`)
      prefixes.set((m[1] ?? '').toLowerCase(), m[2]!)
      headers.push({ ns: '', name: 'NS', value: value.trim() })
      continue
    }
    const dot = name.indexOf('.')
    if (dot < 0) {
      headers.push({ ns: '', name, value })
      continue
    }
    const prefix = name.slice(0, dot).toLowerCase()
    const ns = prefixes.get(prefix) ?? IMPLIED_NS[prefix]
    if (!ns) throw new CpimError(`header ${name.slice(0, 60)} uses an undeclared prefix`)
    headers.push({ ns, name: name.slice(dot + 1), value })
  }

  const contentHeaders = headerLines(contentBlock, 'content')
  const contentType = (contentHeaders.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase()
  const lengthValue = contentHeaders.find(([n]) => n.toLowerCase() === 'content-length')?.[1]
  return { headers, contentHeaders, contentType, body: contentOf(body, lengthValue) }
}

/** A message header's value (names compare case-insensitively; `ns` '' for core headers). */
export function cpimHeader(message: CpimMessage, name: string, ns = ''): string | undefined {
  const lower = name.toLowerCase()
  return message.headers.find((h) => h.ns === ns && h.name.toLowerCase() === lower)?.value
}

/** The URI and display name in a CPIM From or To value (`Alice <sip:alice@x>`, RFC 3862 §3.3). */
export function cpimAddress(value: string | undefined): { uri: string; name?: string } | undefined {
  const m = /^\s*(?:"?([^"<]*?)"?\s*)?<([^<>\s]+)>\s*$/.exec(value ?? '')
  if (!m) return undefined
  const name = m[1]?.trim()
  return name ? { uri: m[2]!, name } : { uri: m[2]! }
}

/** The DateTime header as an ISO timestamp, or undefined when absent or not RFC 3339. */
export function cpimDateTime(message: CpimMessage): string | undefined {
  const raw = cpimHeader(message, 'DateTime')?.trim()
  if (
    !raw ||
    !/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/.test(raw)
  )
    return undefined
  const ms = Date.parse(raw)
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined
}

/** What goes into a CPIM message we send. */
export interface CpimBuild {
  from?: string
  to?: string
  /** When the message was written (RFC 3339, UTC). */
  dateTime?: Date
  /** Namespaced headers: prefix → URN, and the headers as `prefix.Name`. */
  namespaces?: Record<string, string>
  headers?: Array<[string, string]>
  /** Content type with parameters, e.g. `text/plain;charset=UTF-8`. */
  contentType: string
  /** Further MIME headers of the content (Content-Disposition, …). */
  contentHeaders?: Array<[string, string]>
  body: string
}

/** Builds a `message/cpim` body (CRLF line ends, content length in bytes). */
export function buildCpim(m: CpimBuild): string {
  const lines: string[] = []
  const line = (name: string, value: string) => {
    if (/[\r\n]/.test(name + value)) throw new CpimError(`line break in CPIM header ${name}`)
    lines.push(`${name}: ${value}`)
  }
  if (m.from) line('From', `<${m.from}>`)
  if (m.to) line('To', `<${m.to}>`)
  if (m.dateTime) line('DateTime', m.dateTime.toISOString().replace(/\.\d{3}Z$/, 'Z'))
  for (const [prefix, urn] of Object.entries(m.namespaces ?? {})) line('NS', `${prefix} <${urn}>`)
  for (const [name, value] of m.headers ?? []) line(name, value)
  lines.push('')
  line('Content-Type', m.contentType)
  for (const [name, value] of m.contentHeaders ?? []) line(name, value)
  line('Content-Length', String(Buffer.byteLength(m.body, 'utf8')))
  lines.push('')
  return `${lines.join('\r\n')}\r\n${m.body}`
}

function splitBlock(text: string, what: string): [string, string] {
  const m = /\r?\n\r?\n/.exec(text)
  if (!m) throw new CpimError(`no empty line after the ${what}`)
  return [text.slice(0, m.index), text.slice(m.index + m[0].length)]
}

function headerLines(block: string, what: string): Array<[string, string]> {
  const out: Array<[string, string]> = []
  if (!block.trim()) {
    if (what === 'message') throw new CpimError('no message headers')
    return out
  }
  for (const raw of block.split(/\r?\n/)) {
    if (raw.length > MAX_LINE) throw new CpimError(`${what} header line too long`)
    // Folded continuation lines (RFC 3862 §3.1 forbids them, some MIME writers still fold).
    if (/^[ \t]/.test(raw) && out.length) {
      out[out.length - 1]![1] += ` ${raw.trim()}`
      continue
    }
    const m = headerRe.exec(raw)
    if (!m) throw new CpimError(`malformed ${what} header ${JSON.stringify(raw.slice(0, 80))}`)
    if (out.length >= MAX_HEADERS) throw new CpimError(`too many ${what} headers`)
    out.push([m[1]!, m[2]!.trim()])
  }
  return out
}

function contentOf(rest: string, lengthValue: string | undefined): string {
  const declared = lengthValue?.trim() ?? ''
  if (!/^\d{1,9}$/.test(declared)) return rest
  const bytes = Buffer.from(rest, 'utf8')
  const n = Number(declared)
  // A Content-Length larger than what came is a client's mistake: keep everything that did.
  return n < bytes.length ? bytes.subarray(0, n).toString('utf8') : rest
}
