import { X509Certificate } from 'node:crypto'
import { isIP, Socket, connect as netConnect } from 'node:net'
import { Duplex } from 'node:stream'
import * as tls from 'node:tls'
import type { NodeVerdict, TlsSessionInfo } from '../../../shared/types/trust'
import { markStage } from '../stage-trace'
import {
  alertFromErrorCode,
  alertName,
  parseServerFlight,
  type HandshakeCapture
} from './handshake-capture'

/** A client certificate for mutual TLS: a PKCS#12 bundle or a PEM certificate + key. */
export type ClientCertificate =
  | { pfx: Buffer; passphrase?: string }
  | { cert: string | Buffer; key: string | Buffer; passphrase?: string }

/** Options of one TLS connection attempt. */
export interface ConnectOptions {
  /** The server's name: the SNI default and the name Node checks the certificate against. */
  host: string
  /** Where to dial when discovery already resolved host (IP or another name); default host. */
  address?: string
  port: number
  /** SNI and the name Node checks; defaults to host unless host is an IP (RFC 6066 3). */
  servername?: string | null
  /** PEM trust anchors Node verifies against (the same anchors our engine uses). */
  ca: readonly string[]
  clientCert?: ClientCertificate
  /**
   * A context already built from exactly `ca` and `clientCert` (see SecureContextCache); without
   * it one is built for this connection.
   */
  secureContext?: tls.SecureContext
  /** Whole connect + handshake budget. */
  timeoutMs?: number
  /**
   * TLS 1.3 only: how long to wait after the handshake for the server's verdict on our client
   * certificate (the alert or session ticket arrives one round trip after our Finished).
   */
  postHandshakeMs?: number
  /**
   * Read the sent chain from the handshake (default true). False uses Node's peer chain only,
   * the same fallback as when the handshake cannot be decoded (e.g. no keylog support).
   */
  captureHandshake?: boolean
}

/** How the sent chain was obtained. */
export type ChainSource = 'handshake' | 'node-peer-chain'

/** An established, verdict-pending TLS connection and what it revealed. */
export interface ConnectResult {
  /** Open, no application data written; reading is paused at stream level. */
  socket: tls.TLSSocket
  /** DER certificates as the server sent them (see chainSource). */
  sentChain: Buffer[]
  /**
   * 'handshake': recovered from the server's Certificate message, exact order and duplicates.
   * 'node-peer-chain': fallback from getPeerCertificate(true), which is OpenSSL's issuer-ordered
   * reconstruction (sent certificates that do not chain are lost, anchors may be added).
   */
  chainSource: ChainSource
  /** Why the fallback was used, or null. */
  chainNote: string | null
  tls: TlsSessionInfo
  node: NodeVerdict
  remoteAddress: string | null
  /** Our end of the TCP connection (for a SIP Via), null when unknown. */
  local: { address: string; port: number } | null
  /** What the server's handshake showed beyond the chain (CertificateRequest CA names). */
  handshake: HandshakeFacts
}

/**
 * What a handshake revealed about the server's side of mutual TLS, kept whether the handshake
 * succeeded or failed (a failed one is where these facts matter most).
 */
export interface HandshakeFacts {
  /** 'TLSv1.2' / 'TLSv1.3' from the ServerHello, null when none was seen. */
  protocol: string | null
  /** The server sent a CertificateRequest; null when the flight could not be read. */
  certificateRequested: boolean | null
  /** CA names (DER) of the CertificateRequest; see HandshakeCapture.certificateAuthorities. */
  certificateAuthorities: Buffer[] | null
  /** The server's certificates as sent, when the flight could be read. */
  sentChain: Buffer[] | null
  /**
   * The alert the server sent, by registry name ('unknown_ca'), from the TLS library's error or
   * a plaintext alert record; null when the handshake failed (or succeeded) without one.
   */
  alert: string | null
  /**
   * The server proved it holds the key of the certificate it sent: the handshake completed on our
   * side (TLS 1.3 verifies CertificateVerify and Finished before secureConnect), or, in TLS 1.2,
   * its signed ServerKeyExchange was verified before it refused our client certificate. Until
   * then the certificate is anyone's copy and is not judged.
   */
  keyProven: boolean
}

function handshakeFacts(
  capture: HandshakeCapture | null,
  errorCode: string | null,
  keyProven: boolean
): HandshakeFacts {
  const fatal = capture?.alerts.find((a) => a.level === 2) ?? capture?.alerts[0]
  return {
    keyProven,
    protocol: capture?.protocol ?? null,
    certificateRequested: capture?.certificateRequested ?? null,
    certificateAuthorities: capture?.certificateAuthorities ?? null,
    sentChain: capture?.certificates ?? null,
    alert: alertFromErrorCode(errorCode) ?? (fatal ? alertName(fatal.description) : null)
  }
}

