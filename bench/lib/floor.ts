// The floor under figure 1: what the wire and the server cost with nothing of ours on top.
// (a) a bare Node TLS handshake to the same Kamailio port, verifying the chain against the same
// anchors, no SNI for the IP literal (as the core dials it); (b) the same handshake, then a
// REGISTER, its 401 and the authenticated REGISTER with its 200, written by hand on the socket.
import { createHash, randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import * as tls from 'node:tls'
import { cpuMs } from './stats'

/** Where the floor connects, and as whom it registers. */
export interface FloorTarget {
  host: string
  port: number
  /** A context built once from the anchors the core uses (the core caches its context too). */
  context: tls.SecureContext
  domain: string
  username: string
  password: string
}

/** One floor round, ms from the first byte of work. */
export interface FloorTimes {
  /** `tls.connect` → `secureConnect`, chain and name verified by OpenSSL (for (b): and the ticket). */
  handshake: number
  /** After the session ticket (TLS 1.3) → 200 read (REGISTER, 401, REGISTER, 200); NaN for (a). */
  register: number
  /** handshake + register: the whole sign-in floor. */
  total: number
  /** CPU time of this process over `total` (user + system), ms. */
  cpu: number
}

/** Opens a verified TLS connection exactly as the floor times it. */
function handshake(t: FloorTarget): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: t.host,
      port: t.port,
      secureContext: t.context,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2'
    })
    socket.once('secureConnect', () => {
      socket.off('error', reject)
      resolve(socket)
    })
    socket.once('error', reject)
  })
}

/** Floor (a): the handshake alone. */
export async function floorHandshake(t: FloorTarget): Promise<FloorTimes> {
  const cpu0 = cpuMs()
  const t0 = performance.now()
  const socket = await handshake(t)
  const ms = performance.now() - t0
  const cpu = cpuMs() - cpu0
  socket.destroy()
  return { handshake: ms, register: Number.NaN, total: ms, cpu }
}

/** Reads whole SIP messages (Content-Length framed) from a socket, one `next()` at a time. */
class Reader {
  #buffer = Buffer.alloc(0)
  #waiting: ((m: string) => void) | null = null
  #failed: Error | null = null
  #fail: ((e: Error) => void) | null = null

