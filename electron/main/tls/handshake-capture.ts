import { createDecipheriv, createHmac } from 'node:crypto'

/** What the server's handshake flight showed, recovered from the raw bytes it sent. */
export interface HandshakeCapture {
  /** 'TLSv1.2' or 'TLSv1.3' (given, or read from the ServerHello); null when unknown. */
  protocol: string | null
  /** DER certificates exactly as sent, in the order sent; null when they could not be recovered. */
  certificates: Buffer[] | null
  /** The server sent a CertificateRequest (it asked for a client certificate). */
  certificateRequested: boolean | null
  /**
   * The CA names (DER DistinguishedNames) of the CertificateRequest: the CAs whose client
   * certificates the server says it accepts. TLS 1.2 always has the list (possibly empty,
   * RFC 5246 7.4.4); TLS 1.3 only when the server added the optional certificate_authorities
   * extension (RFC 8446 4.2.4). Null when there was no request, no such extension, or it could not
   * be read.
   */
  certificateAuthorities: Buffer[] | null
  /** Alerts the server sent in the clear in the captured bytes (RFC 8446 6; TLS 1.2 before CCS). */
  alerts: TlsAlert[]
  /** Why certificates/certificateRequested are null, for the helpdesk. */
  problem: string | null
  /**
   * TLS 1.2: the flight held a ServerKeyExchange (signed with the certificate's key over our
   * fresh random, RFC 5246 7.4.3) and the ServerHelloDone after it, so a client that went on past
   * it verified that signature. False otherwise (TLS 1.3, RSA key exchange, a cut flight).
   */
  keyExchangeSigned: boolean
}

/** A TLS alert: level 1 warning, 2 fatal; description per RFC 8446 6 (name via alertName). */
export interface TlsAlert {
  level: number
  description: number
}

/** Alert descriptions (RFC 8446 6, RFC 5246 7.2) by number, in the registry's snake_case. */
const alertNames: Record<number, string> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  22: 'record_overflow',
  40: 'handshake_failure',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  109: 'missing_extension',
  110: 'unsupported_extension',
  112: 'unrecognized_name',
  113: 'bad_certificate_status_response',
  115: 'unknown_psk_identity',
  116: 'certificate_required',
  120: 'no_application_protocol'
}

/** The registry name of an alert description ('unknown_ca'), or `alert_<n>` when unlisted. */
export function alertName(description: number): string {
  return alertNames[description] ?? `alert_${description}`
}

/**
 * The alert a TLS library error code reports as received from the peer: OpenSSL and BoringSSL
 * name them `…ALERT_UNKNOWN_CA` (e.g. Node's `ERR_SSL_TLSV1_ALERT_UNKNOWN_CA`,
 * `ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`). TLS 1.3 alerts are encrypted, so this is the only
 * place they show. Null when the code names no alert.
 */
export function alertFromErrorCode(code: string | null | undefined): string | null {
  const m = /ALERT_([A-Z0-9_]+)$/.exec(code ?? '')
  if (!m) return null
  const name = m[1]!.toLowerCase()
  return Object.values(alertNames).includes(name) ? name : null
}

interface TlsRecord {
  type: number
  header: Buffer
  body: Buffer
}

const contentType = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 }
const handshakeType = {
  serverHello: 2,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  finished: 20,
  compressedCertificate: 25
}

/** TLS 1.3 AEADs (RFC 8446 B.4) Node can decrypt: cipher, key length, HKDF hash. */
const tls13Suites: Record<string, { cipher: string; keyLen: number; hash: string }> = {
  TLS_AES_128_GCM_SHA256: { cipher: 'aes-128-gcm', keyLen: 16, hash: 'sha256' },
  TLS_AES_256_GCM_SHA384: { cipher: 'aes-256-gcm', keyLen: 32, hash: 'sha384' },
  TLS_CHACHA20_POLY1305_SHA256: { cipher: 'chacha20-poly1305', keyLen: 32, hash: 'sha256' }
}

const tls13SuiteIds: Record<number, string> = {
  0x1301: 'TLS_AES_128_GCM_SHA256',
  0x1302: 'TLS_AES_256_GCM_SHA384',
  0x1303: 'TLS_CHACHA20_POLY1305_SHA256'
}

/** Cipher suite id of the (first) ServerHello; 0x13xx suites exist only in TLS 1.3. */
function serverHelloSuite(records: TlsRecord[]): number | null {
  const hs = Buffer.concat(
    records.filter((r) => r.type === contentType.handshake).map((r) => r.body)
  )
  if (hs.length < 4 + 35 || hs[0] !== handshakeType.serverHello) return null
  const sidLen = hs[4 + 34]!
  const at = 4 + 35 + sidLen
  return at + 2 <= hs.length ? hs.readUInt16BE(at) : null
}

