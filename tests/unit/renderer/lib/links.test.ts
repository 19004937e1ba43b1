import { describe, expect, it } from 'vitest'
import { linkSegments } from '../../../../renderer/src/lib/links'

describe('linkSegments', () => {
  it('finds https addresses and leaves the rest as text, losing nothing', () => {
    const text =
      'see https://example.org/a?b=1#c, then (https://x.example/p) and https://y.example.'
    const segments = linkSegments(text)
    expect(segments).toEqual([
      { text: 'see ' },
      { url: 'https://example.org/a?b=1#c' },
      { text: ', then (' },
      { url: 'https://x.example/p' },
      { text: ') and ' },
      { url: 'https://y.example' },
      { text: '.' }
    ])
    expect(segments.map((s) => ('url' in s ? s.url : s.text)).join('')).toBe(text)
  })

  it('keeps brackets that belong to the address', () => {
    expect(linkSegments('https://en.wikipedia.org/wiki/SIP_(protocol)')).toEqual([
      { url: 'https://en.wikipedia.org/wiki/SIP_(protocol)' }
    ])
  })

  it.each([
    'http://example.org/',
    'javascript:alert(1)',
    'ftp://example.org/',
    'https://user:pw@example.org/',
    'file:///etc/passwd',
    'data:text/html,<b>x</b>'
  ])('never makes %s clickable', (text) => {
    expect(linkSegments(text)).toEqual([{ text }])
  })

  it('links only what the desktop app would open (shared/links/external-url)', () => {
    expect(linkSegments('https://example.org')).toEqual([{ url: 'https://example.org' }])
    expect(linkSegments('https://a@example.org')).toEqual([{ text: 'https://a@example.org' }])
    expect(linkSegments('https://')).toEqual([{ text: 'https://' }])
  })
})
