/**
 * A small, strict, namespace-aware XML reader for presence documents.
 *
 * It reads what PIDF/RPID needs (elements, attributes, text, CDATA, comments, processing
 * instructions) and refuses the rest: a DOCTYPE (so no entity expansion, the "billion laughs"
 * family), unknown entities, unbalanced tags, unbound prefixes, too-deep or too-large input, too
 * many elements or attributes. Refusal is a thrown XmlError; callers turn it into an `unknown`
 * presence.
 *
 * Every step is linear in the input: each character is looked at a bounded number of times,
 * duplicate attributes are found with a set, and namespace scopes are chained, never copied per
 * element. A hostile body (26,000 attributes in 243 KB blocked the event loop 1.25 s before)
 * is refused at the first limit it crosses.
 */

/** An element with its resolved namespace. */
export interface XmlElement {
  /** Namespace URI, '' when none. */
  ns: string
  /** Local name without prefix. */
  local: string
  attrs: Map<string, string>
  children: XmlElement[]
  /** Concatenated character data directly inside this element. */
  text: string
}

/** Why a document was refused. */
export class XmlError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'XmlError'
  }
}

const MAX_LENGTH = 256 * 1024
const MAX_DEPTH = 64
/** A presence document has tens of elements; this is far more than any real one. */
const MAX_ELEMENTS = 2_000
/** Entity and character references per document (each is a small string operation). */
const MAX_REFERENCES = 10_000
/** A PIDF element has a handful; a root with every namespace declared a dozen or so. */
const MAX_ATTRIBUTES_PER_ELEMENT = 64
const MAX_ATTRIBUTES = 2_000
const nameRe = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/
const XML_NS = 'http://www.w3.org/XML/1998/namespace'

const entities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

/**
 * Replaces entity and character references. One pass with indexOf, no regex callback per
 * reference; a reference is at most 10 characters between `&` and `;` (anything else is kept as
 * text, as before).
 */
function decodeEntities(raw: string, budget: Budget): string {
  let amp = raw.indexOf('&')
  if (amp < 0) return raw
  let out = ''
  let from = 0
  while (amp >= 0) {
    if (--budget.references < 0) throw new XmlError('too many entity references')
    let end = amp + 1
    while (end < raw.length && end - amp <= 11 && !stopsReference(raw.charCodeAt(end))) end++
    if (raw.charCodeAt(end) === 0x3b && end > amp + 1) {
      out += raw.slice(from, amp) + reference(raw.slice(amp + 1, end))
      from = end + 1
    }
    amp = raw.indexOf('&', end)
  }
  return out + raw.slice(from)
}

/** `;`, `&` or XML white space: where a reference's name ends. */
function stopsReference(c: number): boolean {
  return c === 0x3b || c === 0x26 || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d
}

function reference(name: string): string {
  if (name.startsWith('#x') || name.startsWith('#X')) return codePoint(parseInt(name.slice(2), 16))
  if (name.startsWith('#')) return codePoint(parseInt(name.slice(1), 10))
  const value = entities[name]
  if (value === undefined) throw new XmlError(`unknown entity &${name};`)
  return value
}

function codePoint(n: number): string {
  if (!Number.isInteger(n) || n <= 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) {
    throw new XmlError('invalid character reference')
  }
  return String.fromCodePoint(n)
}

/** What a document may still use: attributes and references left. */
interface Budget {
  attributes: number
  references: number
}

/** Namespace bindings: an element's own declarations, chained to its parent's. */
interface Scope {
  own: Map<string, string> | null
  parent: Scope | null
}

const rootScope: Scope = { own: new Map([['xml', XML_NS]]), parent: null }

/** The namespace bound to `prefix` in `scope` (a walk up at most MAX_DEPTH levels). */
function lookup(scope: Scope, prefix: string): string | undefined {
  for (let s: Scope | null = scope; s; s = s.parent) {
    const ns = s.own?.get(prefix)
    if (ns !== undefined) return ns
  }
  return undefined
}

interface Open {
  qname: string
  element: XmlElement
  scope: Scope
}

