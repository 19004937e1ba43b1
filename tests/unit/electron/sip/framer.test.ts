import { deflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { FramingError, SipFramer } from '../../../../electron/main/sip/framer'

function msg(body: string, extra = ''): string {
  return (
    'MESSAGE sip:bob@example.org SIP/2.0\r\n' +
    'Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK1\r\n' +
    extra +
    `Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n` +
    body
  )
}

const texts = (frames: ReturnType<SipFramer['push']>) =>
  frames.map((f) => (f.kind === 'message' ? f.text : f.kind))

describe('SipFramer', () => {
  it('frames one whole message', () => {
    const f = new SipFramer()
    expect(texts(f.push(Buffer.from(msg('hello'))))).toEqual([msg('hello')])
    expect(f.pendingBytes).toBe(0)
  })

  it('counts Content-Length in bytes for multi-byte UTF-8 bodies', () => {
    const body = 'Grüße 👋 日本語 — ok'
    const f = new SipFramer()
    const two = Buffer.from(msg(body) + msg('second'))
    expect(texts(f.push(two))).toEqual([msg(body), msg('second')])
  })

  it('reassembles a message split at every possible byte, including inside a character', () => {
    const whole = Buffer.from(msg('ñ€😀 body') + msg('next'))
    for (let cut = 1; cut < whole.length; cut++) {
      const f = new SipFramer()
      const out = [...f.push(whole.subarray(0, cut)), ...f.push(whole.subarray(cut))]
      expect(texts(out)).toEqual([msg('ñ€😀 body'), msg('next')])
    }
  })

  it('passes a deflate-compressed body up decoded (Linphone receipts), and frames what follows', () => {
    const doc = '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>☕</message-id></imdn>'
    const packed = deflateSync(doc)
    const head =
      'MESSAGE sip:bob@example.org SIP/2.0\r\nContent-Encoding: deflate\r\n' +
      `Content-Type: message/imdn+xml\r\nContent-Length: ${packed.length}\r\n\r\n`
    const f = new SipFramer()
    const out = texts(f.push(Buffer.concat([Buffer.from(head), packed, Buffer.from(msg('next'))])))
    expect(out).toEqual([
      'MESSAGE sip:bob@example.org SIP/2.0\r\nContent-Type: message/imdn+xml\r\n' +
        `Content-Length: ${Buffer.byteLength(doc)}\r\n\r\n${doc}`,
      msg('next')
    ])
  })

  it('frames byte by byte', () => {
    const whole = Buffer.from(msg('a') + '\r\n\r\n' + msg('b'))
    const f = new SipFramer()
    const out = []
    for (const byte of whole) out.push(...f.push(Uint8Array.of(byte)))
    expect(texts(out)).toEqual([msg('a'), 'ping', msg('b')])
  })

  it('passes keep-alive pings and pongs between messages', () => {
    const f = new SipFramer()
    const out = f.push(Buffer.from('\r\n\r\n' + msg('x') + '\r\n' + msg('y') + '\r\n\r\n'))
    expect(texts(out)).toEqual(['ping', msg('x'), 'pong', msg('y'), 'ping'])
  })

  it('waits on a lone CRLF until it knows whether it is a pong or half a ping', () => {
    const f = new SipFramer()
    expect(f.push(Buffer.from('\r\n'))).toEqual([])
    expect(texts(f.push(Buffer.from('\r\n')))).toEqual(['ping'])
    expect(f.push(Buffer.from('\r\n'))).toEqual([])
    expect(texts(f.push(Buffer.from(msg('z'))))).toEqual(['pong', msg('z')])
  })

  it('accepts the compact form l: and a zero-length body', () => {
    const f = new SipFramer()
    const m = 'SIP/2.0 200 OK\r\nl: 0\r\n\r\n'
    expect(texts(f.push(Buffer.from(m)))).toEqual([m])
  })

  const broken: Array<[string, string]> = [
    ['garbage start line', 'HELLO WORLD\r\nContent-Length: 0\r\n\r\n'],
    ['missing Content-Length', 'SIP/2.0 200 OK\r\nVia: x\r\n\r\n'],
    ['non-numeric Content-Length', 'SIP/2.0 200 OK\r\nContent-Length: abc\r\n\r\n'],
    ['negative Content-Length', 'SIP/2.0 200 OK\r\nContent-Length: -5\r\n\r\n'],
    ['absurd Content-Length', 'SIP/2.0 200 OK\r\nContent-Length: 99999999999\r\n\r\n'],
    ['over-limit Content-Length', 'SIP/2.0 200 OK\r\nContent-Length: 2000000\r\n\r\n'],
    ['conflicting Content-Length', 'SIP/2.0 200 OK\r\nContent-Length: 1\r\nl: 2\r\n\r\nab'],
    ['stray CR', '\rX']
  ]
  it.each(broken)('rejects %s with a FramingError, and stays failed', (_name, text) => {
    const f = new SipFramer()
    expect(() => f.push(Buffer.from(text))).toThrow(FramingError)
    expect(() => f.push(Buffer.from(msg('ok')))).toThrow(FramingError)
  })

  it('rejects a header section that never ends instead of buffering forever', () => {
    const f = new SipFramer({ maxHeaderBytes: 1024, maxBodyBytes: 1024 })
    f.push(Buffer.from('SIP/2.0 200 OK\r\n'))
    expect(() => f.push(Buffer.alloc(2000, 0x41))).toThrow(/header section longer/)
  })

  it('rejects a header section that is not UTF-8', () => {
    const f = new SipFramer()
    const bad = Buffer.concat([
      Buffer.from('SIP/2.0 200 OK\r\nX: '),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('\r\nContent-Length: 0\r\n\r\n')
    ])
    expect(() => f.push(bad)).toThrow(/not valid UTF-8/)
  })
})
