import { describe, expect, it } from 'vitest'
import { SIP_LOG_LIMIT, SipLog, toLogEntry } from '../../../../electron/main/sip/sip-log'

const register = [
  'REGISTER sip:example.org SIP/2.0',
  'Via: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK1',
  'Call-ID: abc@host',
  'CSeq: 2 REGISTER',
  'Authorization: Digest username="alice", realm="example.org", nonce="n0nce", uri="sip:example.org", response="0123456789abcdef", cnonce="c1", nc=00000001, qop=auth',
  'Content-Length: 0',
  '',
  ''
].join('\r\n')

describe('toLogEntry', () => {
  it('keeps what the helpdesk needs and removes the digest secrets', () => {
    const e = toLogEntry(1, 'out', register)
    expect(e).toMatchObject({
      method: 'REGISTER',
      status: null,
      callId: 'abc@host',
      cseq: '2 REGISTER'
    })
    const auth = e.headers.find((h) => h.name === 'Authorization')?.value ?? ''
    expect(auth).toContain('username="alice"')
    expect(auth).toContain('realm="example.org"')
    expect(auth).not.toContain('0123456789abcdef')
    expect(auth).not.toContain('n0nce')
    expect(auth).not.toContain('"c1"')
  })

  it('names receipts and receipt requests for the ladder; a receipt body is shown, text never', () => {
    const receipt =
      'MESSAGE sip:alice@example.org SIP/2.0\r\nCSeq: 21 MESSAGE\r\nContent-Type: message/imdn+xml\r\n\r\n' +
      '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m1</message-id><display-notification><status><displayed/></status></display-notification></imdn>'
    const r = toLogEntry(4, 'in', receipt)
    expect(r.receipt).toEqual({ kind: 'display', status: 'displayed', messageId: 'm1' })
    expect(r.bodyRedacted).toBe(false)
    expect(r.body).toContain('<displayed/>')
    const asking =
      'MESSAGE sip:bob@example.org SIP/2.0\r\nCSeq: 2 MESSAGE\r\nContent-Type: message/cpim\r\n\r\n' +
      'NS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: m2\r\nimdn.Disposition-Notification: positive-delivery, display\r\n\r\n' +
      'Content-Type: text/plain\r\n\r\nprivate words'
    const a = toLogEntry(5, 'out', asking)
    expect(a.receiptsRequested).toEqual(['positive-delivery', 'display'])
    expect(a.bodyRedacted).toBe(true)
    expect(a.body).not.toContain('private words')
    expect(toLogEntry(6, 'in', 'SIP/2.0 200 OK\r\nCSeq: 2 MESSAGE\r\n\r\n').receipt).toBeUndefined()
  })

  it('takes a response method from CSeq', () => {
    const e = toLogEntry(2, 'in', 'SIP/2.0 401 Unauthorized\r\nCSeq: 1 REGISTER\r\ni: x\r\n\r\n')
    expect(e).toMatchObject({ method: 'REGISTER', status: 401, callId: 'x' })
  })

  it('never shows message text or typing notices, only their size', () => {
    const msg =
      'MESSAGE sip:bob@example.org SIP/2.0\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain;charset=UTF-8\r\n\r\nmy secret 你好'
    const e = toLogEntry(3, 'out', msg)
    expect(e.bodyRedacted).toBe(true)
    expect(e.body).toBe('')
    expect(e.withheldBytes).toBe(Buffer.byteLength('my secret 你好'))
    const typing = toLogEntry(
      4,
      'out',
      'MESSAGE sip:b@x SIP/2.0\r\nc: application/im-iscomposing+xml\r\n\r\n<state>active</state>'
    )
    expect(typing.bodyRedacted).toBe(true)
  })

  it('shows presence documents, which the helpdesk needs to debug presence', () => {
    const pidf = '<presence><tuple id="t"><status><basic>open</basic></status></tuple></presence>'
    const e = toLogEntry(
      5,
      'in',
      `NOTIFY sip:a@x SIP/2.0\r\nContent-Type: application/pidf+xml\r\nCSeq: 3 NOTIFY\r\n\r\n${pidf}`
    )
    expect(e).toMatchObject({ bodyRedacted: false, body: pidf })
  })

  it('but never the personal notes in them, whatever their prefix or the bundle', () => {
    const pidf = [
      '<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model">',
      '<tuple id="t"><status><basic>open</basic></status><note xml:lang="en">at the dentist</note></tuple>',
      '<dm:person id="p"><rpid:activities><rpid:busy/></rpid:activities><dm:note>back at 3</dm:note></dm:person>',
      '<rpid:note>',
      'call my mobile',
      '</rpid:note>',
      '</presence>'
    ].join('')
    for (const type of ['application/pidf+xml', 'multipart/related;type="application/rlmi+xml"']) {
      const e = toLogEntry(
        6,
        'in',
        `NOTIFY sip:a@x SIP/2.0\r\nContent-Type: ${type}\r\n\r\n${pidf}`
      )
      expect(e.bodyRedacted).toBe(true)
      for (const note of ['at the dentist', 'back at 3', 'call my mobile'])
        expect(e.body).not.toContain(note)
      expect(e.body).toContain('<basic>open</basic>')
      expect(e.body).toContain('<rpid:busy/>')
      expect(e.body).toContain('<note xml:lang="en">[redacted]</note>')
    }
  })

  it('removes the nonces of the server challenges and of Authentication-Info', () => {
    const challenge = toLogEntry(
      7,
      'in',
      'SIP/2.0 401 Unauthorized\r\nCSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm="x", nonce="srv-n0nce-1", opaque="op4que", qop="auth", algorithm=MD5\r\nProxy-Authenticate: Digest realm="x", nonce=srvnonce2\r\n\r\n'
    )
    const text = JSON.stringify(challenge)
    for (const secret of ['srv-n0nce-1', 'op4que', 'srvnonce2']) expect(text).not.toContain(secret)
    expect(text).toContain('realm=\\"x\\"')
    expect(text).toContain('qop=\\"auth\\"')
    const info = toLogEntry(
      8,
      'in',
      'SIP/2.0 200 OK\r\nCSeq: 2 REGISTER\r\nAuthentication-Info: nextnonce="next-n0nce", rspauth="abc123", qop=auth\r\n\r\n'
    )
    expect(JSON.stringify(info)).not.toMatch(/next-n0nce|abc123/)
  })

  it('survives garbage without throwing', () => {
    for (const junk of [
      '',
      '\r\n\r\n',
      'no colon here\r\n:\r\n\r\n',
      '\u0000\u0001',
      'SIP/2.0 abc'
    ]) {
      expect(() => toLogEntry(6, 'in', junk)).not.toThrow()
    }
  })
})

describe('SipLog', () => {
  it('keeps the newest entries up to the limit and announces each', () => {
    const seen: number[] = []
    const log = new SipLog((e) => seen.push(e.id))
    for (let i = 0; i < SIP_LOG_LIMIT + 5; i++) log.add('out', register)
    expect(log.list()).toHaveLength(SIP_LOG_LIMIT)
    expect(log.list()[0]?.id).toBe(6)
    expect(seen).toHaveLength(SIP_LOG_LIMIT + 5)
    log.clear()
    expect(log.list()).toEqual([])
  })
})
