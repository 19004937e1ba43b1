// A deliberately small SIP-over-TLS (or TCP) user agent for lab tests: just enough SIP text to
// REGISTER with digest auth, send MESSAGE / PUBLISH / SUBSCRIBE (answering 401/407 challenges),
// and receive MESSAGE / NOTIFY (auto-answered 200 OK) over its own connection — the way a
// client behind NAT uses the lab. Not a SIP stack: no retransmissions, no dialogs beyond echoing.
import { createHash, randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import net from 'node:net'
import tls from 'node:tls'
import { WebSocket, type ClientOptions } from 'ws'

export interface SipMessage {
  /** 'request' or 'response' */
  kind: 'request' | 'response'
  method?: string
  uri?: string
  status?: number
  reason?: string
  headers: [string, string][]
  body: string
  /** The body as received (set for messages read from the wire). */
  bodyBytes?: Buffer
  raw: string
  header(name: string): string | undefined
  headerAll(name: string): string[]
}

const COMPACT: Record<string, string> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  e: 'content-encoding',
  o: 'event',
  k: 'supported'
}

export function parseSip(raw: string): SipMessage {
  const [head = '', ...rest] = raw.split('\r\n\r\n')
  const lines = head.split('\r\n')
  const first = lines.shift() ?? ''
  const headers: [string, string][] = []
  for (const l of lines) {
    if (/^[ \t]/.test(l) && headers.length) {
      headers[headers.length - 1]![1] += ' ' + l.trim()
      continue
    }
    const i = l.indexOf(':')
    if (i < 0) continue
    const n = l.slice(0, i).trim().toLowerCase()
    headers.push([COMPACT[n] ?? n, l.slice(i + 1).trim()])
  }
  const msg: SipMessage = {
    kind: first.startsWith('SIP/2.0 ') ? 'response' : 'request',
    headers,
    body: rest.join('\r\n\r\n'),
    raw,
    header: (name) => headers.find(([n]) => n === name.toLowerCase())?.[1],
    headerAll: (name) => headers.filter(([n]) => n === name.toLowerCase()).map(([, v]) => v)
  }
  if (msg.kind === 'response') {
    const m = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(first)
    msg.status = Number(m?.[1])
    msg.reason = m?.[2] ?? ''
  } else {
    const [method, uri] = first.split(' ')
    msg.method = method
    msg.uri = uri
  }
  return msg
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex')
const rnd = (n = 8) => randomBytes(n).toString('hex')

export interface RawSipOptions {
  host?: string
  port: number
  /** tls (default), tcp, or SIP over WebSocket (ws/wss, RFC 7118, path /ws, sub-protocol sip) */
  transport?: 'tls' | 'tcp' | 'ws' | 'wss'
  /** PEM CA(s) to verify the server; omit with rejectUnauthorized=false for the bad-cert ports. */
  ca?: string | Buffer | (string | Buffer)[]
  rejectUnauthorized?: boolean
  servername?: string
  /** client certificate (mTLS port) */
  cert?: string | Buffer
  key?: string | Buffer
  username: string
  password: string
  domain: string
}

/** Call-ID and CSeq to send a request with, instead of fresh ones. */
export interface RequestIdentity {
  callId: string
  cseq: number
}

export class RawSipClient extends EventEmitter {
  private sock!: net.Socket
  private wsock: WebSocket | undefined
  private buf: Buffer = Buffer.alloc(0)
  private cseq = 1
  private readonly callId = rnd(10)
  private readonly tag = rnd(6)
  private readonly fakeHost = `${rnd(6)}.invalid`
  private readonly pending = new Map<string, (m: SipMessage) => void>()
  readonly received: SipMessage[] = []
  readonly aor: string

  constructor(readonly opts: RawSipOptions) {
    super()
    this.aor = `sip:${opts.username}@${opts.domain}`
  }

  get transport(): 'tls' | 'tcp' | 'ws' | 'wss' {
    return this.opts.transport ?? 'tls'
  }

  get contact(): string {
    const t = this.transport === 'wss' ? 'ws' : this.transport // RFC 7118: transport=ws for both
    return `<sip:${this.opts.username}@${this.fakeHost};transport=${t}>`
  }

  /** The TLS socket (for inspecting the peer certificate); not set for ws/wss. */
  get socket(): net.Socket {
    return this.sock
  }

  private send(text: string): void {
    if (this.wsock) this.wsock.send(text)
    else this.sock.write(text)
  }

  connect(): Promise<void> {
    const host = this.opts.host ?? '127.0.0.1'
    if (this.transport === 'ws' || this.transport === 'wss') {
      return new Promise((resolve, reject) => {
        const wsOpts: ClientOptions & { servername?: string } = {
          servername: this.opts.servername ?? this.opts.domain,
          ...(this.opts.ca ? { ca: this.opts.ca } : {}),
          ...(this.opts.cert ? { cert: this.opts.cert, key: this.opts.key } : {}),
          rejectUnauthorized: this.opts.rejectUnauthorized ?? true
        }
        const ws = new WebSocket(`${this.transport}://${host}:${this.opts.port}/ws`, 'sip', wsOpts)
        this.wsock = ws
        ws.once('open', () => resolve())
        ws.once('error', reject)
        // one SIP message per WebSocket message
        ws.on('message', (d: Buffer) => this.onData(d))
        ws.on('close', () => this.emit('close'))
      })
    }
    return new Promise((resolve, reject) => {
      const onErr = (e: Error) => reject(e)
      if (this.transport === 'tls') {
        this.sock = tls.connect({
          host,
          port: this.opts.port,
          servername: this.opts.servername ?? this.opts.domain,
          ...(this.opts.ca ? { ca: this.opts.ca } : {}),
          ...(this.opts.cert ? { cert: this.opts.cert, key: this.opts.key } : {}),
          rejectUnauthorized: this.opts.rejectUnauthorized ?? true
        })
        this.sock.once('secureConnect', () => {
          this.sock.off('error', onErr)
          resolve()
        })
      } else {
        this.sock = net.connect(this.opts.port, host, () => {
          this.sock.off('error', onErr)
          resolve()
        })
      }
      this.sock.once('error', onErr)
      this.sock.on('data', (d: Buffer) => this.onData(d))
      this.sock.on('error', (e) => this.emit('socket-error', e))
      this.sock.on('close', () => this.emit('close'))
    })
  }

  close(): void {
    this.wsock?.terminate()
    this.sock?.destroy()
  }

  // Framing on bytes: Content-Length counts bytes, and a body may be binary (a deflate-compressed
  // IMDN from Linphone); such a body is kept as latin1 in `body` and as bytes in `bodyBytes`.
  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d])
    for (;;) {
      while (this.buf.length >= 2 && this.buf[0] === 0x0d && this.buf[1] === 0x0a)
        this.buf = this.buf.subarray(2) // keepalive pongs
      const end = this.buf.indexOf('\r\n\r\n')
      if (end < 0) return
      const head = this.buf.subarray(0, end).toString('utf8')
      const cl = /^(?:content-length|l)\s*:\s*(\d+)/im.exec(head)
      const len = cl ? Number(cl[1]) : 0
      if (this.buf.length < end + 4 + len) return
      const bodyBytes = Buffer.from(this.buf.subarray(end + 4, end + 4 + len))
      this.buf = this.buf.subarray(end + 4 + len)
      const binary = /^(?:content-encoding|e)\s*:/im.test(head)
      const m = parseSip(head + '\r\n\r\n' + bodyBytes.toString(binary ? 'latin1' : 'utf8'))
      m.bodyBytes = bodyBytes
      this.handle(m)
    }
  }

  private handle(m: SipMessage): void {
    if (m.kind === 'response') {
      const branch = /branch=([^;,\s]+)/.exec(m.header('via') ?? '')?.[1]
      const cseq = m.header('cseq') ?? ''
      const key = `${branch} ${cseq.split(' ')[1]}`
      if ((m.status ?? 0) >= 200) {
        const cb = this.pending.get(key)
        if (cb) {
          this.pending.delete(key)
          cb(m)
        }
      }
      return
    }
    this.received.push(m)
    // auto-answer 200 OK to incoming requests (MESSAGE, NOTIFY, OPTIONS)
    if (m.method !== 'ACK') {
      const to = m.header('to') ?? ''
      const lines = [
        'SIP/2.0 200 OK',
        ...m.headerAll('via').map((v) => `Via: ${v}`),
        `From: ${m.header('from')}`,
        `To: ${/;tag=/.test(to) ? to : `${to};tag=${rnd(4)}`}`,
        `Call-ID: ${m.header('call-id')}`,
        `CSeq: ${m.header('cseq')}`,
        'Content-Length: 0',
        '',
        ''
      ]
      this.send(lines.join('\r\n'))
    }
    this.emit('request', m)
    if (m.method) this.emit(m.method.toLowerCase(), m)
  }

  /** Waits for an incoming request of `method` matching `pred` (already received ones count). */
  waitFor(
    method: string,
    pred: (m: SipMessage) => boolean = () => true,
    timeoutMs = 5000
  ): Promise<SipMessage> {
    const seen = this.received.find((m) => m.method === method && pred(m))
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.off('request', on)
        reject(new Error(`${this.opts.username}: no ${method} within ${timeoutMs} ms`))
      }, timeoutMs)
      const on = (m: SipMessage) => {
        if (m.method === method && pred(m)) {
          clearTimeout(t)
          this.off('request', on)
          resolve(m)
        }
      }
      this.on('request', on)
    })
  }

  private sendOnce(
    method: string,
    uri: string,
    extra: string[],
    body: string,
    auth?: string,
    identity?: RequestIdentity
  ): Promise<SipMessage> {
    const branch = `z9hG4bK${rnd(8)}`
    const cseq = identity?.cseq ?? this.cseq++
    const to = method === 'REGISTER' ? `<${this.aor}>` : `<${uri}>`
    const lines = [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/${this.transport.toUpperCase()} ${this.fakeHost};branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: <${this.aor}>;tag=${this.tag}`,
      `To: ${to}`,
      `Call-ID: ${identity?.callId ?? (method === 'REGISTER' ? this.callId : rnd(10))}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: ${this.contact}`,
      'User-Agent: TrustLine-lab-raw-sip',
      ...(auth ? [auth] : []),
      ...extra,
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body
    ]
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(`${branch} ${method}`)
        reject(new Error(`${method} ${uri}: no final response`))
      }, 5000)
      this.pending.set(`${branch} ${method}`, (m) => {
        clearTimeout(t)
        resolve(m)
      })
      this.send(lines.join('\r\n'))
    })
  }

  /**
   * Sends a request, answering one 401/407 digest challenge. Resolves with the final response.
   * With `identity`, every copy (the challenged one too) carries that Call-ID and CSeq: how a
   * client resends one message so the receiver can recognise the copies.
   */
  async request(
    method: string,
    uri: string,
    extra: string[] = [],
    body = '',
    identity?: RequestIdentity
  ): Promise<SipMessage> {
    const first = await this.sendOnce(method, uri, extra, body, undefined, identity)
    if (first.status !== 401 && first.status !== 407) return first
    const chal =
      first.header(first.status === 401 ? 'www-authenticate' : 'proxy-authenticate') ?? ''
    const p = (k: string) => new RegExp(`${k}="?([^",]+)"?`, 'i').exec(chal)?.[1]
    const realm = p('realm') ?? this.opts.domain
    const nonce = p('nonce') ?? ''
    const qop = p('qop')?.split(/[ ,]/).includes('auth') ? 'auth' : undefined
    const ha1 = md5(`${this.opts.username}:${realm}:${this.opts.password}`)
    const ha2 = md5(`${method}:${uri}`)
    const cnonce = rnd(6)
    const nc = '00000001'
    const response = qop
      ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
      : md5(`${ha1}:${nonce}:${ha2}`)
    const hdr = `${first.status === 401 ? 'Authorization' : 'Proxy-Authorization'}: Digest username="${this.opts.username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5${qop ? `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"` : ''}${p('opaque') ? `, opaque="${p('opaque')}"` : ''}`
    return this.sendOnce(method, uri, extra, body, hdr, identity)
  }

  register(expires = 600): Promise<SipMessage> {
    return this.request('REGISTER', `sip:${this.opts.domain}`, [`Expires: ${expires}`])
  }

  message(
    to: string,
    text: string,
    contentType = 'text/plain',
    identity?: RequestIdentity
  ): Promise<SipMessage> {
    return this.request('MESSAGE', to, [`Content-Type: ${contentType}`], text, identity)
  }

  publish(basic: 'open' | 'closed', note = '', expires = 600): Promise<SipMessage> {
    const body = pidf(this.aor, basic, note)
    return this.request(
      'PUBLISH',
      this.aor,
      ['Event: presence', `Expires: ${expires}`, 'Content-Type: application/pidf+xml'],
      body
    )
  }

  subscribe(to: string, expires = 600): Promise<SipMessage> {
    return this.request('SUBSCRIBE', to, [
      'Event: presence',
      'Accept: application/pidf+xml',
      `Expires: ${expires}`
    ])
  }
}

export function pidf(entity: string, basic: 'open' | 'closed', note = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}">
  <tuple id="t${rnd(3)}">
    <status><basic>${basic}</basic></status>
    ${note ? `<note>${note}</note>` : ''}
  </tuple>
</presence>
`
}