/** Why a connection attempt failed, as a stable code plus one clear sentence. */
export type ConnectErrorCode =
  | 'dns'
  | 'refused'
  | 'unreachable'
  | 'timeout'
  | 'closed'
  | 'tls-failed'
  | 'protocol-too-old'
  | 'client-cert-unreadable'
  | 'client-cert-bad-passphrase'
  | 'client-cert-key-mismatch'
  | 'client-cert-required'
  | 'client-cert-rejected'

/** A connection attempt that failed before a trust verdict could be made. */
export class ConnectError extends Error {
  /** What the handshake showed before it failed; null when it failed before any TLS. */
  handshake: HandshakeFacts | null = null

  constructor(
    readonly code: ConnectErrorCode,
    message: string,
    readonly causeCode: string | null = null
  ) {
    super(message)
    this.name = 'ConnectError'
  }
}

/** Most raw handshake bytes kept; a real server flight is a few KB. */
const maxCaptureBytes = 512 * 1024

/**
 * A pass-through stream between the TCP socket and TLS that records what the server sends until
 * the handshake is done. It makes Node wrap it in a JS stream, so we see the raw records.
 */
class TapStream extends Duplex {
  readonly captured: Buffer[] = []
  capturedBytes = 0
  recording = true

  constructor(private readonly raw: Socket) {
    super()
    raw.on('data', (chunk: Buffer) => {
      if (this.recording && this.capturedBytes < maxCaptureBytes) {
        this.captured.push(chunk)
        this.capturedBytes += chunk.length
      }
      if (!this.push(chunk)) raw.pause()
    })
    raw.on('end', () => this.push(null))
    raw.on('error', (e) => this.destroy(e))
    raw.on('close', () => {
      if (!this.destroyed) this.destroy()
    })
  }

  override _read(): void {
    this.raw.resume()
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.raw.write(chunk, cb)
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.raw.end(cb)
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.raw.destroy()
    cb(err)
  }
}

function netError(e: NodeJS.ErrnoException, host: string, port: number): ConnectError {
  switch (e.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NODATA':
      return new ConnectError(
        'dns',
        `The name ${host} could not be resolved (DNS: ${e.code}).`,
        e.code
      )
    case 'ECONNREFUSED':
      return new ConnectError(
        'refused',
        `${host}:${port} refused the connection; nothing listens there or a firewall rejects it.`,
        e.code
      )
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ConnectError('unreachable', `${host}:${port} is unreachable (${e.code}).`, e.code)
    case 'ECONNRESET':
    case 'EPIPE':
      return new ConnectError(
        'closed',
        `${host}:${port} closed the connection during the TLS handshake (${e.code}); it may not speak TLS on this port.`,
        e.code
      )
    default:
      return new ConnectError(
        'tls-failed',
        `Connecting to ${host}:${port} failed: ${e.message}`,
        e.code ?? null
      )
  }
}

/** Builds the secure context up front so client-certificate problems get their own clear error. */
export function createClientContext(
  ca: readonly string[],
  clientCert?: ClientCertificate
): tls.SecureContext {
  const base: tls.SecureContextOptions = { ca: [...ca], minVersion: 'TLSv1.2' }
  if (!clientCert) return tls.createSecureContext(base)
  try {
    if ('pfx' in clientCert) {
      return tls.createSecureContext({
        ...base,
        pfx: clientCert.pfx,
        passphrase: clientCert.passphrase ?? ''
      })
    }
    return tls.createSecureContext({
      ...base,
      cert: clientCert.cert,
      key: clientCert.key,
      ...(clientCert.passphrase !== undefined ? { passphrase: clientCert.passphrase } : {})
    })
  } catch (e) {
    const msg = (e as Error).message
    if (/mac verify failure|bad decrypt|invalid password|interrupted or cancelled/i.test(msg)) {
      return fail(
        'client-cert-bad-passphrase',
        'The client certificate could not be opened: the passphrase is wrong (or missing).'
      )
    }
    if (/key values mismatch|KEY_VALUES_MISMATCH/i.test(msg)) {
      return fail(
        'client-cert-key-mismatch',
        'The client certificate and the private key do not belong together (key mismatch).'
      )
    }
    return fail('client-cert-unreadable', `The client certificate could not be read: ${msg}`)
  }

  function fail(code: ConnectErrorCode, message: string): never {
    throw new ConnectError(code, message, null)
  }
}

// TLS alert descriptions (RFC 8446 6.2) that mean "your certificate was not accepted".
const certRejectAlerts =
  /ALERT_(BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|CERTIFICATE_UNKNOWN|UNKNOWN_CA|ACCESS_DENIED|DECRYPT_ERROR)/

