import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { decodeContentEncoding } from '../../../../electron/main/sip/content-coding'

const head = (coding: string, length: number) =>
  [
    'MESSAGE sip:alice@x.org SIP/2.0',
    'Call-ID: c1',
    `Content-Encoding: ${coding}`,
    'Content-Type: message/imdn+xml',
    `Content-Length: ${length}`
  ].join('\r\n')
const doc = '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>☕</message-id></imdn>'

describe('decodeContentEncoding', () => {
  it.each([
    ['deflate (zlib, as Linphone sends it)', 'deflate', deflateSync(doc)],
    ['deflate meaning raw DEFLATE', 'deflate', deflateRawSync(doc)],
    ['gzip', 'gzip', gzipSync(doc)],
    ['identity', 'identity', Buffer.from(doc)]
  ])('undoes %s and fixes the headers', (_name, coding, body) => {
    const out = decodeContentEncoding(head(coding, body.length), body, 1 << 20)
    expect(Buffer.from(out.body).toString('utf8')).toBe(doc)
    expect(out.header).not.toMatch(/content-encoding/i)
    expect(out.header).toContain(`Content-Length: ${Buffer.byteLength(doc)}`)
    expect(out.header).toContain('Content-Type: message/imdn+xml')
  })

  it('reads the compact form "e:" and leaves a message without coding alone', () => {
    const body = deflateSync(doc)
    const compact = head('deflate', body.length).replace('Content-Encoding:', 'e:')
    expect(Buffer.from(decodeContentEncoding(compact, body, 1 << 20).body).toString()).toBe(doc)
    const plain = 'MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 3'
    expect(decodeContentEncoding(plain, Buffer.from('abc'), 10).header).toBe(plain)
  })

  it.each([
    ['an unknown coding', 'br', Buffer.from('xx')],
    ['several codings', 'gzip, deflate', gzipSync(doc)],
    ['a corrupt body', 'deflate', Buffer.from('not deflate at all')],
    ['a body that decodes past the limit', 'deflate', deflateSync('x'.repeat(100_000))]
  ])('leaves %s as it came, Content-Encoding kept', (_name, coding, body) => {
    const header = head(coding, body.length)
    const out = decodeContentEncoding(header, body, 50_000)
    expect(out.header).toBe(header)
    expect(out.body).toBe(body)
  })
})
