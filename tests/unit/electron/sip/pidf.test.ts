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

  it('publishes busy as <rpid:busy/> and never a misleading <rpid:other> (liblinphone reads it as "Moved")', () => {
    for (const state of states) expect(buildPidf('sip:a@b', state, 'n')).not.toContain('other')
    const busy = buildPidf('sip:a@b', 'busy')
    expect(busy).toContain('<basic>open</basic>')
    expect(busy).toContain('<rpid:activities><rpid:busy/></rpid:activities>')
  })

  it('publishes do-not-disturb as closed + busy and be-right-back as in-transit (README table)', () => {
    const dnd = buildPidf('sip:a@b', 'do-not-disturb', 'heads down')
    expect(dnd).toContain('<basic>closed</basic>')
    expect(dnd).toContain('<rpid:activities><rpid:busy/></rpid:activities>')
    expect(dnd).toContain('<note>heads down</note>')
    const brb = buildPidf('sip:a@b', 'be-right-back')
    expect(brb).toContain('<basic>open</basic>')
    expect(brb).toContain('<rpid:activities><rpid:in-transit/></rpid:activities>')
    expect(buildPidf('sip:a@b', 'away')).toContain('<rpid:away/>')
  })

  // Verbatim from linphonec 5.1 in the lab (linphone_core_set_consolidated_presence).
  const linphone = (basic: string, activity = '', note = '') =>
    `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:bob@lab.trustline.test" xmlns="urn:ietf:params:xml:ns:pidf">
 <tuple id="b0-8jx">
  <status>
   <basic>${basic}</basic>
  </status>
  <contact priority="0.5">sip:bob@127.0.0.1:45943;transport=tls</contact>
  ${note ? `<note>${note}</note>` : ''}
  <timestamp>2026-12-04T22:34:20Z</timestamp>
 </tuple>
 ${
   activity
     ? `<dm:person id="neniat">
  <rpid:activities>
   <rpid:${activity}/>
  </rpid:activities>
  <dm:timestamp>2026-12-04T22:34:20Z</dm:timestamp>
 </dm:person>`
     : ''
 }
</presence>`

  it.each([
    ['Online', linphone('open'), 'available'],
    // Linphone's Busy (consolidated): open + away. liblinphone's own detailed status reads it as
    // "Away", and so does every RFC 4480 reader: TrustLine shows away.
    ['Busy', linphone('open', 'away'), 'away'],
    ['Do not disturb', linphone('closed', 'away'), 'do-not-disturb'],
    ['Offline', linphone('closed'), 'offline'],
    ['Busy with a note', linphone('open', 'busy', 'In a meeting'), 'busy']
  ])('reads Linphone %s as it was meant', (_name, doc, state) => {
    expect(parsePidf(doc).state).toBe(state)
  })

  it('reads documents of earlier TrustLine versions (busy/away + <rpid:other>)', () => {
    const old = (basic: string, acts: string) =>
      `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"><tuple id="t1"><status><basic>${basic}</basic></status></tuple><dm:person id="p1"><rpid:activities>${acts}</rpid:activities></dm:person></presence>`
    expect(
      parsePidf(old('open', '<rpid:busy/><rpid:other>do-not-disturb</rpid:other>')).state
    ).toBe('do-not-disturb')
    expect(parsePidf(old('open', '<rpid:away/><rpid:other>be-right-back</rpid:other>')).state).toBe(
      'be-right-back'
    )
    expect(parsePidf(old('open', '<rpid:steering/>')).state).toBe('be-right-back')
    expect(parsePidf(old('closed', '<rpid:vacation/>')).state).toBe('do-not-disturb')
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
