import { createDecipheriv, createHmac } from 'node:crypto'

/** What the server's handshake flight showed, recovered from the raw bytes it sent. */
export interface HandshakeCapture {
  /** DER certificates exactly as sent, in the order sent; null when they could not be recovered. */
  certificates: Buffer[] | null
  /** The server sent a CertificateRequest (it asked for a client certificate). */
  certificateRequested: boolean | null
  /** Why certificates/certificateRequested are null, for the helpdesk. */
  problem: string | null
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
  certificateRequest: 13,
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
  for (let n = 1; Buffer.concat(blocks).length < length; n++) {
    prev = createHmac(hash, prk)
      .update(Buffer.concat([prev, info, Buffer.from([n])]))
      .digest()
    blocks.push(prev)
  }
  return Buffer.concat(blocks).subarray(0, length)
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
  const nonce = Buffer.from(iv)
  const seqBuf = Buffer.alloc(8)
  seqBuf.writeBigUInt64BE(BigInt(seq))
  for (let k = 0; k < 8; k++) nonce[4 + k]! ^= seqBuf[k]!
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
  let problem: string | null = null
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
      try {
        for (const r of records) {
          if (r.type === contentType.handshake) {
            plain.push(r.body)
            sawHello = true
          } else if (r.type === contentType.applicationData && sawHello) {
            const inner = decryptRecord(suite, key, iv, seq++, r)
            if (inner.type !== contentType.handshake) break
            plain.push(inner.content)
            if (splitHandshake(Buffer.concat(plain)).some((m) => m.type === handshakeType.finished))
              break
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
  const certificateRequested =
    problem && tls13 ? null : messages.some((m) => m.type === handshakeType.certificateRequest)
  return {
    certificates,
    certificateRequested: sawServerHello ? certificateRequested : null,
    problem
  }
}
