import { createHash, createPublicKey, type KeyObject } from 'node:crypto'
import {
  DerError,
  Tag,
  children,
  decodeString,
  expect,
  integerValue,
  isContext,
  readBitString,
  readBoolean,
  readOid,
  readOnly,
  readSmallInt,
  readTime,
  readTlv,
  type Tlv
} from './der'
import {
  AiaOid,
  ExtOid,
  KeyOid,
  attributeNames,
  curves,
  hashOids,
  keyUsageBits,
  signatureAlgorithms,
  type KeyUsageName,
  type SignatureAlgorithmInfo
} from './oids'

/**
 * Refuse single certificates larger than this.
 *
 * Real ones are < 8 KiB, but multi-thousand-SAN certificates exist (CDN / hosting certs run to
 * ~100 KiB with 10,000 names), so the cap sits well above that while still bounding memory.
 */
export const maxCertificateBytes = 256 * 1024

/** Refuse chains with more certificates than this. */
export const maxChainCertificates = 32

/** One attribute of a distinguished name. */
export interface NameAttribute {
  oid: string
  /** Text value, or null when the value is not a string type. */
  value: string | null
  /** Universal tag of the value (for exact-match rules). */
  tag: number
}

/** A parsed distinguished name. */
export interface ParsedName {
  raw: Buffer
  rdns: NameAttribute[][]
  /** RFC 4514-ish text, most significant RDN last ('CN=a, O=b'). */
  text: string
  /** Normalised comparison key (RFC 5280 7.1: case-insensitive, whitespace-folded). */
  key: string
  empty: boolean
}

/** One GeneralName (RFC 5280 4.2.1.6). */
export type GeneralName =
  | { type: 'dns'; value: string }
  | { type: 'email'; value: string }
  | { type: 'uri'; value: string }
  | { type: 'ip'; bytes: Buffer; value: string }
  | { type: 'dn'; name: ParsedName }
  | { type: 'other'; tag: number; value: string }

/** One raw extension. */
export interface RawExtension {
  oid: string
  critical: boolean
  value: Buffer
}

/** Name constraints (RFC 5280 4.2.1.10); subtrees with min/max other than defaults are kept but flagged. */
export interface NameConstraints {
  permitted: GeneralName[] | null
  excluded: GeneralName[] | null
  /** A subtree used minimum/maximum other than the RFC 5280 defaults. */
  badSubtree: boolean
}

/** Public key facts. */
export interface KeyInfo {
  algorithmOid: string
  algorithm: string
  /** Modulus bits for RSA, field bits for EC. */
  bits: number | null
  curve: string | null
  /** EC parameters given explicitly instead of a named curve (RFC 5480 forbids). */
  explicitCurve: boolean
  spki: Buffer
}

/** A structurally valid certificate with the fields the engine needs. */
export interface ParsedCertificate {
  der: Buffer
  tbs: Buffer
  version: number
  serial: Buffer
  /** Serial as signed integer (for sanity checks). */
  serialNegative: boolean
  serialZero: boolean
  tbsSignatureAlg: Buffer
  signatureAlgRaw: Buffer
  signatureOid: string
  signatureInfo: SignatureAlgorithmInfo | null
  /** RSA-PSS parameters when signatureOid is RSASSA-PSS. */
  pss: { hash: string; saltLength: number } | null
  signature: Buffer
  issuer: ParsedName
  subject: ParsedName
  notBefore: Date
  notAfter: Date
  key: KeyInfo
  extensions: RawExtension[]
  duplicateExtension: string | null
  basicConstraints: { ca: boolean; pathLen: number | null; critical: boolean } | null
  keyUsage: Set<KeyUsageName> | null
  extKeyUsage: string[] | null
  subjectAltNames: GeneralName[] | null
  nameConstraints: NameConstraints | null
  subjectKeyId: Buffer | null
  authorityKeyId: { keyId: Buffer | null; hasIssuer: boolean; hasSerial: boolean } | null
  caIssuers: string[]
  ocspUrls: string[]
  sha256: string
  sha1: string
  /** Hex SHA-256 of the SPKI, used to identify keys. */
  spkiId: string
  /** Subject and issuer names are equal (self-issued, RFC 5280 6.1). */
  selfIssued: boolean
}

/** Why a certificate could not be parsed. */
export interface ParseFailure {
  error: string
  der: Buffer
  sha256: string
}

/** Result of parsing one certificate. */
export type ParseResult =
  { ok: true; cert: ParsedCertificate } | { ok: false; failure: ParseFailure }

