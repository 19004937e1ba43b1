/**
 * A small, strict, namespace-aware XML reader for presence documents.
 *
 * It reads what PIDF/RPID needs (elements, attributes, text, CDATA, comments, processing
 * instructions) and refuses the rest: a DOCTYPE (so no entity expansion, the "billion laughs"
 * family), unknown entities, unbalanced tags, unbound prefixes, too-deep or too-large input.
 * Refusal is a thrown XmlError; callers turn it into an `unknown` presence.
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
const MAX_ELEMENTS = 10_000
const nameRe = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/
const XML_NS = 'http://www.w3.org/XML/1998/namespace'

const entities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

function decodeEntities(raw: string): string {
  return raw.replace(/&([^;&\s]{1,10});/g, (_m, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return codePoint(parseInt(name.slice(2), 16))
    if (name.startsWith('#')) return codePoint(parseInt(name.slice(1), 10))
    const value = entities[name]
    if (value === undefined) throw new XmlError(`unknown entity &${name};`)
    return value
  })
}

function codePoint(n: number): string {
  if (!Number.isInteger(n) || n <= 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) {
    throw new XmlError('invalid character reference')
  }
  return String.fromCodePoint(n)
}

interface Open {
  qname: string
  element: XmlElement
  scope: Map<string, string>
  attrsRaw: Array<[string, string]>
}

/** Parses a document and returns its root element, or throws XmlError. */
export function parseXml(input: string): XmlElement {
  if (input.length > MAX_LENGTH) throw new XmlError('document too large')
  const src = input.replace(/^\uFEFF/, '')
  const stack: Open[] = []
  let root: XmlElement | null = null
  let count = 0
  let i = 0

  const addText = (text: string) => {
    const top = stack[stack.length - 1]
    if (top) top.element.text += text
    else if (text.trim() !== '') throw new XmlError('text outside the root element')
  }

  while (i < src.length) {
    const lt = src.indexOf('<', i)
    if (lt < 0) {
      addText(decodeEntities(src.slice(i)))
      break
    }
    if (lt > i) addText(decodeEntities(src.slice(i, lt)))
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
      const open = openElement(body, stack[stack.length - 1]?.scope)
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

const attrRe = /\s*([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y

function openElement(body: string, parentScope: Map<string, string> | undefined): Open {
  const nameMatch = /^([^\s/>]+)/.exec(body)
  const qname = nameMatch?.[1] ?? ''
  if (!nameRe.test(qname))
    throw new XmlError(`invalid element name ${JSON.stringify(qname.slice(0, 40))}`)
  const attrsRaw: Array<[string, string]> = []
  const rest = body.slice(qname.length)
  let pos = 0
  while (rest.slice(pos).trim() !== '') {
    attrRe.lastIndex = pos
    const m = attrRe.exec(rest)
    if (!m) throw new XmlError(`malformed attributes in <${qname}>`)
    const name = m[1] ?? ''
    if (!nameRe.test(name) && !/^xmlns(:[A-Za-z_][\w.-]*)?$/.test(name)) {
      throw new XmlError(`invalid attribute name ${JSON.stringify(name.slice(0, 40))}`)
    }
    if (attrsRaw.some(([n]) => n === name)) throw new XmlError(`duplicate attribute ${name}`)
    if ((m[2] ?? m[3] ?? '').includes('<')) throw new XmlError('"<" in an attribute value')
    attrsRaw.push([name, decodeEntities(m[2] ?? m[3] ?? '')])
    pos = attrRe.lastIndex
  }
  const scope = new Map(parentScope ?? [['xml', XML_NS]])
  for (const [name, value] of attrsRaw) {
    if (name === 'xmlns') scope.set('', value)
    else if (name.startsWith('xmlns:')) scope.set(name.slice(6), value)
  }
  const attrs = new Map<string, string>()
  for (const [name, value] of attrsRaw) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue
    const colon = name.indexOf(':')
    // Unprefixed attributes have no namespace (Namespaces in XML §6.2); keep their local name.
    if (colon < 0) attrs.set(name, value)
    else {
      const ns = scope.get(name.slice(0, colon))
      if (ns === undefined) throw new XmlError(`unbound prefix in attribute ${name}`)
      attrs.set(`{${ns}}${name.slice(colon + 1)}`, value)
    }
  }
  const colon = qname.indexOf(':')
  const prefix = colon < 0 ? '' : qname.slice(0, colon)
  const ns = scope.get(prefix)
  if (ns === undefined && prefix !== '') throw new XmlError(`unbound prefix ${prefix}`)
  const element: XmlElement = {
    ns: ns ?? '',
    local: colon < 0 ? qname : qname.slice(colon + 1),
    attrs,
    children: [],
    text: ''
  }
  return { qname, element, scope, attrsRaw }
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
