import { randomBytes } from 'node:crypto'
import type { Duplex } from 'node:stream'
import type { FederationOptions } from '../../../shared/types/federation'
import { SipFramer, FramingError } from '../sip/framer'

/** What goes into the OPTIONS request. */
export interface OptionsRequestFacts {
  partnerDomain: string
  /** Our SIP domain (From, Call-ID); `.invalid` when our certificate names none. */
  ourDomain: string | null
  /** Our end of the connection, for Via and Contact (RFC 3261 18.1.1). */
  local: { address: string; port: number } | null
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex')

/**
 * An out-of-dialog OPTIONS to the partner's domain (RFC 3261 11), as Test-CsFederationPartner
 * sends it: addressed to the domain, so the partner's edge answers for it (Max-Forwards 70: a
 * proxy that answers OPTIONS for its own domain does so whatever the count; RFC 3261 16.3 lets
 * one answer Max-Forwards 0, but common configurations reply 483 to it instead).
 */
export function buildOptionsRequest(f: OptionsRequestFacts): string {
  const ours = f.ourDomain ?? 'trustline.invalid'
  const sentBy = f.local
    ? `${f.local.address.includes(':') ? `[${f.local.address}]` : f.local.address}:${f.local.port}`
    : 'trustline.invalid'
  return [
    `OPTIONS sip:${f.partnerDomain} SIP/2.0`,
    `Via: SIP/2.0/TLS ${sentBy};branch=z9hG4bK${hex(12)};rport`,
    'Max-Forwards: 70',
    `From: <sip:federation-check@${ours}>;tag=${hex(6)}`,
    `To: <sip:${f.partnerDomain}>`,
    `Call-ID: ${hex(12)}@${ours}`,
    'CSeq: 1 OPTIONS',
    `Contact: <sip:federation-check@${sentBy};transport=tls>`,
    'Accept: application/sdp',
    'User-Agent: TrustLine federation check',
    'Content-Length: 0',
    '',
    ''
  ].join('\r\n')
}

/** An exchange with nothing in it yet: `outcome` and, for 'not-sent', the code that stopped it. */
export function noExchange(
  outcome: FederationOptions['outcome'],
  notSentBecause: string | null = null
): FederationOptions {
  return {
    outcome,
    notSentBecause,
    request: null,
    response: null,
    status: null,
    reason: null,
    server: null,
    allow: null,
    supported: null,
    rttMs: null
  }
}

function header(lines: string[], ...names: string[]): string | null {
  const wanted = names.map((n) => n.toLowerCase())
  const values = lines.flatMap((l) => {
    const colon = l.indexOf(':')
    if (colon < 0) return []
    return wanted.includes(l.slice(0, colon).trim().toLowerCase())
      ? [l.slice(colon + 1).trim()]
      : []
  })
  return values.length ? values.join(', ') : null
}

/**
 * Writes the request on an established (trusted) connection and waits for its final response,
 * the connection closing, or `timeoutMs`. Provisional responses and anything that is not an
 * answer to this request (other Call-ID) are skipped. Never rejects.
 */
export function exchangeOptions(
  socket: Duplex,
  request: string,
  timeoutMs: number
): Promise<FederationOptions> {
  const callId = /^Call-ID: (.*)$/m.exec(request)?.[1]?.trim() ?? ''
  const framer = new SipFramer()
  const base: FederationOptions = { ...noExchange('silent'), request }
  return new Promise((resolve) => {
    let started = 0
    const timer = setTimeout(() => done({ ...base, outcome: 'silent' }), timeoutMs)
    const onData = (chunk: Buffer) => {
      let frames
      try {
        frames = framer.push(chunk)
      } catch (e) {
        if (e instanceof FramingError) done({ ...base, outcome: 'closed' })
        return
      }
      for (const frame of frames) {
        if (frame.kind !== 'message') continue
        const [head = ''] = frame.text.split('\r\n\r\n')
        const lines = head.split('\r\n')
        const m = /^SIP\/2\.0 (\d{3})(?: (.*))?$/.exec(lines[0] ?? '')
        if (!m || header(lines, 'call-id', 'i') !== callId) continue
        const status = Number(m[1])
        if (status < 200) continue
        done({
          ...base,
          outcome: 'answered',
          response: head,
          status,
          reason: m[2] ?? '',
          server: header(lines, 'server'),
          allow: header(lines, 'allow'),
          supported: header(lines, 'supported', 'k'),
          rttMs: Math.round((performance.now() - started) * 10) / 10
        })
        return
      }
    }
    const onClose = () => done({ ...base, outcome: 'closed' })
    function done(result: FederationOptions): void {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('end', onClose)
      socket.off('close', onClose)
      socket.off('error', onClose)
      resolve(result)
    }
    socket.on('data', onData)
    socket.once('end', onClose)
    socket.once('close', onClose)
    socket.once('error', onClose)
    started = performance.now()
    socket.write(request)
    socket.resume()
  })
}
