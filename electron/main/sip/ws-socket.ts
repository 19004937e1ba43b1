import type { Duplex } from 'node:stream'
import type { Socket as NetSocket } from 'node:net'
import WebSocket from 'ws'
import type { SocketClosed, SocketEndpoint, WireTrace } from './tls-socket'

/** Largest SIP message accepted over the WebSocket (same bound as the TLS framer's body). */
const MAX_MESSAGE_BYTES = 1024 * 1024

/** Options for the adapter. */
export interface WsSipSocketOptions {
  /** HTTP path of the WebSocket endpoint (e.g. `/ws`). */
  path?: string
  onClosed?: (closed: SocketClosed) => void
  log?: (message: string) => void
  /** Sees every SIP message that goes out or comes in, for the SIP log. */
  trace?: WireTrace
}

/**
 * JsSIP `Socket` for SIP over secure WebSocket (RFC 7118) on top of a TLS stream the trust
 * engine already opened and approved: the WebSocket handshake runs over that very stream
 * (`createConnection`), so the trust decision covers it and no second connection is made.
 * WebSocket frames carry one SIP message each (RFC 7118 §5.1), so no byte framing is needed.
 */
export class WsSipSocket {
  /** Via transport for SIP over secure WebSocket (RFC 7118 §5.2). */
  via_transport = 'WSS'
  readonly url: string
  readonly sip_uri: string

  onconnect: () => void = () => undefined
  ondisconnect: (error: boolean, code?: number, reason?: string) => void = () => undefined
  ondata: (data: string) => void = () => undefined

  readonly #stream: Duplex
  readonly #options: WsSipSocketOptions
  #ws: WebSocket | null = null
  #state: 'idle' | 'connecting' | 'connected' | 'closed' = 'idle'
  #closeReported = false

  constructor(stream: Duplex, endpoint: SocketEndpoint, options: WsSipSocketOptions = {}) {
    this.#stream = stream
    this.#options = options
    const hostPort = `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`
    this.url = `wss://${hostPort}${options.path ?? '/'}`
    this.sip_uri = `sip:${hostPort};transport=ws`
  }

  isConnected(): boolean {
    return this.#state === 'connected'
  }

  isConnecting(): boolean {
    return this.#state === 'connecting'
  }

  connect(): void {
    if (this.#state !== 'idle' || this.#stream.destroyed) {
      setImmediate(() => this.ondisconnect(true, undefined, 'connection is closed'))
      return
    }
    this.#state = 'connecting'
    const stream = this.#stream
    const ws = new WebSocket(this.url, 'sip', {
      // The handshake goes over the stream the trust engine approved, never a new connection.
      createConnection: () => stream as unknown as NetSocket,
      maxPayload: MAX_MESSAGE_BYTES,
      handshakeTimeout: 10_000,
      perMessageDeflate: false
    })
    this.#ws = ws
    stream.resume()
    ws.on('open', () => {
      if (ws.protocol !== 'sip') {
        this.#closed(true, `server did not accept the "sip" WebSocket subprotocol (RFC 7118 §4)`)
        return
      }
      this.#state = 'connected'
      this.onconnect()
    })
    ws.on('message', (data: WebSocket.RawData) => {
      if (this.#state !== 'connected') return
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
      // Text frames are UTF-8; binary frames may carry SIP too (RFC 7118 §5.1).
      const text = buffer.toString('utf8')
      this.#options.trace?.('in', text)
      this.ondata(text)
    })
    ws.on('error', (error: Error) => this.#closed(true, `WebSocket error: ${error.message}`))
    ws.on('close', (code: number, reason: Buffer) =>
      this.#closed(
        true,
        `WebSocket closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`
      )
    )
  }

  disconnect(): void {
    if (this.#state === 'closed') return
    this.#closed(false, 'disconnected by us')
  }

  send(message: string | Uint8Array): boolean {
    if (this.#state !== 'connected' || !this.#ws) return false
    this.#options.trace?.(
      'out',
      typeof message === 'string' ? message : Buffer.from(message).toString('utf8')
    )
    this.#ws.send(typeof message === 'string' ? message : Buffer.from(message))
    return true
  }

  #closed(error: boolean, reason: string): void {
    const wasActive = this.#state === 'connected' || this.#state === 'connecting'
    this.#state = 'closed'
    try {
      this.#ws?.terminate()
    } catch {
      // Already closed.
    }
    if (!this.#stream.destroyed) this.#stream.destroy()
    if (this.#closeReported) return
    this.#closeReported = true
    this.#options.onClosed?.({ error, reason })
    if (wasActive) this.ondisconnect(error, undefined, reason)
  }
}
