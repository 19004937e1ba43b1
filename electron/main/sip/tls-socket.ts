import type { Duplex } from 'node:stream'
import { FramingError, SipFramer, type FramerLimits } from './framer'

/** Where the socket leads, for the Via header and JsSIP's bookkeeping. */
export interface SocketEndpoint {
  host: string
  port: number
}

/** Why the connection ended, as the session wants to know it. */
export interface SocketClosed {
  /** True when the peer, the network or a framing error ended it (not our own disconnect). */
  error: boolean
  reason: string
}

/** Observer of SIP messages on the wire: direction and the message text. */
export type WireTrace = (direction: 'out' | 'in', text: string) => void

/** Options for the adapter. */
export interface TlsSipSocketOptions {
  limits?: FramerLimits
  /** Called once when the connection is gone, whatever the cause. */
  onClosed?: (closed: SocketClosed) => void
  log?: (message: string) => void
  /** Sees every SIP message that goes out or comes in (not keep-alives), for the SIP log. */
  trace?: WireTrace
  /**
   * Client keep-alive (RFC 5626 §4.4.1): send a CRLF ping this often and reset the connection
   * if no pong (or any other data) comes back within `keepAliveTimeoutMs`. This is how a
   * half-open connection (sleep, network change) is noticed. 0 or absent disables it.
   */
  keepAliveIntervalMs?: number
  /** How long to wait for the pong (RFC 5626 §4.4.1 suggests 10 s). */
  keepAliveTimeoutMs?: number
}

/**
 * JsSIP `Socket` (https://jssip.net/documentation/3.x/api/socket/) over an already-connected,
 * already-trusted TLS stream.
 *
 * The adapter never opens a connection itself: the session gets the stream from the trust
 * engine, so no byte (least of all a REGISTER with credentials) can go to a server that wasn't
 * checked. `connect()` only resumes the paused stream and reports it as connected; once the
 * stream closed, `connect()` reports a failed connection and the session builds a new adapter.
 */
export class TlsSipSocket {
  /** Via transport for SIP over TLS (RFC 3261 §18, §20.42). */
  via_transport = 'TLS'
  readonly url: string
  readonly sip_uri: string

  onconnect: () => void = () => undefined
  ondisconnect: (error: boolean, code?: number, reason?: string) => void = () => undefined
  ondata: (data: string) => void = () => undefined

  readonly #stream: Duplex
  readonly #framer: SipFramer
  readonly #options: TlsSipSocketOptions
  #state: 'idle' | 'connected' | 'closed' = 'idle'
  #closeReported = false
  #keepAliveTimer: ReturnType<typeof setTimeout> | null = null
  #pongTimer: ReturnType<typeof setTimeout> | null = null

  constructor(stream: Duplex, endpoint: SocketEndpoint, options: TlsSipSocketOptions = {}) {
    this.#stream = stream
    this.#options = options
    this.#framer = new SipFramer(options.limits)
    const hostPort = `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`
    this.url = `sips://${hostPort}`
    this.sip_uri = `sip:${hostPort};transport=tls`
    stream.on('data', (chunk: Buffer | string) => this.#onData(chunk))
    stream.on('error', (error: Error) => this.#closed(true, `connection error: ${error.message}`))
    stream.on('close', () => this.#closed(true, 'connection closed by peer or network'))
    stream.on('end', () => this.#closed(true, 'connection closed by server'))
    if (stream.destroyed) this.#state = 'closed'
  }

  /** True while the stream can carry messages. */
  isConnected(): boolean {
    return this.#state === 'connected'
  }

  /** Never "connecting": the stream arrives connected. */
  isConnecting(): boolean {
    return false
  }

  connect(): void {
    // Report asynchronously, as JsSIP expects from a real socket.
    setImmediate(() => {
      if (this.#state === 'idle' && !this.#stream.destroyed) {
        this.#state = 'connected'
        this.onconnect()
        this.#stream.resume()
        this.#scheduleKeepAlive()
      } else if (this.#state !== 'connected') {
        this.ondisconnect(true, undefined, 'connection is closed')
      }
    })
  }

  disconnect(): void {
    if (this.#state === 'closed') return
    this.#closed(false, 'disconnected by us')
  }

  send(message: string | Uint8Array): boolean {
    if (this.#state !== 'connected') return false
    const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message
    if (bytes.length > 4) this.#options.trace?.('out', Buffer.from(bytes).toString('utf8'))
    this.#stream.write(bytes)
    return true
  }

  #scheduleKeepAlive(): void {
    const interval = this.#options.keepAliveIntervalMs ?? 0
    if (interval <= 0 || this.#state !== 'connected') return
    if (this.#keepAliveTimer) clearTimeout(this.#keepAliveTimer)
    this.#keepAliveTimer = setTimeout(() => {
      this.#keepAliveTimer = null
      if (this.#state !== 'connected') return
      this.#stream.write('\r\n\r\n')
      this.#pongTimer = setTimeout(
        () => this.#closed(true, 'keep-alive: no answer from the server'),
        this.#options.keepAliveTimeoutMs ?? 10_000
      )
      this.#pongTimer.unref?.()
    }, interval)
    this.#keepAliveTimer.unref?.()
  }

  #onData(chunk: Buffer | string): void {
    if (this.#state !== 'connected') return
    // Any bytes prove the connection alive, not only the pong.
    if (this.#pongTimer) clearTimeout(this.#pongTimer)
    this.#pongTimer = null
    this.#scheduleKeepAlive()
    try {
      const frames = this.#framer.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
      for (const frame of frames) {
        // JsSIP's Transport answers a "\r\n\r\n" ping with a "\r\n" pong and ignores a pong
        // (RFC 5626 §4.4.1), so keep-alives go up exactly as they came.
        if (frame.kind === 'ping') this.ondata('\r\n\r\n')
        else if (frame.kind === 'pong') this.ondata('\r\n')
        else {
          this.#options.trace?.('in', frame.text)
          this.ondata(frame.text)
        }
        if (this.#state !== 'connected') return
      }
    } catch (error) {
      const reason =
        error instanceof FramingError ? error.message : `failed to handle data: ${String(error)}`
      this.#options.log?.(`SIP framing error, resetting the connection: ${reason}`)
      this.#closed(true, `protocol error: ${reason}`)
    }
  }

  #closed(error: boolean, reason: string): void {
    const wasConnected = this.#state === 'connected'
    this.#state = 'closed'
    if (this.#keepAliveTimer) clearTimeout(this.#keepAliveTimer)
    if (this.#pongTimer) clearTimeout(this.#pongTimer)
    this.#keepAliveTimer = this.#pongTimer = null
    if (!this.#stream.destroyed) this.#stream.destroy()
    if (this.#closeReported) return
    this.#closeReported = true
    this.#options.onClosed?.({ error, reason })
    if (wasConnected) this.ondisconnect(error, undefined, reason)
  }
}
