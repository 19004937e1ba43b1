import type { Duplex } from 'node:stream'
import { markStage, stageTraceEnabled } from '../stage-trace'
import { FramingError, SipFramer, type FramerLimits } from './framer'
import {
  hostPort,
  TrustedSocket,
  type SocketEndpoint,
  type TrustedSocketOptions
} from './trusted-socket'

/** Options for the adapter. */
export interface TlsSipSocketOptions extends TrustedSocketOptions {
  limits?: FramerLimits
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
export class TlsSipSocket extends TrustedSocket {
  /** Via transport for SIP over TLS (RFC 3261 §18, §20.42). */
  readonly via_transport = 'TLS'

  readonly #framer: SipFramer
  readonly #options: TlsSipSocketOptions

  constructor(stream: Duplex, endpoint: SocketEndpoint, options: TlsSipSocketOptions = {}) {
    const where = hostPort(endpoint)
    super(stream, `sips://${where}`, `sip:${where};transport=tls`, options)
    this.#options = options
    this.#framer = new SipFramer(options.limits)
    stream.on('data', (chunk: Buffer | string) => this.#onData(chunk))
    stream.on('error', (error: Error) => this.closed(true, `connection error: ${error.message}`))
    stream.on('close', () => this.closed(true, 'connection closed by peer or network'))
    stream.on('end', () => this.closed(true, 'connection closed by server'))
    // Never "connecting": the stream arrives connected.
    if (stream.destroyed) this.state = 'closed'
    markStage('sip-socket')
  }

  connect(): void {
    markStage('ua-start')
    // Report asynchronously, as JsSIP expects from a real socket, but on this turn: the stream
    // is already open, and a setImmediate would put the first REGISTER behind every I/O
    // callback the event loop has queued.
    queueMicrotask(() => {
      if (this.state === 'idle' && !this.stream.destroyed) {
        markStage('sip-connected')
        this.state = 'connected'
        this.onconnect()
        this.stream.resume()
        this.alive()
      } else if (this.state !== 'connected') {
        this.ondisconnect(true, undefined, 'connection is closed')
      }
    })
  }

  send(message: string | Uint8Array): boolean {
    if (this.state !== 'connected') return false
    const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message
    if (stageTraceEnabled()) markStage('sip-out', startLine(message))
    this.stream.write(bytes)
    // Logged after the write, so the bytes leave first; nothing can be read in between.
    if (bytes.length > 4) {
      this.#options.trace?.(
        'out',
        typeof message === 'string' ? message : Buffer.from(bytes).toString('utf8')
      )
    }
    return true
  }

  /** RFC 5626 §4.4.1: a double CRLF; the server answers with a single CRLF. */
  protected ping(): void {
    this.stream.write('\r\n\r\n')
  }

  #onData(chunk: Buffer | string): void {
    if (this.state !== 'connected') return
    // Any bytes prove the connection alive, not only the pong.
    this.alive()
    try {
      const frames = this.#framer.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
      for (const frame of frames) {
        // JsSIP's Transport answers a "\r\n\r\n" ping with a "\r\n" pong and ignores a pong
        // (RFC 5626 §4.4.1), so keep-alives go up exactly as they came.
        if (frame.kind === 'ping') this.ondata('\r\n\r\n')
        else if (frame.kind === 'pong') this.ondata('\r\n')
        else {
          this.#options.trace?.('in', frame.text)
          if (stageTraceEnabled()) markStage('sip-in', startLine(frame.text))
          this.ondata(frame.text)
        }
        if (this.state !== 'connected') return
      }
    } catch (error) {
      const reason =
        error instanceof FramingError ? error.message : `failed to handle data: ${String(error)}`
      this.#options.log?.(`SIP framing error, resetting the connection: ${reason}`)
      this.closed(true, `protocol error: ${reason}`)
    }
  }
}

/** A SIP message's first line, for the stage trace (no headers, so no credentials). */
function startLine(message: string | Uint8Array): string {
  const text =
    typeof message === 'string' ? message : Buffer.from(message.subarray(0, 200)).toString('latin1')
  const end = text.indexOf('\r\n')
  return (end < 0 ? text : text.slice(0, end)).slice(0, 120)
}