function splitRecords(raw: Buffer): TlsRecord[] {
  const out: TlsRecord[] = []
  let i = 0
  while (i + 5 <= raw.length) {
    const len = raw.readUInt16BE(i + 3)
    if (i + 5 + len > raw.length) break
    out.push({
      type: raw[i]!,
      header: raw.subarray(i, i + 5),
      body: raw.subarray(i + 5, i + 5 + len)
    })
    i += 5 + len
  }
  return out
}

function hkdfExpand(hash: string, prk: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = []
  let prev = Buffer.alloc(0)
  let have = 0
  for (let n = 1; have < length; n++) {
    prev = createHmac(hash, prk).update(prev).update(info).update(Buffer.of(n)).digest()
    blocks.push(prev)
    have += prev.length
  }
  return (blocks.length === 1 ? prev : Buffer.concat(blocks)).subarray(0, length)
}

/** HKDF-Expand-Label with an empty context (RFC 8446 7.1). */
function expandLabel(hash: string, secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1')
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, full.length]),
    full,
    Buffer.from([0])
  ])
  return hkdfExpand(hash, secret, info, length)
}

function decryptRecord(
  suite: { cipher: string; keyLen: number; hash: string },
  key: Buffer,
  iv: Buffer,
  seq: number,
  record: TlsRecord
): { type: number; content: Buffer } {
  // Per-record nonce: the static IV XORed with the 64-bit sequence number (RFC 8446 5.3).
  // A handshake flight has a handful of records, so the sequence number fits its low 32 bits.
  const nonce = Buffer.from(iv)
  nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seq) >>> 0, 8)
  const tag = record.body.subarray(record.body.length - 16)
  const ct = record.body.subarray(0, record.body.length - 16)
  const decipher = createDecipheriv(suite.cipher as 'aes-128-gcm', key, nonce, {
    authTagLength: 16
  })
  decipher.setAAD(record.header)
  decipher.setAuthTag(tag)
  const plain = Buffer.concat([decipher.update(ct), decipher.final()])
  // TLSInnerPlaintext: content || type || zero padding.
  let end = plain.length - 1
  while (end >= 0 && plain[end] === 0) end--
  if (end < 0) throw new Error('record without content type')
  return { type: plain[end]!, content: plain.subarray(0, end) }
}

interface HandshakeMessage {
  type: number
  body: Buffer
}

function splitHandshake(stream: Buffer): HandshakeMessage[] {
  const out: HandshakeMessage[] = []
  let i = 0
  while (i + 4 <= stream.length) {
    const len = stream.readUIntBE(i + 1, 3)
    if (i + 4 + len > stream.length) break
    out.push({ type: stream[i]!, body: stream.subarray(i + 4, i + 4 + len) })
    i += 4 + len
  }
  return out
}

function parseCertificateMessage(body: Buffer, tls13: boolean): Buffer[] {
  let i = 0
  if (tls13) i += 1 + body[0]! // certificate_request_context
  const listLen = body.readUIntBE(i, 3)
  i += 3
  const end = i + listLen
  if (end > body.length) throw new Error('truncated Certificate message')
  const certs: Buffer[] = []
  while (i < end) {
    const len = body.readUIntBE(i, 3)
    i += 3
    certs.push(Buffer.from(body.subarray(i, i + len)))
    i += len
    if (tls13) i += 2 + body.readUInt16BE(i) // per-certificate extensions (OCSP, SCT)
  }
  return certs
}

/** certificate_authorities (RFC 8446 4.2.4): the same DistinguishedName list as TLS 1.2's. */
const certificateAuthoritiesExtension = 47

/** A list of 16-bit-length-prefixed DistinguishedNames, itself 16-bit-length-prefixed. */
function readNameList(body: Buffer, at: number): Buffer[] {
  const len = body.readUInt16BE(at)
  const end = at + 2 + len
  if (end > body.length) throw new Error('truncated CA name list')
  const names: Buffer[] = []
  for (let i = at + 2; i < end;) {
    const n = body.readUInt16BE(i)
    if (i + 2 + n > end) throw new Error('truncated CA name')
    names.push(Buffer.from(body.subarray(i + 2, i + 2 + n)))
    i += 2 + n
  }
  return names
}

/**
 * The CA names of a CertificateRequest: TLS 1.2's certificate_authorities field (RFC 5246
 * 7.4.4), or TLS 1.3's certificate_authorities extension (RFC 8446 4.3.2), null when absent.
 */
export function certificateRequestAuthorities(body: Buffer, tls13: boolean): Buffer[] | null {
  if (!tls13) {
    const typesLen = body[0]!
    const algsAt = 1 + typesLen
    const algsLen = body.readUInt16BE(algsAt)
    return readNameList(body, algsAt + 2 + algsLen)
  }
  let i = 1 + body[0]! // certificate_request_context
  const end = i + 2 + body.readUInt16BE(i)
  if (end > body.length) throw new Error('truncated CertificateRequest extensions')
  for (i += 2; i + 4 <= end;) {
    const type = body.readUInt16BE(i)
    const len = body.readUInt16BE(i + 2)
    if (type === certificateAuthoritiesExtension) return readNameList(body, i + 4)
    i += 4 + len
  }
  return null
}