function handshakeError(
  e: NodeJS.ErrnoException,
  o: { host: string; port: number; requested: boolean | null; haveCert: boolean }
): ConnectError {
  const code = e.code ?? ''
  const where = `${o.host}:${o.port}`
  // Some servers (Node's own, with requestCert + rejectUnauthorized) reject a client
  // certificate by closing the connection without an alert; after a CertificateRequest that is
  // the most likely meaning, so say so instead of "connection reset".
  const silentClose = /^(ECONNRESET|EPIPE|closed)$/.test(code)
  if (
    /CERTIFICATE_REQUIRED/.test(code) ||
    (!o.haveCert && o.requested && (/ALERT/.test(code) || silentClose))
  ) {
    return new ConnectError(
      'client-cert-required',
      `${where} requires a client certificate and none was configured; add the certificate your administrator issued.`,
      code
    )
  }
  if (o.haveCert && o.requested && silentClose) {
    return new ConnectError(
      'client-cert-rejected',
      `${where} closed the connection right after receiving our client certificate, without saying why; it most likely does not accept that certificate (expired, revoked or from a CA it does not trust).`,
      code
    )
  }
  if (
    o.haveCert &&
    (certRejectAlerts.test(code) || (o.requested && /ALERT_HANDSHAKE_FAILURE/.test(code)))
  ) {
    return new ConnectError(
      'client-cert-rejected',
      `${where} rejected our client certificate (${code}); it may be expired, revoked or from a CA the server does not accept.`,
      code
    )
  }
  if (/UNSUPPORTED_PROTOCOL|PROTOCOL_VERSION/.test(code)) {
    return new ConnectError(
      'protocol-too-old',
      `${where} only offers TLS versions older than 1.2, which TrustLine refuses.`,
      code
    )
  }
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|RECORD_LAYER/.test(code)) {
    return new ConnectError(
      'tls-failed',
      `${where} does not speak TLS on this port (${code}).`,
      code
    )
  }
  if (code === 'closed') return new ConnectError('closed', e.message, null)
  if (e.code && /^E[A-Z]+$/.test(e.code)) return netError(e, o.host, o.port)
  return new ConnectError(
    'tls-failed',
    `The TLS handshake with ${where} failed: ${e.message}`,
    e.code ?? null
  )
}

function peerChainFallback(socket: tls.TLSSocket): Buffer[] {
  const out: Buffer[] = []
  const seen = new Set<string>()
  let c: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true)
  while (c && c.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256)
    out.push(Buffer.from(c.raw))
    c = c.issuerCertificate
  }
  return out
}

/**
 * Opens a TLS connection (TLS 1.2 minimum, SNI) and stops after the handshake: nothing is written
 * on it until the caller has decided to trust the server. Node's own verification runs with
 * rejectUnauthorized false against `ca`, so its verdict can be compared with ours.
 */
