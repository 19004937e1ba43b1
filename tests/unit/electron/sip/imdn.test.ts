import { describe, expect, it } from 'vitest'
import { parseCpim } from '../../../../electron/main/sip/cpim'
import {
  buildImdn,
  buildImdnCpim,
  imdnRequestOf,
  ImdnError,
  parseDispositions,
  parseImdn
} from '../../../../electron/main/sip/imdn'

// Verbatim from linphonec 5.1 in the lab (after inflating its Content-Encoding: deflate).
const delivered =
  '<?xml version="1.0" encoding="UTF-8" standalone="no" ?><imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>78591ff259070910a686</message-id><datetime>2026-12-04T22:40:00Z</datetime><delivery-notification><status><delivered/></status></delivery-notification></imdn>'
const displayedInCpim =
  'From: <sip:bob@lab.trustline.test>\r\nTo: <sip:alice@lab.trustline.test>\r\nDateTime: 2026-12-04T22:40:03Z\r\n\r\n' +
  'Content-Disposition: notification\r\nContent-Type: message/imdn+xml\r\nContent-Length: 264\r\n\r\n' +
  '<?xml version="1.0" encoding="UTF-8" standalone="no" ?><imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>296273ea9d981c4ef738</message-id><datetime>2026-12-04T22:40:03Z</datetime><display-notification><status><displayed/></status></display-notification></imdn>'

describe('parseImdn', () => {
  it('reads Linphone delivery and display receipts, unwrapped and in CPIM', () => {
    expect(parseImdn(delivered)).toEqual({
      messageId: '78591ff259070910a686',
      kind: 'delivery',
      status: 'delivered',
      dateTime: '2026-12-04T22:40:00.000Z'
    })
    const cpim = parseCpim(displayedInCpim)
    expect(cpim.contentType).toBe('message/imdn+xml')
    expect(parseImdn(cpim.body)).toMatchObject({
      messageId: '296273ea9d981c4ef738',
      kind: 'display',
      status: 'displayed'
    })
  })

  it('reads failures and documents without a namespace', () => {
    expect(
      parseImdn(
        '<imdn><message-id>x</message-id><delivery-notification><status><failed/></status></delivery-notification></imdn>'
      )
    ).toEqual({ messageId: 'x', kind: 'delivery', status: 'failed' })
  })

  it.each([
    ['not XML', 'delivered!'],
    ['another document', '<presence xmlns="urn:ietf:params:xml:ns:pidf"/>'],
    [
      'no message-id',
      '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><display-notification><status><displayed/></status></display-notification></imdn>'
    ],
    [
      'no notification',
      '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>x</message-id></imdn>'
    ],
    [
      'an unknown status',
      '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>x</message-id><display-notification><status><delivered/></status></display-notification></imdn>'
    ],
    ['an entity bomb', '<!DOCTYPE x [<!ENTITY a "a">]><imdn>&a;</imdn>']
  ])('refuses %s with an ImdnError', (_name, xml) => {
    expect(() => parseImdn(xml)).toThrow(ImdnError)
  })
})

describe('requests and notifications we build', () => {
  it('reads the request of a Linphone CPIM message', () => {
    const m = parseCpim(
      'NS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: LfI1\r\nimdn.Disposition-Notification: positive-delivery, negative-delivery, display\r\n\r\nContent-Type: text/plain\r\n\r\nhi'
    )
    const request = imdnRequestOf(m)
    expect(request?.messageId).toBe('LfI1')
    expect([...(request?.dispositions ?? [])]).toEqual([
      'positive-delivery',
      'negative-delivery',
      'display'
    ])
    expect(
      imdnRequestOf(parseCpim('From: <sip:a@b>\r\n\r\nContent-Type: text/plain\r\n\r\nhi'))
    ).toBeNull()
    expect([...parseDispositions(' Display ,bogus,, processing')]).toEqual([
      'display',
      'processing'
    ])
  })

  it('builds a display notification in CPIM that parses back, asking for nothing itself', () => {
    const body = buildImdnCpim({
      from: 'sip:bob@x.org',
      to: 'sip:alice@x.org',
      notificationId: 'n1',
      now: new Date('2026-01-01T00:00:01Z'),
      messageId: 'LfI1',
      dateTime: new Date('2026-01-01T00:00:00Z'),
      recipientUri: 'sip:bob@x.org',
      kind: 'display',
      status: 'displayed'
    })
    const cpim = parseCpim(body)
    expect(cpim.contentType).toBe('message/imdn+xml')
    expect(cpim.contentHeaders).toContainEqual(['Content-Disposition', 'notification'])
    expect(imdnRequestOf(cpim)).toBeNull()
    expect(parseImdn(cpim.body)).toEqual({
      messageId: 'LfI1',
      kind: 'display',
      status: 'displayed',
      dateTime: '2026-01-01T00:00:00.000Z'
    })
  })

  it('escapes what it puts into the document', () => {
    const xml = buildImdn({
      messageId: 'a<b&c',
      dateTime: new Date(0),
      kind: 'delivery',
      status: 'delivered'
    })
    expect(parseImdn(xml).messageId).toBe('a<b&c')
  })
})