/** Parses a document and returns its root element, or throws XmlError. */
export function parseXml(input: string): XmlElement {
  if (input.length > MAX_LENGTH) throw new XmlError('document too large')
  const src = input.replace(/^\uFEFF/, '')
  const stack: Open[] = []
  let root: XmlElement | null = null
  let count = 0
  const budget: Budget = { attributes: MAX_ATTRIBUTES, references: MAX_REFERENCES }
  let i = 0

  const addText = (text: string) => {
    const top = stack[stack.length - 1]
    if (top) top.element.text += text
    else if (text.trim() !== '') throw new XmlError('text outside the root element')
  }

  while (i < src.length) {
    const lt = src.indexOf('<', i)
    if (lt < 0) {
      addText(decodeEntities(src.slice(i), budget))
      break
    }
    if (lt > i) addText(decodeEntities(src.slice(i, lt), budget))
    if (src.startsWith('<!--', lt)) {
      const end = src.indexOf('-->', lt + 4)
      if (end < 0) throw new XmlError('unterminated comment')
      i = end + 3
    } else if (src.startsWith('<![CDATA[', lt)) {
      const end = src.indexOf(']]>', lt + 9)
      if (end < 0) throw new XmlError('unterminated CDATA section')
      if (!stack.length) throw new XmlError('CDATA outside the root element')
      addText(src.slice(lt + 9, end))
      i = end + 3
    } else if (src.startsWith('<?', lt)) {
      const end = src.indexOf('?>', lt + 2)
      if (end < 0) throw new XmlError('unterminated processing instruction')
      i = end + 2
    } else if (src.startsWith('<!', lt)) {
      throw new XmlError('DOCTYPE and declarations are not accepted in presence documents')
    } else if (src.startsWith('</', lt)) {
      const end = src.indexOf('>', lt)
      if (end < 0) throw new XmlError('unterminated end tag')
      const qname = src.slice(lt + 2, end).trim()
      const top = stack.pop()
      if (!top || top.qname !== qname) throw new XmlError(`unexpected </${qname.slice(0, 40)}>`)
      if (!stack.length) root = top.element
      i = end + 1
    } else {
      const end = findTagEnd(src, lt)
      let body = src.slice(lt + 1, end)
      const selfClosing = body.endsWith('/')
      if (selfClosing) body = body.slice(0, -1)
      if (root) throw new XmlError('content after the root element')
      if (stack.length >= MAX_DEPTH) throw new XmlError('document nested too deeply')
      if (++count > MAX_ELEMENTS) throw new XmlError('too many elements')
      const open = openElement(body, stack[stack.length - 1]?.scope ?? rootScope, budget)
      const parent = stack[stack.length - 1]
      if (parent) parent.element.children.push(open.element)
      if (selfClosing) {
        if (!parent) root = open.element
      } else {
        stack.push(open)
      }
      i = end + 1
    }
  }
  if (stack.length) throw new XmlError(`unclosed <${stack[stack.length - 1]?.qname ?? ''}>`)
  if (!root) throw new XmlError('no root element')
  return root
}

function findTagEnd(src: string, from: number): number {
  let quote: string | null = null
  for (let j = from + 1; j < src.length; j++) {
    const c = src[j]
    if (quote) {
      if (c === quote) quote = null
    } else if (c === '"' || c === "'") {
      quote = c
    } else if (c === '<') {
      throw new XmlError('"<" inside a tag')
    } else if (c === '>') {
      return j
    }
  }
  throw new XmlError('unterminated start tag')
}

const attrRe = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y
const spaceRe = /\s*/y
const xmlnsRe = /^xmlns(:[A-Za-z_][\w.-]*)?$/

function openElement(body: string, parent: Scope, budget: Budget): Open {
  const nameMatch = /^([^\s/>]+)/.exec(body)
  const qname = nameMatch?.[1] ?? ''
  if (!nameRe.test(qname))
    throw new XmlError(`invalid element name ${JSON.stringify(qname.slice(0, 40))}`)
  const attrsRaw: Array<[string, string]> = []
  const seen = new Set<string>()
  let pos = qname.length
  for (;;) {
    spaceRe.lastIndex = pos
    spaceRe.exec(body)
    pos = spaceRe.lastIndex
    if (pos >= body.length) break
    if (attrsRaw.length >= MAX_ATTRIBUTES_PER_ELEMENT || --budget.attributes < 0) {
      throw new XmlError(`too many attributes in <${qname.slice(0, 40)}>`)
    }
    attrRe.lastIndex = pos
    const m = attrRe.exec(body)
    if (!m) throw new XmlError(`malformed attributes in <${qname.slice(0, 40)}>`)
    const name = m[1] ?? ''
    if (!nameRe.test(name) && !xmlnsRe.test(name)) {
      throw new XmlError(`invalid attribute name ${JSON.stringify(name.slice(0, 40))}`)
    }
    if (seen.has(name)) throw new XmlError(`duplicate attribute ${name.slice(0, 40)}`)
    seen.add(name)
    const value = m[2] ?? m[3] ?? ''
    if (value.includes('<')) throw new XmlError('"<" in an attribute value')
    attrsRaw.push([name, decodeEntities(value, budget)])
    pos = attrRe.lastIndex
  }
  let own: Map<string, string> | null = null
  for (const [name, value] of attrsRaw) {
    if (name === 'xmlns') (own ??= new Map()).set('', value)
    else if (name.startsWith('xmlns:')) (own ??= new Map()).set(name.slice(6), value)
  }
  const scope: Scope = own ? { own, parent } : parent
  const attrs = new Map<string, string>()
  for (const [name, value] of attrsRaw) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue
    const colon = name.indexOf(':')
    // Unprefixed attributes have no namespace (Namespaces in XML §6.2); keep their local name.
    if (colon < 0) attrs.set(name, value)
    else {
      const ns = lookup(scope, name.slice(0, colon))
      if (ns === undefined) throw new XmlError(`unbound prefix in attribute ${name}`)
      attrs.set(`{${ns}}${name.slice(colon + 1)}`, value)
    }
  }
  const colon = qname.indexOf(':')
  const prefix = colon < 0 ? '' : qname.slice(0, colon)
  const ns = lookup(scope, prefix)
  if (ns === undefined && prefix !== '') throw new XmlError(`unbound prefix ${prefix}`)
  const element: XmlElement = {
    ns: ns ?? '',
    local: colon < 0 ? qname : qname.slice(colon + 1),
    attrs,
    children: [],
    text: ''
  }
  return { qname, element, scope }
}

/** Escapes text for element content and attribute values. */
export function escapeXml(text: string): string {
  // Control characters are not allowed in XML 1.0 at all, escaped or not (XML §2.2).
  return Array.from(text)
    .filter((c) => {
      const n = c.charCodeAt(0)
      return !((n < 0x20 && n !== 0x09 && n !== 0x0a && n !== 0x0d) || n === 0xfffe || n === 0xffff)
    })
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}