export async function connectTls(options: ConnectOptions): Promise<ConnectResult> {
  const { host, port } = options
  const servername =
    options.servername === undefined ? (isIP(host) ? null : host) : options.servername
  const timeoutMs = options.timeoutMs ?? 10_000
  const secureContext = options.secureContext ?? createClientContext(options.ca, options.clientCert)
  const haveCert = options.clientCert !== undefined
  const deadline = Date.now() + timeoutMs

  markStage('tcp-connect')
  const raw = await new Promise<Socket>((resolve, reject) => {
    const s = netConnect({ host: options.address ?? host, port })
    const timer = setTimeout(() => {
      s.destroy()
      reject(new ConnectError('timeout', `${host}:${port} did not answer within ${timeoutMs} ms.`))
    }, timeoutMs)
    s.once('connect', () => {
      clearTimeout(timer)
      s.removeAllListeners('error')
      resolve(s)
    })
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(netError(e, host, port))
    })
  })
  markStage('tcp-connected')
  const remoteAddress = raw.remoteAddress ?? null
  const localEnd =
    raw.localAddress && raw.localPort ? { address: raw.localAddress, port: raw.localPort } : null
  const tap = new TapStream(raw)
  const keylog: string[] = []

  const socket = tls.connect({
    socket: tap,
    host,
    ...(servername ? { servername } : {}),
    secureContext,
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2'
  })
  socket.on('keylog', (line: Buffer) => keylog.push(line.toString('latin1')))
  // A permanent listener, so an error while we evaluate (or before the SIP layer attaches its
  // own) closes the socket instead of crashing the main process with an unhandled 'error'.
  socket.on('error', () => undefined)
  tap.on('error', () => undefined)

  // Protocol and suite come from the captured ServerHello: asking a socket that failed or closed
  // mid-handshake for them is not safe (a freed SSL object under a JS stream).
  const flight = () => parseServerFlight(Buffer.concat(tap.captured), null, null, keylog)

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new ConnectError(
              'timeout',
              `The TLS handshake with ${host}:${port} did not finish in ${timeoutMs} ms.`
            )
          ),
        Math.max(1, deadline - Date.now())
      )
      const cleanup = () => {
        clearTimeout(timer)
        socket.off('secureConnect', onSecure)
        socket.off('error', onError)
        socket.off('close', onClose)
      }
      const onSecure = () => {
        markStage('tls-handshake-done')
        cleanup()
        resolve()
      }
      const onError = (e: NodeJS.ErrnoException) => {
        cleanup()
        const requested = tap.capturedBytes > 0 ? flight().certificateRequested : null
        reject(handshakeError(e, { host, port, requested, haveCert }))
      }
      const onClose = () => {
        cleanup()
        const requested = tap.capturedBytes > 0 ? flight().certificateRequested : null
        const closed = Object.assign(
          new Error(`${host}:${port} closed the connection during the TLS handshake.`),
          { code: 'closed' }
        )
        reject(handshakeError(closed, { host, port, requested, haveCert }))
      }
      socket.once('secureConnect', onSecure)
      socket.once('error', onError)
      socket.once('close', onClose)
    })
  } catch (e) {
    if (e instanceof ConnectError) {
      const capture = tap.capturedBytes > 0 ? flight() : null
      // Before secureConnect only a TLS 1.2 signed key exchange, verified before the server
      // judged our certificate, shows that the server holds its key.
      const refusedUs = e.code === 'client-cert-required' || e.code === 'client-cert-rejected'
      e.handshake = handshakeFacts(capture, e.causeCode, refusedUs && !!capture?.keyExchangeSigned)
    }
    socket.destroy()
    throw e
  }
  tap.recording = false

  const protocol = socket.getProtocol()
  const cipher = socket.getCipher()
  const capture = flight()
  markStage('chain-captured')
  tap.captured.length = 0
  const requested = capture.certificateRequested ?? false
  const local = socket.getCertificate()
  const clientCertSent = requested && haveCert && !!local && Object.keys(local).length > 0

  // In TLS 1.3 the server judges our certificate after our Finished, i.e. after secureConnect:
  // a missing or rejected client certificate arrives as an alert one round trip later
  // (RFC 8446 4.4.2.4), and acceptance typically shows as a NewSessionTicket.
  if (protocol === 'TLSv1.3' && (requested || capture.certificateRequested === null)) {
    const wait = Math.min(options.postHandshakeMs ?? 1000, Math.max(0, deadline - Date.now()))
    const late = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const timer = setTimeout(() => done(null), wait)
      const onError = (e: NodeJS.ErrnoException) => done(e)
      const onSession = () => done(null)
      const onClose = () =>
        done(
          Object.assign(new Error('connection closed after the handshake'), { code: 'ECONNRESET' })
        )
      function done(v: NodeJS.ErrnoException | null) {
        clearTimeout(timer)
        socket.off('error', onError)
        socket.off('session', onSession)
        socket.off('close', onClose)
        resolve(v)
      }
      socket.once('error', onError)
      socket.once('session', onSession)
      socket.once('close', onClose)
    })
    if (late) {
      socket.destroy()
      const error =
        late.code === 'ECONNRESET' && !requested
          ? new ConnectError(
              'closed',
              `${host}:${port} closed the connection right after the handshake.`
            )
          : handshakeError(late, { host, port, requested: requested || null, haveCert })
      // After secureConnect: OpenSSL verified the server's CertificateVerify and Finished.
      error.handshake = handshakeFacts(capture, late.code ?? null, true)
      throw error
    }
  }
  socket.pause()

  let sentChain = options.captureHandshake === false ? null : capture.certificates
  let chainSource: ChainSource = 'handshake'
  let chainNote: string | null = null
  if (!sentChain) {
    sentChain = peerChainFallback(socket)
    chainSource = 'node-peer-chain'
    chainNote = `${options.captureHandshake === false ? 'handshake capture disabled' : (capture.problem ?? 'handshake not captured')}; showing Node's issuer-ordered peer chain instead of the exact sent order`
  }

  const authorizationError = socket.authorizationError
  markStage('connected')
  return {
    socket,
    sentChain,
    chainSource,
    chainNote,
    tls: {
      protocol: protocol ?? null,
      cipher: cipher?.standardName ?? cipher?.name ?? null,
      clientCertRequested: requested,
      clientCertSent
    },
    node: {
      authorized: socket.authorized,
      authorizationError: authorizationError ? String(authorizationError) : null
    },
    remoteAddress,
    local: localEnd,
    handshake: handshakeFacts(capture, null, true)
  }
}

/** SHA-256 of a DER certificate as colon hex uppercase (the exception/fingerprint format). */
export function sha256Fingerprint(der: Buffer): string {
  return new X509Certificate(der).fingerprint256
}