  constructor(socket: tls.TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk])
      this.#drain()
    })
    const end = (e?: Error) => {
      this.#failed = e ?? new Error('connection closed')
      this.#fail?.(this.#failed)
    }
    socket.on('error', end)
    socket.on('close', () => end())
  }

  next(): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.#failed) return reject(this.#failed)
      this.#waiting = resolve
      this.#fail = reject
      this.#drain()
    })
  }

  #drain(): void {
    if (!this.#waiting) return
    const end = this.#buffer.indexOf('\r\n\r\n')
    if (end < 0) return
    const head = this.#buffer.subarray(0, end).toString('utf8')
    const length = Number(/^(?:content-length|l)\s*:\s*(\d+)/im.exec(head)?.[1] ?? 0)
    if (this.#buffer.length < end + 4 + length) return
    const message = this.#buffer.subarray(0, end + 4 + length).toString('utf8')
    this.#buffer = this.#buffer.subarray(end + 4 + length)
    const resolve = this.#waiting
    this.#waiting = this.#fail = null
    resolve(message)
  }
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex')
const token = () => randomBytes(8).toString('hex')

function status(message: string): number {
  return Number(/^SIP\/2\.0 (\d{3})/.exec(message)?.[1] ?? 0)
}

/** The Authorization header answering a 401's digest challenge (RFC 2617 / RFC 3261 §22.4). */
function authorization(challenge: string, t: FloorTarget, uri: string, nc = 1): string {
  const header = /^WWW-Authenticate\s*:\s*Digest\s+(.*)$/im.exec(challenge)?.[1] ?? ''
  const param = (name: string) =>
    new RegExp(`${name}="?([^",]*)"?`, 'i').exec(header)?.[1] ?? undefined
  const realm = param('realm') ?? t.domain
  const nonce = param('nonce') ?? ''
  const qop = param('qop')
    ?.split(/\s*,\s*/)
    .includes('auth')
    ? 'auth'
    : null
  const ha1 = md5(`${t.username}:${realm}:${t.password}`)
  const ha2 = md5(`REGISTER:${uri}`)
  const cnonce = token()
  const count = nc.toString(16).padStart(8, '0')
  const response = qop
    ? md5(`${ha1}:${nonce}:${count}:${cnonce}:auth:${ha2}`)
    : md5(`${ha1}:${nonce}:${ha2}`)
  const opaque = param('opaque')
  return (
    `Authorization: Digest username="${t.username}", realm="${realm}", nonce="${nonce}", ` +
    `uri="${uri}", response="${response}", algorithm=MD5` +
    (qop ? `, qop=auth, nc=${count}, cnonce="${cnonce}"` : '') +
    (opaque !== undefined ? `, opaque="${opaque}"` : '')
  )
}

/**
 * Waits (at most `ms`) for the server's TLS 1.3 session ticket, which it sends right after our
 * Finished. Writing the REGISTER before it arrived let the ticket's ACK wait on our delayed-ACK
 * timer while the server's answer waited on that ACK (Nagle on the server side): a stall of up
 * to tens of milliseconds in about half the rounds. Sent after it, the REGISTER carries the ACK.
 * TrustLine never hits this, as it evaluates the chain before writing anything.
 */
function sessionTicket(socket: tls.TLSSocket, ms: number): Promise<void> {
  if (socket.getProtocol() !== 'TLSv1.3') return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      socket.off('session', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    socket.once('session', done)
  })
}

/** Floor (b): the handshake, then REGISTER / 401 / REGISTER / 200 by hand; unregisters after. */
export async function floorRegister(t: FloorTarget): Promise<FloorTimes> {
  const cpu0 = cpuMs()
  const t0 = performance.now()
  const socket = await handshake(t)
  await sessionTicket(socket, 50)
  const t1 = performance.now()
  try {
    const reader = new Reader(socket)
    const uri = `sip:${t.domain}`
    const aor = `sip:${t.username}@${t.domain}`
    const local = `${socket.localAddress}:${socket.localPort}`
    const callId = token()
    const fromTag = token()
    const contact = `<sip:${t.username}-${token()}@${local};transport=tls>`
    const register = (cseq: number, expires: number, extra: string[] = []) =>
      [
        `REGISTER ${uri} SIP/2.0`,
        `Via: SIP/2.0/TLS ${local};branch=z9hG4bK${token()};rport`,
        'Max-Forwards: 70',
        `From: <${aor}>;tag=${fromTag}`,
        `To: <${aor}>`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} REGISTER`,
        `Contact: ${contact}`,
        `Expires: ${expires}`,
        ...extra,
        'Content-Length: 0',
        '',
        ''
      ].join('\r\n')
    socket.write(register(1, 600))
    const challenge = await reader.next()
    if (status(challenge) !== 401) throw new Error(`floor REGISTER: ${challenge.split('\r\n')[0]}`)
    socket.write(register(2, 600, [authorization(challenge, t, uri)]))
    const ok = await reader.next()
    const t2 = performance.now()
    const cpu = cpuMs() - cpu0
    if (status(ok) !== 200) throw new Error(`floor REGISTER: ${ok.split('\r\n')[0]}`)
    // Not timed: remove the binding, so bindings do not pile up and lengthen later 200s.
    socket.write(register(3, 0, [authorization(challenge, t, uri, 2)]))
    const removed = await reader.next()
    if (status(removed) !== 200) throw new Error(`floor un-REGISTER: ${removed.split('\r\n')[0]}`)
    return { handshake: t1 - t0, register: t2 - t1, total: t2 - t0, cpu }
  } finally {
    socket.destroy()
  }
}
