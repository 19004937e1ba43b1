import type { Duplex } from 'node:stream'
import { realTimers, type Timers } from './publish'

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

/** What every adapter reports to. */
export interface TrustedSocketOptions {
  /** Called once when the connection is gone, whatever the cause. */
  onClosed?: (closed: SocketClosed) => void
  log?: (message: string) => void
  /** Sees every SIP message that goes out or comes in (not keep-alives), for the SIP log. */
  trace?: WireTrace
  /**
   * Client keep-alive (RFC 5626 §4.4.1): after this long without a byte from the server, check
   * the flow (see `checkFlow`). This is how a half-open connection (sleep, a vanished NAT
   * binding or network) is noticed while idle. 0 or absent disables it.
   */
  keepAliveIntervalMs?: number
  /** How long a flow check waits for the pong, or any byte, before failing the flow (10 s). */
  keepAliveTimeoutMs?: number
  timers?: Timers
}

/** RFC 5626 §4.4.1: "If a pong is not received within 10 seconds ... the flow has failed". */
export const FLOW_TIMEOUT_MS = 10_000

/** `host:port`, with an IPv6 literal in brackets (RFC 3986 §3.2.2). */
export function hostPort(endpoint: SocketEndpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host
  return `${host}:${endpoint.port}`
}

/**
 * What the JsSIP `Socket` adapters (https://jssip.net/documentation/3.x/api/socket/) share:
 * they run over a stream the trust engine already opened and approved, never open one
 * themselves, and report the end of the connection exactly once.
 */
export abstract class TrustedSocket {
  abstract readonly via_transport: string
  readonly url: string
  readonly sip_uri: string

  onconnect: () => void = () => undefined
  ondisconnect: (error: boolean, code?: number, reason?: string) => void = () => undefined
  ondata: (data: string) => void = () => undefined

  protected readonly stream: Duplex
  protected state: 'idle' | 'connecting' | 'connected' | 'closed' = 'idle'
  readonly #onClosed: TrustedSocketOptions['onClosed']
  readonly #timers: Timers
  readonly #keepAliveMs: number
  readonly #flowTimeoutMs: number
  #closeReported = false
  #keepAliveTimer: unknown = null
  #pongTimer: unknown = null

  constructor(stream: Duplex, url: string, sipUri: string, options: TrustedSocketOptions) {
    this.stream = stream
    this.url = url
    this.sip_uri = sipUri
    this.#onClosed = options.onClosed
    this.#timers = options.timers ?? realTimers
    this.#keepAliveMs = options.keepAliveIntervalMs ?? 0
    this.#flowTimeoutMs = options.keepAliveTimeoutMs ?? FLOW_TIMEOUT_MS
  }

  /** True while the stream can carry messages. */
  isConnected(): boolean {
    return this.state === 'connected'
  }

  isConnecting(): boolean {
    return this.state === 'connecting'
  }

  disconnect(): void {
    if (this.state === 'closed') return
    this.closed(false, 'disconnected by us')
  }

  /**
   * Checks that the server still answers on this connection (RFC 5626 §4.4.1): a ping now, and
   * the flow fails (the connection is reset and reported lost) unless a pong or any other byte
   * arrives within the flow timeout. Called by the keep-alive when the connection was quiet,
   * and at once when a transaction timed out: a request unanswered for 32 s is the first sign of
   * a connection that died without a FIN. A check already running is not restarted.
   */
  checkFlow(): void {
    if (this.state !== 'connected' || this.#pongTimer !== null) return
    this.#clearKeepAlive()
    this.ping()
    this.#pongTimer = this.#timers.setTimeout(() => {
      this.#pongTimer = null
      this.closed(true, 'flow check: no answer from the server')
    }, this.#flowTimeoutMs)
  }

  /** Sends a keep-alive ping (a CRLF pair over TLS, a WebSocket ping frame over WSS). */
  protected abstract ping(): void

  /** Stops what the adapter runs on top of the stream (a WebSocket); nothing by default. */
  protected teardown(): void {}

  /** Bytes came from the server: the flow is alive; the idle keep-alive starts over. */
  protected alive(): void {
    if (this.#pongTimer !== null) this.#timers.clearTimeout(this.#pongTimer)
    this.#pongTimer = null
    this.#clearKeepAlive()
    if (this.#keepAliveMs <= 0 || this.state !== 'connected') return
    this.#keepAliveTimer = this.#timers.setTimeout(() => {
      this.#keepAliveTimer = null
      this.checkFlow()
    }, this.#keepAliveMs)
  }

  #clearKeepAlive(): void {
    if (this.#keepAliveTimer !== null) this.#timers.clearTimeout(this.#keepAliveTimer)
    this.#keepAliveTimer = null
  }

  /** Ends the connection and reports it once: to `onClosed`, and to JsSIP if it was in use. */
  protected closed(error: boolean, reason: string): void {
    const wasActive = this.state === 'connected' || this.state === 'connecting'
    this.state = 'closed'
    this.#clearKeepAlive()
    if (this.#pongTimer !== null) this.#timers.clearTimeout(this.#pongTimer)
    this.#pongTimer = null
    this.teardown()
    if (!this.stream.destroyed) this.stream.destroy()
    if (this.#closeReported) return
    this.#closeReported = true
    this.#onClosed?.({ error, reason })
    if (wasActive) this.ondisconnect(error, undefined, reason)
  }
}
