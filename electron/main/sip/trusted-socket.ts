import type { Duplex } from 'node:stream'

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
}

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
  #closeReported = false

  constructor(stream: Duplex, url: string, sipUri: string, options: TrustedSocketOptions) {
    this.stream = stream
    this.url = url
    this.sip_uri = sipUri
    this.#onClosed = options.onClosed
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

  /** Stops what the adapter runs on top of the stream (timers, a WebSocket). */
  protected abstract teardown(): void

  /** Ends the connection and reports it once: to `onClosed`, and to JsSIP if it was in use. */
  protected closed(error: boolean, reason: string): void {
    const wasActive = this.state === 'connected' || this.state === 'connecting'
    this.state = 'closed'
    this.teardown()
    if (!this.stream.destroyed) this.stream.destroy()
    if (this.#closeReported) return
    this.#closeReported = true
    this.#onClosed?.({ error, reason })
    if (wasActive) this.ondisconnect(error, undefined, reason)
  }
}
