import { describe, expect, it } from 'vitest'
import { buildPidf, parsePidf } from '../../../../electron/main/sip/pidf'
import type { OwnPresenceState } from '../../../../shared/types/presence'

const states: OwnPresenceState[] = [
  'available',
  'busy',
  'do-not-disturb',
  'be-right-back',
  'away',
  'offline'
]

describe('buildPidf / parsePidf', () => {
  it.each(states)('round-trips %s with and without a note', (state) => {
    expect(parsePidf(buildPidf('sip:alice@example.org', state))).toEqual({ state })
    const note = 'In a meeting <until> 3 & "later" — 日本 👋'
    expect(parsePidf(buildPidf('sip:alice@example.org', state, note))).toEqual({ state, note })
  })

  it('publishes appear-offline as basic closed with no activities', () => {
    const doc = buildPidf('sip:a@b', 'offline')
    expect(doc).toContain('<basic>closed</basic>')
    expect(doc).not.toContain('activities')
  })

  it('drops control characters that XML cannot carry', () => {
    expect(parsePidf(buildPidf('sip:a@b', 'busy', 'a\u0001b'))).toEqual({
      state: 'busy',
      note: 'ab'
    })
  })

  it('reads documents with other prefixes and default namespaces', () => {
    const doc = `<?xml version="1.0"?>
      <p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" entity="sip:bob@x">
        <p:tuple id="a"><p:status><p:basic>open</p:basic></p:status></p:tuple>
        <person xmlns="urn:ietf:params:xml:ns:pidf:data-model" id="x">
          <activities xmlns="urn:ietf:params:xml:ns:pidf:rpid"><on-the-phone/></activities>
          <note>On a call</note>
        </person>
      </p:presence>`
    expect(parsePidf(doc)).toEqual({ state: 'busy', note: 'On a call' })
  })

  it('reads activities placed inside a tuple status (older clients)', () => {
    const doc = `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid">
      <tuple id="t"><status><basic>open</basic><r:activities><r:away/></r:activities></status>
      <note xml:lang="en">gone fishing</note></tuple></presence>`
    expect(parsePidf(doc)).toEqual({ state: 'away', note: 'gone fishing' })
  })

  it('treats any open tuple as open, and all-closed as offline', () => {
    const two = (a: string, b: string) =>
      `<presence xmlns="urn:ietf:params:xml:ns:pidf"><tuple id="a"><status><basic>${a}</basic></status></tuple><tuple id="b"><status><basic>${b}</basic></status></tuple></presence>`
    expect(parsePidf(two('closed', 'open')).state).toBe('available')
    expect(parsePidf(two('closed', 'closed')).state).toBe('offline')
  })

  it('maps idle user input and meals', () => {
    const doc = (inner: string) =>
      `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"><tuple id="t"><status><basic>open</basic></status></tuple><dm:person id="p">${inner}</dm:person></presence>`
    expect(parsePidf(doc('<rpid:user-input>idle</rpid:user-input>')).state).toBe('away')
    expect(parsePidf(doc('<rpid:activities><rpid:lunch/></rpid:activities>')).state).toBe(
      'be-right-back'
    )
    expect(
      parsePidf(doc('<rpid:activities><rpid:other>DND</rpid:other></rpid:activities>')).state
    ).toBe('do-not-disturb')
  })

  it('reads CDATA notes and character references', () => {
    const doc = `<presence xmlns="urn:ietf:params:xml:ns:pidf"><tuple id="t"><status><basic>open</basic></status><note><![CDATA[<b>x</b>]]> &#x263A;&#9731;</note></tuple></presence>`
    expect(parsePidf(doc)).toEqual({ state: 'available', note: '<b>x</b> ☺☃' })
  })

  const malformed: Array<[string, string | undefined]> = [
    ['undefined', undefined],
    ['empty', ''],
    ['garbage', 'not xml at all'],
    ['truncated', '<presence xmlns="urn:ietf:params:xml:ns:pidf"><tuple id="t"><status><basic>op'],
    ['unbalanced', '<presence xmlns="urn:ietf:params:xml:ns:pidf"><tuple></status></presence>'],
    ['unknown entity', '<presence xmlns="urn:ietf:params:xml:ns:pidf">&foo;</presence>'],
    [
      'entity bomb',
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><presence xmlns="urn:ietf:params:xml:ns:pidf">&lol2;</presence>'
    ],
    ['unbound prefix', '<x:presence><x:tuple/></x:presence>'],
    ['foreign root', '<html><body>open</body></html>'],
    ['two roots', '<presence xmlns="urn:ietf:params:xml:ns:pidf"/><presence/>'],
    ['bad char ref', '<presence xmlns="urn:ietf:params:xml:ns:pidf">&#xD800;</presence>'],
    ['attribute without quotes', '<presence xmlns=urn:x></presence>'],
    ['deep nesting', '<a>'.repeat(500) + '</a>'.repeat(500)],
    ['huge', '<presence>' + 'x'.repeat(300_000) + '</presence>']
  ]
  it.each(malformed)('gives unknown for %s, never throws', (_name, body) => {
    expect(parsePidf(body)).toEqual({ state: 'unknown' })
  })
})