/**
 * Recovers the server's Certificate and CertificateRequest messages from the raw bytes it sent.
 *
 * Node only exposes the peer chain after OpenSSL has re-ordered it into an issuer chain (and
 * drops sent certificates that do not fit), so the exact sent order comes from the wire: in
 * TLS 1.2 the flight is plaintext; in TLS 1.3 it is encrypted under the server handshake traffic
 * secret, which Node hands out through the 'keylog' event (NSS key log format), so we derive the
 * record keys (RFC 8446 7.3) and decrypt the server's handshake records locally.
 */
export function parseServerFlight(
  raw: Buffer,
  protocol: string | null,
  cipherName: string | null,
  keylog: string[]
): HandshakeCapture {
  const records = splitRecords(raw)
  if (protocol === null || cipherName === null) {
    const hello = serverHelloSuite(records)
    protocol ??= hello === null ? null : hello >> 8 === 0x13 ? 'TLSv1.3' : 'TLSv1.2'
    cipherName ??= hello === null ? null : (tls13SuiteIds[hello] ?? null)
  }
  const tls13 = protocol === 'TLSv1.3'
  const plain: Buffer[] = []
  const alerts: TlsAlert[] = []
  let problem: string | null = null
  // Alerts sent before encryption starts are plaintext two-byte records: level, description.
  for (const r of records) {
    if (
      r.type === contentType.changeCipherSpec ||
      (tls13 && r.type === contentType.applicationData)
    )
      break
    if (r.type === contentType.alert && r.body.length === 2) {
      alerts.push({ level: r.body[0]!, description: r.body[1]! })
    }
  }
  if (!tls13) {
    for (const r of records) {
      if (r.type === contentType.changeCipherSpec) break
      if (r.type === contentType.handshake) plain.push(r.body)
    }
  } else {
    const line = keylog.find((l) => l.startsWith('SERVER_HANDSHAKE_TRAFFIC_SECRET '))
    const suite = cipherName ? tls13Suites[cipherName] : undefined
    if (!line) problem = 'no TLS 1.3 handshake secret was logged (keylog event unavailable)'
    else if (!suite) problem = `cannot decrypt the handshake of cipher suite ${cipherName ?? '?'}`
    else {
      const secret = Buffer.from(line.trim().split(' ')[2] ?? '', 'hex')
      const key = expandLabel(suite.hash, secret, 'key', suite.keyLen)
      const iv = expandLabel(suite.hash, secret, 'iv', 12)
      let seq = 0
      let sawHello = false
      // The Certificate message follows EncryptedExtensions and any CertificateRequest (RFC 8446
      // 4.4), so decryption stops once it is complete: CertificateVerify and Finished carry
      // nothing we read, and each record costs a cipher of its own.
      const done = new Set([
        handshakeType.certificate,
        handshakeType.compressedCertificate,
        handshakeType.finished
      ])
      try {
        for (const r of records) {
          if (r.type === contentType.handshake) {
            plain.push(r.body)
            sawHello = true
          } else if (r.type === contentType.applicationData && sawHello) {
            const inner = decryptRecord(suite, key, iv, seq++, r)
            if (inner.type !== contentType.handshake) break
            plain.push(inner.content)
            if (splitHandshake(Buffer.concat(plain)).some((m) => done.has(m.type))) break
          } else if (r.type === contentType.alert) break
        }
      } catch (e) {
        problem = `could not decrypt the server's handshake: ${(e as Error).message}`
      }
    }
  }
  const messages = splitHandshake(Buffer.concat(plain))
  let certificates: Buffer[] | null = null
  const certMsg = messages.find((m) => m.type === handshakeType.certificate)
  if (certMsg) {
    try {
      certificates = parseCertificateMessage(certMsg.body, tls13)
    } catch (e) {
      problem = `unreadable Certificate message: ${(e as Error).message}`
    }
  } else if (messages.some((m) => m.type === handshakeType.compressedCertificate)) {
    problem = 'the server sent a compressed Certificate message (RFC 8879), not decoded'
  } else if (!problem) problem = 'no Certificate message found in the captured handshake'
  const sawServerHello = messages.some((m) => m.type === handshakeType.serverHello)
  const requestMsg = messages.find((m) => m.type === handshakeType.certificateRequest)
  const certificateRequested = problem && tls13 ? null : requestMsg !== undefined
  let certificateAuthorities: Buffer[] | null = null
  if (requestMsg) {
    try {
      certificateAuthorities = certificateRequestAuthorities(requestMsg.body, tls13)
    } catch {
      // An unreadable list is reported as "not listed"; the request itself still counts.
      certificateAuthorities = null
    }
  }
  return {
    protocol,
    certificates,
    certificateRequested: sawServerHello ? certificateRequested : null,
    certificateAuthorities,
    alerts,
    problem,
    keyExchangeSigned:
      !tls13 &&
      messages.some((m) => m.type === handshakeType.serverKeyExchange) &&
      messages.some((m) => m.type === handshakeType.serverHelloDone)
  }
}
