import { describe, expect, it } from 'vitest'
import {
  buildCpim,
  cpimAddress,
  cpimDateTime,
  cpimHeader,
  CpimError,
  parseCpim
} from '../../../../electron/main/sip/cpim'

// Verbatim from linphonec 5.1 in the lab (cpim_in_basic_chat_rooms_enabled=1).
const linphone =
  'From: <sip:alice@lab.trustline.test>\r\n' +
  'To: <sip:bob@lab.trustline.test>\r\n' +
  'DateTime: 2026-12-04T22:35:02Z\r\n' +
  'NS: imdn <urn:ietf:params:imdn>\r\n' +
  'imdn.Message-ID: LfI1WVel6pq6\r\n' +
  'imdn.Disposition-Notification: positive-delivery, negative-delivery, display\r\n' +
  '\r\n' +
  'Content-Type: text/plain\r\n' +
  'Content-Length: 17\r\n' +
  '\r\n' +
  'Hello CPIM 你好'

describe('parseCpim', () => {
  it('reads a Linphone message: headers, namespaces, inner type and text', () => {
    const m = parseCpim(linphone)
    expect(m.contentType).toBe('text/plain')
    expect(m.body).toBe('Hello CPIM 你好')
    expect(cpimHeader(m, 'From')).toBe('<sip:alice@lab.trustline.test>')
    expect(cpimAddress(cpimHeader(m, 'From'))).toEqual({ uri: 'sip:alice@lab.trustline.test' })
    expect(cpimDateTime(m)).toBe('2026-12-04T22:35:02.000Z')
    expect(cpimHeader(m, 'Message-ID', 'urn:ietf:params:imdn')).toBe('LfI1WVel6pq6')
    // The prefix is only a name: what counts is the namespace it stands for.
    expect(cpimHeader(m, 'Message-ID')).toBeUndefined()
  })

  it('resolves any declared prefix, and takes LF line ends and other header case', () => {
    const m = parseCpim(
      'from: Alice Example <sip:alice@x.org>\nNS: n <urn:ietf:params:imdn>\nn.message-id: 42\n\n' +
        'content-type: Text/Plain; charset=utf-8\n\nline 1\nline 2'
    )
    expect(cpimHeader(m, 'Message-ID', 'urn:ietf:params:imdn')).toBe('42')
    expect(cpimAddress(cpimHeader(m, 'From'))).toEqual({
      uri: 'sip:alice@x.org',
      name: 'Alice Example'
    })
    expect(m.contentType).toBe('text/plain')
    expect(m.body).toBe('line 1\nline 2')
  })

  it('takes the imdn prefix without an NS declaration (Linphone receipts omit it)', () => {
    const m = parseCpim('imdn.Message-ID: a1\r\n\r\nContent-Type: text/plain\r\n\r\nx')
    expect(cpimHeader(m, 'Message-ID', 'urn:ietf:params:imdn')).toBe('a1')
  })

  it('uses the inner Content-Length in bytes, and keeps everything when it is too large', () => {
    const body = (len: number) =>
      `From: <sip:a@b>\r\n\r\nContent-Type: text/plain\r\nContent-Length: ${len}\r\n\r\n☕ and more\r\n`
    expect(parseCpim(body(3)).body).toBe('☕')
    expect(parseCpim(body(999)).body).toBe('☕ and more\r\n')
  })

  it('has no DateTime when the header is absent or not RFC 3339', () => {
    expect(
      cpimDateTime(parseCpim('From: <sip:a@b>\r\n\r\nContent-Type: text/plain\r\n\r\nx'))
    ).toBeUndefined()
    expect(
      cpimDateTime(parseCpim('DateTime: yesterday\r\n\r\nContent-Type: text/plain\r\n\r\nx'))
    ).toBeUndefined()
  })

  it.each([
    ['no empty line at all', 'From: <sip:a@b>'],
    ['no content headers block', 'From: <sip:a@b>\r\n\r\nContent-Type: text/plain'],
    ['an empty header block', '\r\n\r\nContent-Type: text/plain\r\n\r\nx'],
    ['a line that is no header', 'Hello there\r\n\r\nContent-Type: text/plain\r\n\r\nx'],
    ['an undeclared prefix', 'x.Foo: 1\r\n\r\nContent-Type: text/plain\r\n\r\nx'],
    ['a malformed NS', 'NS: imdn urn:ietf:params:imdn\r\n\r\nContent-Type: text/plain\r\n\r\nx'],
    ['too many headers', 'A: 1\r\n'.repeat(70) + '\r\nContent-Type: text/plain\r\n\r\nx'],
    ['plain text', 'just some text a user typed']
  ])('refuses %s with a CpimError', (_name, text) => {
    expect(() => parseCpim(text)).toThrow(CpimError)
  })
})

describe('buildCpim', () => {
  it('builds what parseCpim and Linphone read back', () => {
    const text = buildCpim({
      from: 'sip:alice@x.org',
      to: 'sip:bob@x.org',
      dateTime: new Date('2026-01-02T03:04:05.678Z'),
      namespaces: { imdn: 'urn:ietf:params:imdn' },
      headers: [
        ['imdn.Message-ID', 'm1'],
        ['imdn.Disposition-Notification', 'positive-delivery, display']
      ],
      contentType: 'text/plain;charset=UTF-8',
      body: 'Grüße ☕\r\nzweite Zeile'
    })
    expect(text).toContain('DateTime: 2026-01-02T03:04:05Z\r\n')
    expect(text).toContain(`Content-Length: ${Buffer.byteLength('Grüße ☕\r\nzweite Zeile')}\r\n`)
    const m = parseCpim(text)
    expect(m.body).toBe('Grüße ☕\r\nzweite Zeile')
    expect(cpimHeader(m, 'Disposition-Notification', 'urn:ietf:params:imdn')).toBe(
      'positive-delivery, display'
    )
    expect(cpimAddress(cpimHeader(m, 'To'))?.uri).toBe('sip:bob@x.org')
  })

  it('refuses header values with line breaks (no header injection)', () => {
    expect(() =>
      buildCpim({
        headers: [['imdn.Message-ID', 'a\r\nEvil: 1']],
        contentType: 'text/plain',
        body: ''
      })
    ).toThrow(CpimError)
  })
})
