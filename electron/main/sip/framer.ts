import { decodeContentEncoding } from './content-coding'

/**
 * Splits a SIP byte stream (TLS/TCP) into whole messages.
 *
 * Over a stream transport Content-Length is mandatory and counts bytes of the body (RFC 3261
 * §18.3, §20.14), so framing works on bytes, never on decoded characters: one multi-byte UTF-8
 * character in a MESSAGE body would otherwise shift every later message. A CRLF keep-alive ping
 * ("\r\n\r\n") and its pong ("\r\n") may sit between messages (RFC 5626 §4.4.1, §3.5.1).
 */

/** What the framer found in the stream. */
export type Frame = { kind: 'message'; text: string } | { kind: 'ping' } | { kind: 'pong' }

/** Raised when the stream cannot be framed any more; the only safe reaction is to reset it. */
export class FramingError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FramingError'
  }
}

/** Limits that keep a hostile or broken peer from making us buffer without end. */
export interface FramerLimits {
  maxHeaderBytes: number
  maxBodyBytes: number
}

/** Defaults: generous for presence documents and IM, far below anything that hurts. */
export const defaultFramerLimits: FramerLimits = {
  maxHeaderBytes: 64 * 1024,
  maxBodyBytes: 1024 * 1024
}

const CRLF = Buffer.from('\r\n')
const CRLFCRLF = Buffer.from('\r\n\r\n')
const utf8 = new TextDecoder('utf-8', { fatal: true })
const lenient = new TextDecoder('utf-8')

// Request-Line (RFC 3261 §7.1) or Status-Line (§7.2).
const startLineRe = /^(?:[A-Za-z]+ \S+ SIP\/2\.0|SIP\/2\.0 [1-6]\d\d(?: .*)?)$/
// Content-Length or its compact form `l` (RFC 3261 §7.3.3, §20.14).
const contentLengthRe = /^(?:content-length|l)[ \t]*:[ \t]*(.*)$/i

/** Incremental framer: feed it chunks as they come, it returns the complete frames. */
export class SipFramer {
  #buffer: Buffer = Buffer.alloc(0)
  #failed: FramingError | null = null

  constructor(private readonly limits: FramerLimits = defaultFramerLimits) {}

  /** Bytes waiting for the rest of their message. */
  get pendingBytes(): number {
    return this.#buffer.length
  }

  /**
   * Adds a chunk and returns every frame it completed. Throws FramingError on a stream that
   * cannot be framed; after that the framer stays failed, as the connection must be reset.
   */
  push(chunk: Uint8Array): Frame[] {
    if (this.#failed) throw this.#failed
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : Buffer.from(chunk)
    const frames: Frame[] = []
    try {
      for (;;) {
        const frame = this.#next()
        if (!frame) break
        frames.push(frame)
      }
    } catch (error) {
      this.#failed =
        error instanceof FramingError ? error : new FramingError(`framing failed: ${String(error)}`)
      this.#buffer = Buffer.alloc(0)
      throw this.#failed
    }
    return frames
  }

  #next(): Frame | null {
    const buf = this.#buffer
    if (buf.length === 0) return null
    if (buf[0] === 0x0d) {
      // Keep-alives. A lone "\r\n" might be the first half of a ping split by TCP: wait for one
      // more byte before calling it a pong (pongs need no answer, so the delay is harmless).
      if (buf.length >= 4 && buf.subarray(0, 4).equals(CRLFCRLF)) {
        this.#buffer = buf.subarray(4)
        return { kind: 'ping' }
      }
      if (buf.length >= 2 && buf.subarray(0, 2).equals(CRLF)) {
        if (buf.length === 2 || (buf.length === 3 && buf[2] === 0x0d)) return null
        this.#buffer = buf.subarray(2)
        return { kind: 'pong' }
      }
      if (buf.length === 1) return null
      throw new FramingError('stray carriage return between messages')
    }
    const headerEnd = buf.indexOf(CRLFCRLF)
    if (headerEnd < 0) {
      if (buf.length > this.limits.maxHeaderBytes) {
        throw new FramingError(`header section longer than ${this.limits.maxHeaderBytes} bytes`)
      }
      return null
    }
    if (headerEnd > this.limits.maxHeaderBytes) {
      throw new FramingError(`header section longer than ${this.limits.maxHeaderBytes} bytes`)
    }
    const header = decode(buf.subarray(0, headerEnd), 'header section')
    const bodyLength = this.#contentLength(header)
    const total = headerEnd + 4 + bodyLength
    if (buf.length < total) return null
    // The header must be UTF-8; a compressed body is decoded first (Linphone deflates its
    // receipts), and a body in another charset is passed on with replacement characters, and
    // JsSIP's own Content-Length sanity check then answers 400 for it.
    const plain = decodeContentEncoding(
      header,
      buf.subarray(headerEnd + 4, total),
      this.limits.maxBodyBytes
    )
    const text = `${plain.header}\r\n\r\n${lenient.decode(plain.body)}`
    this.#buffer = buf.subarray(total)
    return { kind: 'message', text }
  }

  #contentLength(header: string): number {
    const lines = header.split('\r\n')
    const startLine = lines[0] ?? ''
    if (!startLineRe.test(startLine)) {
      throw new FramingError(`not a SIP start line: ${JSON.stringify(startLine.slice(0, 80))}`)
    }
    let length: number | null = null
    for (const line of lines.slice(1)) {
      const match = contentLengthRe.exec(line)
      if (!match) continue
      const raw = (match[1] ?? '').trim()
      if (!/^\d{1,10}$/.test(raw)) {
        throw new FramingError(`invalid Content-Length ${JSON.stringify(raw.slice(0, 40))}`)
      }
      const value = Number(raw)
      if (length !== null && length !== value) {
        throw new FramingError('conflicting Content-Length headers')
      }
      length = value
    }
    if (length === null) {
      throw new FramingError('Content-Length missing (mandatory over TLS/TCP, RFC 3261 §18.3)')
    }
    if (length > this.limits.maxBodyBytes) {
      throw new FramingError(
        `Content-Length ${length} exceeds the ${this.limits.maxBodyBytes}-byte limit`
      )
    }
    return length
  }
}

function decode(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes)
  } catch {
    throw new FramingError(`${what} is not valid UTF-8`)
  }
}