/** Colon-separated uppercase hex, the fingerprint format users see in browsers. */
export function colonHex(buf: Buffer): string {
  return (buf.toString('hex').toUpperCase().match(/../g) ?? []).join(':')
}

/** PEM blocks → DER buffers; non-certificate blocks are ignored. */
export function pemToDer(pem: string): Buffer[] {
  const out: Buffer[] = []
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g
  for (let m = re.exec(pem); m; m = re.exec(pem))
    out.push(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'))
  return out
}

/** DER → PEM text. */
export function derToPem(der: Buffer): string {
  const b64 = der.toString('base64').match(/.{1,64}/g) ?? []
  return `-----BEGIN CERTIFICATE-----\n${b64.join('\n')}\n-----END CERTIFICATE-----\n`
}

const cache = new Map<string, ParseResult>()

/**
 * Parses one DER certificate; never throws.
 *
 * Results are memoised by SHA-256 (bounded) because the same intermediates arrive on every
 * connection and the limbo corpus reuses them thousands of times.
 */
export function parseCertificate(der: Buffer | Uint8Array): ParseResult {
  const buf = Buffer.isBuffer(der) ? der : Buffer.from(der.buffer, der.byteOffset, der.byteLength)
  const sha = createHash('sha256').update(buf).digest()
  const key = sha.toString('hex')
  const hit = cache.get(key)
  if (hit) return hit
  let result: ParseResult
  if (buf.length > maxCertificateBytes) {
    result = fail(
      buf,
      sha,
      `certificate is ${buf.length} bytes, over the ${maxCertificateBytes} byte limit`
    )
  } else {
    try {
      result = { ok: true, cert: parseStrict(buf, sha) }
    } catch (e) {
      result = fail(buf, sha, e instanceof DerError || e instanceof Error ? e.message : String(e))
    }
  }
  if (cache.size > 5000) cache.clear()
  cache.set(key, result)
  return result
}

function fail(der: Buffer, sha: Buffer, error: string): ParseResult {
  return { ok: false, failure: { error, der, sha256: colonHex(sha) } }
}

function parseStrict(buf: Buffer, sha: Buffer): ParsedCertificate {
  const top = expect(readOnly(buf), Tag.sequence, 'Certificate SEQUENCE')
  const [tbsT, sigAlgT, sigT, ...rest] = children(top)
  if (rest.length) throw new DerError('extra fields after signature')
  const tbsSeq = expect(tbsT, Tag.sequence, 'TBSCertificate')
  const sigAlg = expect(sigAlgT, Tag.sequence, 'signatureAlgorithm')
  const sigBits = readBitString(sigT)
  if (sigBits.unused !== 0) throw new DerError('signature has unused bits')
  const f = children(tbsSeq)
  let i = 0
  let version = 1
  if (isContext(f[0], 0)) {
    const v = children(f[0])
    if (v.length !== 1) throw new DerError('bad version')
    version = readSmallInt(v[0]) + 1
    if (version < 2 || version > 3) throw new DerError(`unsupported version ${version}`)
    i++
  }
  const serialT = expect(f[i++], Tag.integer, 'serialNumber')
  const serialVal = integerValue(serialT.value)
  const tbsSigAlg = expect(f[i++], Tag.sequence, 'signature AlgorithmIdentifier')
  const issuer = parseName(expect(f[i++], Tag.sequence, 'issuer Name'))
  const validity = children(expect(f[i++], Tag.sequence, 'validity'))
  if (validity.length !== 2) throw new DerError('validity must hold two times')
  const notBefore = readTime(validity[0])
  const notAfter = readTime(validity[1])
  const subject = parseName(expect(f[i++], Tag.sequence, 'subject Name'))
  const spkiT = expect(f[i++], Tag.sequence, 'subjectPublicKeyInfo')
  const key = parseSpki(spkiT)
  if (isContext(f[i], 1)) i++
  if (isContext(f[i], 2)) i++
  const extensions: RawExtension[] = []
  if (isContext(f[i], 3)) {
    if (version !== 3) throw new DerError('extensions in a non-v3 certificate')
    const wrap = children(f[i]!)
    if (wrap.length !== 1) throw new DerError('bad extensions wrapper')
    const list = children(expect(wrap[0], Tag.sequence, 'Extensions'))
    if (list.length === 0) throw new DerError('empty Extensions sequence')
    for (const e of list) {
      const ef = children(expect(e, Tag.sequence, 'Extension'))
      const oid = readOid(ef[0])
      let critical = false
      let vi = 1
      if (ef[1] && ef[1].cls === 0 && ef[1].tag === Tag.boolean) {
        critical = readBoolean(ef[1])
        vi = 2
      }
      const value = expect(ef[vi], Tag.octetString, 'extnValue').value
      if (ef.length !== vi + 1) throw new DerError('extra fields in Extension')
      extensions.push({ oid, critical, value })
    }
    i++
  }
  if (i !== f.length) throw new DerError('unexpected fields in TBSCertificate')

  const signatureOid = readOid(children(sigAlg)[0])
  const signatureInfo = signatureAlgorithms[signatureOid] ?? null
  const pss = signatureOid === '1.2.840.113549.1.1.10' ? parsePssParams(sigAlg) : null

  const cert: ParsedCertificate = {
    der: buf,
    tbs: tbsSeq.raw,
    version,
    serial: serialT.value,
    serialNegative: serialVal < 0n,
    serialZero: serialVal === 0n,
    tbsSignatureAlg: tbsSigAlg.raw,
    signatureAlgRaw: sigAlg.raw,
    signatureOid,
    signatureInfo,
    pss,
    signature: sigBits.bytes,
    issuer,
    subject,
    notBefore,
    notAfter,
    key,
    extensions,
    duplicateExtension: null,
    basicConstraints: null,
    keyUsage: null,
    extKeyUsage: null,
    subjectAltNames: null,
    nameConstraints: null,
    subjectKeyId: null,
    authorityKeyId: null,
    caIssuers: [],
    ocspUrls: [],
    sha256: colonHex(sha),
    sha1: colonHex(createHash('sha1').update(buf).digest()),
    spkiId: createHash('sha256').update(key.spki).digest('hex'),
    selfIssued: issuer.key === subject.key
  }
  const seen = new Set<string>()
  for (const ext of extensions) {
    if (seen.has(ext.oid)) cert.duplicateExtension = ext.oid
    seen.add(ext.oid)
    parseExtension(cert, ext)
  }
  return cert
}

function parseExtension(cert: ParsedCertificate, ext: RawExtension): void {
  const what = `${ext.oid} extension`
  const t = readOnlyOr(ext.value, what)
  switch (ext.oid) {
    case ExtOid.basicConstraints: {
      const f = children(expect(t, Tag.sequence, 'basicConstraints'))
      let ca = false
      let pathLen: number | null = null
      let j = 0
      if (f[j] && f[j]!.tag === Tag.boolean) ca = readBoolean(f[j++])
      if (f[j]) pathLen = readSmallInt(f[j++])
      if (j !== f.length) throw new DerError('bad basicConstraints')
      cert.basicConstraints = { ca, pathLen, critical: ext.critical }
      break
    }
    case ExtOid.keyUsage: {
      const { unused, bytes } = readBitString(t)
      const set = new Set<KeyUsageName>()
      for (let b = 0; b < bytes.length * 8 - unused; b++) {
        if (bytes[b >> 3]! & (0x80 >> (b & 7))) {
          const name = keyUsageBits[b]
          if (name) set.add(name)
        }
      }
      cert.keyUsage = set
      break
    }
    case ExtOid.extKeyUsage:
      cert.extKeyUsage = children(expect(t, Tag.sequence, 'extKeyUsage')).map((o) => readOid(o))
      break
    case ExtOid.subjectAltName: {
      const names = children(expect(t, Tag.sequence, 'subjectAltName'))
      if (names.length === 0) throw new DerError('empty subjectAltName')
      cert.subjectAltNames = names.map(parseGeneralName)
      break
    }
    case ExtOid.nameConstraints: {
      const f = children(expect(t, Tag.sequence, 'nameConstraints'))
      const nc: NameConstraints = { permitted: null, excluded: null, badSubtree: false }
      for (const part of f) {
        if (part.cls !== 2 || (part.tag !== 0 && part.tag !== 1))
          throw new DerError('bad nameConstraints')
        const subtrees = children(part).map((st) => {
          const sf = children(expect(st, Tag.sequence, 'GeneralSubtree'))
          if (sf.length === 0) throw new DerError('empty GeneralSubtree')
          if (sf.length > 1) nc.badSubtree = true
          return parseGeneralName(sf[0]!)
        })
        if (part.tag === 0) nc.permitted = subtrees
        else nc.excluded = subtrees
      }
      cert.nameConstraints = nc
      break
    }
    case ExtOid.subjectKeyIdentifier:
      cert.subjectKeyId = expect(t, Tag.octetString, 'subjectKeyIdentifier').value
      break
    case ExtOid.authorityKeyIdentifier: {
      const f = children(expect(t, Tag.sequence, 'authorityKeyIdentifier'))
      const aki = { keyId: null as Buffer | null, hasIssuer: false, hasSerial: false }
      for (const p of f) {
        if (isContext(p, 0)) aki.keyId = p.value
        else if (isContext(p, 1)) aki.hasIssuer = true
        else if (isContext(p, 2)) aki.hasSerial = true
        else throw new DerError('bad authorityKeyIdentifier')
      }
      cert.authorityKeyId = aki
      break
    }
    case ExtOid.authorityInfoAccess: {
      const f = children(expect(t, Tag.sequence, 'authorityInfoAccess'))
      if (f.length === 0) throw new DerError('empty authorityInfoAccess')
      for (const ad of f) {
        const [m, loc, ...x] = children(expect(ad, Tag.sequence, 'AccessDescription'))
        if (x.length || !loc) throw new DerError('bad AccessDescription')
        const method = readOid(m)
        const gn = parseGeneralName(loc)
        if (gn.type !== 'uri') continue
        if (method === AiaOid.caIssuers) cert.caIssuers.push(gn.value)
        else if (method === AiaOid.ocsp) cert.ocspUrls.push(gn.value)
      }
      break
    }
    case ExtOid.certificatePolicies:
    case ExtOid.policyConstraints:
    case ExtOid.crlDistributionPoints:
      expect(t, Tag.sequence, what)
      break
    default:
      break
  }
}

function readOnlyOr(buf: Buffer, what: string): Tlv {
  try {
    return readOnly(buf)
  } catch (e) {
    throw new DerError(`${what}: ${(e as Error).message}`)
  }
}

/** Parses one GeneralName TLV. */
export function parseGeneralName(t: Tlv): GeneralName {
  if (t.cls !== 2) throw new DerError('GeneralName must be context-tagged')
  switch (t.tag) {
    case 1:
      return { type: 'email', value: ia5(t) }
    case 2:
      return { type: 'dns', value: ia5(t) }
    case 6:
      return { type: 'uri', value: ia5(t) }
    case 7:
      if (t.constructed) throw new DerError('bad iPAddress')
      return { type: 'ip', bytes: t.value, value: ipText(t.value) }
    case 4: {
      const inner = children(t)
      if (inner.length !== 1) throw new DerError('bad directoryName')
      return { type: 'dn', name: parseName(expect(inner[0], Tag.sequence, 'directoryName')) }
    }
    case 0: {
      const inner = children(t)
      return { type: 'other', tag: 0, value: inner[0] ? readOid(inner[0]) : '' }
    }
    default:
      return { type: 'other', tag: t.tag, value: `[${t.tag}]` }
  }
}

function ia5(t: Tlv): string {
  if (t.constructed) throw new DerError('IA5String GeneralName must be primitive')
  for (const b of t.value) if (b > 0x7e) throw new DerError('non-ASCII byte in IA5String name')
  return t.value.toString('latin1')
}

/** Textual IP (IPv4 dotted, IPv6 RFC 5952 compressed); netmask pairs as addr/mask. */
export function ipText(b: Buffer): string {
  if (b.length === 4) return Array.from(b).join('.')
  if (b.length === 16) return ipv6Text(b)
  if (b.length === 8) return `${ipText(b.subarray(0, 4))}/${ipText(b.subarray(4))}`
  if (b.length === 32) return `${ipText(b.subarray(0, 16))}/${ipText(b.subarray(16))}`
  return `invalid(${b.toString('hex')})`
}

function ipv6Text(b: Buffer): string {
  const w: number[] = []
  for (let i = 0; i < 16; i += 2) w.push(b.readUInt16BE(i))
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && w[j] === 0) j++
    if (j - i > bestLen) {
      best = i
      bestLen = j - i
    }
    i = j
  }
  const hex = w.map((x) => x.toString(16))
  if (best < 0) return hex.join(':')
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`
}

/** Parses a Name SEQUENCE. */
export function parseName(t: Tlv): ParsedName {
  const rdns: NameAttribute[][] = []
  for (const set of children(t)) {
    expect(set, Tag.set, 'RDN SET')
    const attrs = children(set).map((a) => {
      const [o, v, ...x] = children(expect(a, Tag.sequence, 'AttributeTypeAndValue'))
      if (!v || x.length) throw new DerError('bad AttributeTypeAndValue')
      return { oid: readOid(o), value: decodeString(v), tag: v.tag }
    })
    if (attrs.length === 0) throw new DerError('empty RDN')
    rdns.push(attrs)
  }
  const text = rdns
    .slice()
    .reverse()
    .map((r) =>
      r.map((a) => `${attributeNames[a.oid] ?? a.oid}=${escapeDn(a.value ?? '#')}`).join('+')
    )
    .join(', ')
  const key = rdns
    .map((r) =>
      r
        .map(
          (a) =>
            `${a.oid}=${a.value === null ? '#' : a.value.trim().replace(/\s+/g, ' ').toLowerCase()}`
        )
        .sort()
        .join('+')
    )
    .join('/')
  return { raw: t.raw, rdns, text, key, empty: rdns.length === 0 }
}

function escapeDn(v: string): string {
  return v
    .replace(/([,+"\\<>;])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ')
}

function parseSpki(t: Tlv): KeyInfo {
  const [alg, bits, ...x] = children(t)
  if (x.length) throw new DerError('bad subjectPublicKeyInfo')
  const algF = children(expect(alg, Tag.sequence, 'key AlgorithmIdentifier'))
  const algorithmOid = readOid(algF[0])
  const pub = readBitString(bits)
  const info: KeyInfo = {
    algorithmOid,
    algorithm: algorithmOid,
    bits: null,
    curve: null,
    explicitCurve: false,
    spki: t.raw
  }
  switch (algorithmOid) {
    case KeyOid.rsa:
    case KeyOid.rsaPss: {
      info.algorithm = algorithmOid === KeyOid.rsa ? 'RSA' : 'RSA-PSS'
      const [n] = children(expect(readOnly(pub.bytes), Tag.sequence, 'RSAPublicKey'))
      const nb = expect(n, Tag.integer, 'modulus').value
      let k = 0
      while (k < nb.length && nb[k] === 0) k++
      info.bits = nb.length > k ? (nb.length - k - 1) * 8 + (32 - Math.clz32(nb[k]!)) : 0
      break
    }
    case KeyOid.ec: {
      info.algorithm = 'EC'
      const p = algF[1]
      if (p && p.cls === 0 && p.tag === Tag.oid) {
        const c = curves[readOid(p)]
        info.curve = c ? c[0] : readOid(p)
        info.bits = c ? c[1] : null
      } else info.explicitCurve = true
      break
    }
    case KeyOid.ed25519:
      info.algorithm = 'Ed25519'
      info.bits = 256
      break
    case KeyOid.ed448:
      info.algorithm = 'Ed448'
      info.bits = 456
      break
    case KeyOid.dsa:
      info.algorithm = 'DSA'
      break
  }
  return info
}

function parsePssParams(sigAlg: Tlv): { hash: string; saltLength: number } {
  const p = children(sigAlg)[1]
  let hash = 'sha1'
  let saltLength = 20
  if (!p) return { hash, saltLength }
  for (const f of children(expect(p, Tag.sequence, 'RSASSA-PSS-params'))) {
    if (isContext(f, 0)) {
      const oid = readOid(children(expect(children(f)[0], Tag.sequence, 'hashAlgorithm'))[0])
      hash = hashOids[oid] ?? oid
    } else if (isContext(f, 2)) saltLength = readSmallInt(children(f)[0])
  }
  return { hash, saltLength }
}

const keyCache = new Map<string, KeyObject | null>()

/** The certificate's public key as a node:crypto KeyObject, or null when node cannot load it. */
export function publicKeyObject(cert: ParsedCertificate): KeyObject | null {
  const hit = keyCache.get(cert.spkiId)
  if (hit !== undefined) return hit
  let k: KeyObject | null
  try {
    k = createPublicKey({ key: cert.key.spki, format: 'der', type: 'spki' })
  } catch {
    k = null
  }
  if (keyCache.size > 5000) keyCache.clear()
  keyCache.set(cert.spkiId, k)
  return k
}

/** Convenience for tests and the CLI: parse, throwing on failure. */
export function mustParse(der: Buffer): ParsedCertificate {
  const r = parseCertificate(der)
  if (!r.ok) throw new Error(r.failure.error)
  return r.cert
}

/** Re-exported for callers that need to read the raw TLV of a name. */
export { readTlv }
