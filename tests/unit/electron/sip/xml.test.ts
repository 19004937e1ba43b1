import { describe, expect, it } from 'vitest'
import { escapeXml, parseXml, XmlError } from '../../../../electron/main/sip/xml'

const PIDF = 'urn:ietf:params:xml:ns:pidf'
/** `n` distinct short attributes (` a0=""`, ` a1=""`…): 26,000 of them fit in 207 KB. */
const attrs = (n: number, prefix = 'a') =>
  Array.from({ length: n }, (_, i) => ` ${prefix}${i.toString(36)}=""`).join('')

describe('parseXml', () => {
  it('resolves namespaces per scope and keeps attributes', () => {
    const root = parseXml('<a xmlns="u:1" xmlns:b="u:2" id="x"><b:c k=\'v\'/><d xmlns="u:3"/></a>')
    expect(root.ns).toBe('u:1')
    expect(root.attrs.get('id')).toBe('x')
    expect(root.children.map((c) => [c.ns, c.local])).toEqual([
      ['u:2', 'c'],
      ['u:3', 'd']
    ])
    expect(root.children[0]?.attrs.get('k')).toBe('v')
  })

  it('refuses duplicate attributes', () => {
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(XmlError)
  })

  it('refuses DOCTYPE, unknown entities, unbalanced tags and unbound prefixes', () => {
    for (const doc of [
      '<!DOCTYPE a><a/>',
      '<a>&nbsp;</a>',
      '<a><b></a></b>',
      '<p:a/>',
      '<a></a><b/>',
      '<a x=1/>'
    ]) {
      expect(() => parseXml(doc), doc).toThrow(XmlError)
    }
  })

  it('escapes markup characters and drops characters XML 1.0 forbids', () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0000\u0007ok\t`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;ok\t'
    )
  })

  it('still reads a realistic PIDF document with its namespaces and attributes', () => {
    const root = parseXml(
      `<?xml version="1.0" encoding="UTF-8"?><presence xmlns="${PIDF}" ` +
        `xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:bob@example.org">` +
        `<tuple id="t1"><status><basic>open</basic></status></tuple>` +
        `<rpid:person id="p1"><rpid:activities><rpid:busy/></rpid:activities></rpid:person>` +
        `</presence>`
    )
    expect(root.attrs.get('entity')).toBe('sip:bob@example.org')
    expect(root.children.map((c) => c.local)).toEqual(['tuple', 'person'])
  })
})

describe('parseXml refuses hostile documents instead of stalling on them', () => {
  it.each([
    ['26,000 attributes on one element (the reported 243 KB body)', `<presence${attrs(26_000)}/>`],
    ['65 attributes on one element', `<a${attrs(65)}/>`],
    [
      'thousands of attributes spread over elements',
      `<a>${Array.from({ length: 100 }, (_, i) => `<b${attrs(40, `x${i}_`)}/>`).join('')}</a>`
    ],
    ['nesting 100,000 deep', `${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`],
    ['a body over 256 KiB', `<a>${'x'.repeat(300 * 1024)}</a>`],
    [
      'a DOCTYPE with entities (billion laughs)',
      '<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><l>&b;</l>'
    ],
    ['an external entity', '<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>'],
    ['a tag that never ends', `<a b="${'x'.repeat(200_000)}`],
    ['2,001 elements', `<a>${'<b/>'.repeat(2_000)}</a>`],
    ['20,000 entity references', `<a>${'&amp;'.repeat(20_000)}</a>`]
  ])('%s', (_name, doc) => {
    expect(() => parseXml(doc)).toThrow(XmlError)
  })

  it('parses many namespace declarations over many elements (scopes are not copied)', () => {
    const decls = Array.from({ length: 60 }, (_, i) => ` xmlns:p${i}="u:${i}"`).join('')
    const root = parseXml(`<a${decls}>${'<p59:b/>'.repeat(1999)}</a>`)
    expect(root.children).toHaveLength(1999)
    expect(root.children[1998]).toMatchObject({ ns: 'u:59', local: 'b' })
  })

  it('names the limit it hit', () => {
    expect(() => parseXml(`<presence${attrs(26_000)}/>`)).toThrow(/too many attributes/)
  })

  it('resolves prefixes declared far up a deep tree', () => {
    const depth = 60
    const doc =
      `<r xmlns:p="u:p">` +
      Array.from({ length: depth }, (_, i) => `<p:e${i} xmlns:q${i}="u:${i}">`).join('') +
      `<q7:leaf p:k="v"/>` +
      Array.from({ length: depth }, (_, i) => `</p:e${depth - 1 - i}>`).join('') +
      `</r>`
    let node = parseXml(doc)
    for (let i = 0; i < depth; i++) node = node.children[0]!
    expect(node.children[0]).toMatchObject({ ns: 'u:7', local: 'leaf' })
    expect(node.children[0]?.attrs.get('{u:p}k')).toBe('v')
    expect(node.ns).toBe('u:p')
  })
})
