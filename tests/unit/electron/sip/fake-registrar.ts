import { Duplex } from 'node:stream'
import { SipFramer } from '../../../../electron/main/sip/framer'

/** A parsed SIP request as the fake sees it. */
export interface FakeRequest {
  method: string
  ruri: string
  headers: Map<string, string[]>
  body: string
  raw: string
  header(name: string): string | undefined
}

/** What the fake answers; return null to stay silent. */
export type Responder = (req: FakeRequest, server: FakeRegistrar) => FakeAnswer | null

/** A response to send back. */
export interface FakeAnswer {
  status: number
  reason: string
  headers?: string[]
  body?: string
}

function parse(raw: string): FakeRequest {
  const headEnd = raw.indexOf('\r\n\r\n')
  const lines = raw.slice(0, headEnd).split('\r\n')
  const [method = '', ruri = ''] = (lines[0] ?? '').split(' ')
  const headers = new Map<string, string[]>()
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':')
    const name = line.slice(0, i).trim().toLowerCase()
    headers.set(name, [...(headers.get(name) ?? []), line.slice(i + 1).trim()])
  }
  return {
    method,
    ruri,
    headers,
    body: raw.slice(headEnd + 4),
    raw,
    header: (n) => headers.get(n.toLowerCase())?.[0]
  }
}

/**
 * A unit-level stand-in for a registrar/presence server speaking SIP text over an in-memory
 * duplex, so SipSession's wiring to JsSIP is tested without a network. The real server is
 * exercised in lab.test.ts.
 */
export class FakeRegistrar {
  readonly requests: FakeRequest[] = []
  readonly responses: string[] = []
  /** The client's side of the connection. */
  readonly clientStream: Duplex
  #serverPush: (chunk: Buffer) => void = () => undefined
  readonly #framer = new SipFramer()
  /** To-tag we answered with, per Call-ID (to build in-dialog requests). */
  readonly toTags = new Map<string, string>()
  #tag = 0
  #etag = 0
  /** Answer CRLF keep-alive pings with a pong (RFC 5626 §4.4.1), as Kamailio does. */
  answerPings = true

  constructor(readonly respond: Responder) {
    const onClientBytes = (chunk: Buffer) => this.#onClientBytes(chunk)
    this.clientStream = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        setImmediate(() => onClientBytes(chunk))
        cb()
      },
      destroy(err, cb) {
        cb(err)
      }
    })
    this.#serverPush = (chunk) => {
      if (!this.clientStream.destroyed) this.clientStream.push(chunk)
    }
    this.clientStream.pause()
  }

  /** Sends raw bytes to the client. */
  sendRaw(text: string): void {
    this.#serverPush(Buffer.from(text, 'utf8'))
  }

  /** Sends a request to the client (NOTIFY, MESSAGE, INVITE...). */
  sendRequest(method: string, ruri: string, headers: string[], body = ''): void {
    const text =
      `${method} ${ruri} SIP/2.0\r\n` +
      `Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK${Math.random().toString(36).slice(2)}\r\n` +
      'Max-Forwards: 70\r\n' +
      headers.map((h) => `${h}\r\n`).join('') +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    this.sendRaw(text)
  }

  /** A fresh entity-tag. */
  nextEtag(): string {
    return `etag${++this.#etag}`
  }

  #onClientBytes(chunk: Buffer): void {
    let frames
    try {
      frames = this.#framer.push(chunk)
    } catch {
      return
    }
    for (const frame of frames) {
      if (frame.kind === 'ping' && this.answerPings) this.sendRaw('\r\n')
      if (frame.kind !== 'message') continue
      if (frame.text.startsWith('SIP/2.0')) {
        this.responses.push(frame.text)
        continue
      }
      const req = parse(frame.text)
      this.requests.push(req)
      if (req.method === 'ACK') continue
      const answer = this.respond(req, this)
      if (answer) this.answer(req, answer)
    }
  }

  /** Answers a request, copying the dialog headers (RFC 3261 §8.2.6.2). */
  answer(req: FakeRequest, a: FakeAnswer): void {
    let to = req.header('to') ?? ''
    if (!/;tag=/.test(to) && a.status > 100) {
      const tag = `srv${++this.#tag}`
      this.toTags.set(req.header('call-id') ?? '', tag)
      to += `;tag=${tag}`
    }
    const body = a.body ?? ''
    const text =
      `SIP/2.0 ${a.status} ${a.reason}\r\n` +
      (req.headers.get('via') ?? []).map((v) => `Via: ${v}\r\n`).join('') +
      `From: ${req.header('from')}\r\nTo: ${to}\r\nCall-ID: ${req.header('call-id')}\r\n` +
      `CSeq: ${req.header('cseq')}\r\n` +
      (a.headers ?? []).map((h) => `${h}\r\n`).join('') +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    this.sendRaw(text)
  }
}
