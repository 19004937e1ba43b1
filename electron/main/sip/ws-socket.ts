import type { Duplex } from 'node:stream'
import type { Socket as NetSocket } from 'node:net'
import WebSocket from 'ws'
import { decodeContentEncoding } from './content-coding'
import {
  hostPort,
  TrustedSocket,
  type SocketEndpoint,
  type TrustedSocketOptions
} from './trusted-socket'

/** Largest SIP message accepted over the WebSocket (same bound as the TLS framer's body). */
const MAX_MESSAGE_BYTES = 1024 * 1024

/** One WebSocket message as text, its Content-Encoding undone. */
function decodedText(message: Buffer): string {
  const end = message.indexOf('\r\n\r\n')
  if (end < 0) return message.toString('utf8')
  const plain = decodeContentEncoding(
    message.subarray(0, end).toString('utf8'),
    message.subarray(end + 4),
    MAX_MESSAGE_BYTES
  )
  return `${plain.header}\r\n\r\n${Buffer.from(plain.body).toString('utf8')}`
}

/** Options for the adapter. */
export interface WsSipSocketOptions extends TrustedSocketOptions {
  /** HTTP path of the WebSocket endpoint (e.g. `/ws`). */
  path?: string
}

/**
 * JsSIP `Socket` for SIP over secure WebSocket (RFC 7118) on top of a TLS stream the trust
 * engine already opened and approved: the WebSocket handshake runs over that very stream
 * (`createConnection`), so the trust decision covers it and no second connection is made.
 * WebSocket frames carry one SIP message each (RFC 7118 §5.1), so no byte framing is needed.
 */
export class WsSipSocket extends TrustedSocket {
  /** Via transport for SIP over secure WebSocket (RFC 7118 §5.2). */
  readonly via_transport = 'WSS'

  readonly #options: WsSipSocketOptions
  #ws: WebSocket | null = null

  constructor(stream: Duplex, endpoint: SocketEndpoint, options: WsSipSocketOptions = {}) {
    const where = hostPort(endpoint)
    super(stream, `wss://${where}${options.path ?? '/'}`, `sip:${where};transport=ws`, options)
    this.#options = options
  }

  connect(): void {
    if (this.state !== 'idle' || this.stream.destroyed) {
      setImmediate(() => this.ondisconnect(true, undefined, 'connection is closed'))
      return
    }
    this.state = 'connecting'
    const stream = this.stream
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
        this.closed(true, `server did not accept the "sip" WebSocket subprotocol (RFC 7118 §4)`)
        return
      }
      this.state = 'connected'
      this.onconnect()
      this.alive()
    })
    // A pong (RFC 6455 §5.5.3) answers our flow check.
    ws.on('pong', () => {
      if (this.state === 'connected') this.alive()
    })
    ws.on('message', (data: WebSocket.RawData) => {
      if (this.state !== 'connected') return
      this.alive()
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
      // Text frames are UTF-8; binary frames may carry SIP too (RFC 7118 §5.1), and a body may
      // be compressed (Content-Encoding), which is undone here as on TLS.
      const text = decodedText(buffer)
      this.#options.trace?.('in', text)
      this.ondata(text)
    })
    ws.on('error', (error: Error) => this.closed(true, `WebSocket error: ${error.message}`))
    ws.on('close', (code: number, reason: Buffer) =>
      this.closed(true, `WebSocket closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`)
    )
  }

  send(message: string | Uint8Array): boolean {
    if (this.state !== 'connected' || !this.#ws) return false
    this.#options.trace?.(
      'out',
      typeof message === 'string' ? message : Buffer.from(message).toString('utf8')
    )
    this.#ws.send(typeof message === 'string' ? message : Buffer.from(message))
    return true
  }

  /** A WebSocket ping frame (RFC 6455 §5.5.2): SIP over WebSocket has no CRLF keep-alive. */
  protected ping(): void {
    this.#ws?.ping()
  }

  protected override teardown(): void {
    try {
      this.#ws?.terminate()
    } catch {
      // Already closed.
    }
  }
}
