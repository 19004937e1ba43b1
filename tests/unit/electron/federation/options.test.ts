import { Duplex } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { buildOptionsRequest, exchangeOptions } from '../../../../electron/main/federation/options'

/** A connection whose far end is the test: what we write is recorded, `reply` answers. */
function peer() {
  const written: string[] = []
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      written.push(chunk.toString('latin1'))
      cb()
    }
  })
  return { socket, written, reply: (text: string) => socket.push(Buffer.from(text, 'latin1')) }
}

const request = buildOptionsRequest({
  partnerDomain: 'partner.example',
  ourDomain: 'corp.example',
  local: { address: '192.0.2.10', port: 40000 }
})
const callId = /^Call-ID: (.*)\r$/m.exec(request)![1]!

const response = (status: string, headers: string[], id = callId) =>
  [
    `SIP/2.0 ${status}`,
    `Call-ID: ${id}`,
    'CSeq: 1 OPTIONS',
    ...headers,
    'Content-Length: 0',
    '',
    ''
  ].join('\r\n')

describe('OPTIONS over the mutual-TLS connection', () => {
  it('is addressed to the partner domain, from our domain, with our end in Via', () => {
    const lines = request.split('\r\n')
    expect(lines[0]).toBe('OPTIONS sip:partner.example SIP/2.0')
    expect(lines).toContain('Max-Forwards: 70')
    expect(lines).toContain('To: <sip:partner.example>')
    expect(lines.find((l) => l.startsWith('Via:'))).toMatch(
      /^Via: SIP\/2\.0\/TLS 192\.0\.2\.10:40000;branch=z9hG4bK[0-9a-f]{24};rport$/
    )
    expect(lines.find((l) => l.startsWith('From:'))).toMatch(
      /<sip:federation-check@corp\.example>;tag=/
    )
    expect(request.endsWith('Content-Length: 0\r\n\r\n')).toBe(true)
    const v6 = buildOptionsRequest({
      partnerDomain: 'p.example',
      ourDomain: null,
      local: { address: '::1', port: 5 }
    })
    expect(v6).toMatch(/Via: SIP\/2\.0\/TLS \[::1\]:5;/)
    expect(v6).toMatch(/From: <sip:federation-check@trustline\.invalid>/)
  })

  it('skips provisional answers and answers to other requests, reads the final one', async () => {
    const p = peer()
    const done = exchangeOptions(p.socket, request, 5000)
    expect(p.written.join('')).toBe(request)
    p.reply(response('100 Trying', []))
    p.reply(response('200 OK', ['Server: Other'], 'someone-else'))
    // One message split across two reads, compact header forms.
    const final = response('200 OK', ['Server: Edge 1.0', 'Allow: OPTIONS, MESSAGE', 'k: path'])
    p.reply(final.slice(0, 20))
    p.reply(final.slice(20))
    expect(await done).toMatchObject({
      outcome: 'answered',
      status: 200,
      reason: 'OK',
      server: 'Edge 1.0',
      allow: 'OPTIONS, MESSAGE',
      supported: 'path'
    })
    expect((await done).rttMs).toBeGreaterThanOrEqual(0)
  })

  it('reports a rejection with its reason phrase', async () => {
    const p = peer()
    const done = exchangeOptions(p.socket, request, 5000)
    p.reply(response('403 Forbidden (not federated)', []))
    expect(await done).toMatchObject({ status: 403, reason: 'Forbidden (not federated)' })
  })

  it('tells silence from a closed connection', async () => {
    const silent = peer()
    expect((await exchangeOptions(silent.socket, request, 50)).outcome).toBe('silent')
    const closed = peer()
    const done = exchangeOptions(closed.socket, request, 5000)
    closed.socket.push(null)
    expect((await done).outcome).toBe('closed')
  })

  it('treats a stream that is not SIP as closed', async () => {
    const p = peer()
    const done = exchangeOptions(p.socket, request, 5000)
    p.reply('HTTP/1.1 400 Bad Request\r\n\r\n')
    expect((await done).outcome).toBe('closed')
  })
})
