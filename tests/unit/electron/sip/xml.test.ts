import { describe, expect, it } from 'vitest'
import { escapeXml, parseXml, XmlError } from '../../../../electron/main/sip/xml'

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
})
