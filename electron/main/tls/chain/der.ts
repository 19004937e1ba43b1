/**
 * Minimal strict DER reader (ITU-T X.690) for the parts of X.509 we inspect.
 *
 * Hand-written instead of a schema library so that malformed input gives a precise error instead
 * of a crash, and so the hot path (bettertls-sized corpora) stays allocation-light.
 */

/** Thrown for any structural problem in DER input. */
export class DerError extends Error {
  override name = 'DerError'
}

/** One decoded TLV. `value` is a view on the original buffer (no copy). */
export interface Tlv {
  /** Class bits: 0 universal, 1 application, 2 context-specific, 3 private. */
  cls: number
  constructed: boolean
  /** Tag number. */
  tag: number
  /** Offset of the first header byte in the source buffer. */
  start: number
  /** Offset just past the value. */
  end: number
  value: Buffer
  /** Header + value bytes. */
  raw: Buffer
}

/** Universal tag numbers used in X.509. */
export const Tag = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  oid: 6,
  utf8String: 12,
  sequence: 16,
  set: 17,
  printableString: 19,
  t61String: 20,
  ia5String: 22,
  utcTime: 23,
  generalizedTime: 24,
  visibleString: 26,
  universalString: 28,
  bmpString: 30
} as const

/** Reads the TLV at `offset` of `buf`, which must lie within `limit`. */
export function readTlv(buf: Buffer, offset = 0, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated header')
  const b0 = buf[offset]!
  const cls = b0 >> 6
  const constructed = (b0 & 0x20) !== 0
  let tag = b0 & 0x1f
  let p = offset + 1
  if (tag === 0x1f) {
    tag = 0
    for (let i = 0; ; i++) {
      if (p >= limit || i > 3) throw new DerError('bad high tag number')
      const b = buf[p++]!
      tag = (tag << 7) | (b & 0x7f)
      if ((b & 0x80) === 0) break
    }
  }
  if (p >= limit) throw new DerError('truncated length')
  let len = buf[p++]!
  if (len & 0x80) {
    const n = len & 0x7f
    if (n === 0) throw new DerError('indefinite length is not DER')
    if (n > 4) throw new DerError('length too large')
    if (p + n > limit) throw new DerError('truncated length')
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!
    if (len < 0x80 || buf[p - n] === 0) throw new DerError('non-minimal length')
  }
  const end = p + len
  if (end > limit) throw new DerError('value runs past its container')
  return {
    cls,
    constructed,
    tag,
    start: offset,
    end,
    value: buf.subarray(p, end),
    raw: buf.subarray(offset, end)
  }
}

/** Reads a buffer that must hold exactly one TLV. */
export function readOnly(buf: Buffer): Tlv {
  const t = readTlv(buf, 0, buf.length)
  if (t.end !== buf.length) throw new DerError('trailing data')
  return t
}

/** The child TLVs of a constructed TLV. */
export function children(t: Tlv): Tlv[] {
  if (!t.constructed) throw new DerError('expected a constructed value')
  const out: Tlv[] = []
  const v = t.value
  let p = 0
  while (p < v.length) {
    const c = readTlv(v, p, v.length)
    out.push(c)
    p = c.end
  }
  return out
}

/** Asserts a universal tag. */
export function expect(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.cls !== 0 || t.tag !== tag) throw new DerError(`expected ${what}`)
  return t
}

/** True for a context-specific tag [n]. */
export function isContext(t: Tlv | undefined, n: number): t is Tlv {
  return t !== undefined && t.cls === 2 && t.tag === n
}

/** Dotted OID text from an OBJECT IDENTIFIER value. */
export function decodeOid(v: Buffer): string {
  if (v.length === 0) throw new DerError('empty OID')
  const parts: number[] = []
  let n = 0
  let first = true
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!
    if (n === 0 && b === 0x80) throw new DerError('non-minimal OID arc')
    n = n * 128 + (b & 0x7f)
    if ((b & 0x80) === 0) {
      if (first) {
        const a = n < 40 ? 0 : n < 80 ? 1 : 2
        parts.push(a, n - a * 40)
        first = false
      } else parts.push(n)
      n = 0
    } else if (i === v.length - 1) throw new DerError('truncated OID')
  }
  return parts.join('.')
}

/** Reads an OID TLV. */
export function readOid(t: Tlv | undefined): string {
  return decodeOid(expect(t, Tag.oid, 'OBJECT IDENTIFIER').value)
}

/** DER BOOLEAN. */
export function readBoolean(t: Tlv | undefined): boolean {
  const v = expect(t, Tag.boolean, 'BOOLEAN').value
  if (v.length !== 1 || (v[0] !== 0 && v[0] !== 0xff)) throw new DerError('BOOLEAN not DER')
  return v[0] === 0xff
}

/** INTEGER as bigint (two's complement). */
export function readBigInt(t: Tlv | undefined): bigint {
  const v = expect(t, Tag.integer, 'INTEGER').value
  return integerValue(v)
}

/** Two's complement bytes to bigint, checking DER minimality. */
export function integerValue(v: Buffer): bigint {
  if (v.length === 0) throw new DerError('empty INTEGER')
  if (v.length > 1 && ((v[0] === 0 && v[1]! < 0x80) || (v[0] === 0xff && v[1]! >= 0x80))) {
    throw new DerError('non-minimal INTEGER')
  }
  let n = BigInt('0x' + v.toString('hex'))
  if (v[0]! & 0x80) n -= 1n << BigInt(v.length * 8)
  return n
}

/** Small non-negative INTEGER as number. */
export function readSmallInt(t: Tlv | undefined): number {
  const n = readBigInt(t)
  if (n < 0n || n > 1_000_000n) throw new DerError('INTEGER out of range')
  return Number(n)
}

/** BIT STRING: unused-bit count and the bytes. */
export function readBitString(t: Tlv | undefined): { unused: number; bytes: Buffer } {
  const v = expect(t, Tag.bitString, 'BIT STRING').value
  if (v.length === 0) throw new DerError('empty BIT STRING')
  const unused = v[0]!
  if (unused > 7 || (v.length === 1 && unused !== 0)) throw new DerError('bad BIT STRING')
  return { unused, bytes: v.subarray(1) }
}

/** Decodes an ASN.1 character string to JS text; null for non-string tags. */
export function decodeString(t: Tlv): string | null {
  if (t.cls !== 0) return null
  const v = t.value
  switch (t.tag) {
    case Tag.utf8String:
      return v.toString('utf8')
    case Tag.printableString:
    case Tag.ia5String:
    case Tag.visibleString:
    case Tag.t61String:
      return v.toString('latin1')
    case Tag.bmpString: {
      if (v.length % 2) throw new DerError('odd BMPString')
      const sw = Buffer.from(v)
      sw.swap16()
      return sw.toString('utf16le')
    }
    case Tag.universalString: {
      if (v.length % 4) throw new DerError('bad UniversalString')
      let s = ''
      for (let i = 0; i < v.length; i += 4) s += String.fromCodePoint(v.readUInt32BE(i))
      return s
    }
    default:
      return null
  }
}

/** Parses UTCTime / GeneralizedTime strictly per RFC 5280 4.1.2.5 (Zulu, seconds, no fraction). */
export function readTime(t: Tlv | undefined): Date {
  if (!t || t.cls !== 0) throw new DerError('expected a time')
  const s = t.value.toString('latin1')
  let m: RegExpExecArray | null
  let year: number
  if (t.tag === Tag.utcTime) {
    m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s)
    if (!m) throw new DerError(`bad UTCTime '${s}'`)
    const yy = Number(m[1])
    year = yy >= 50 ? 1900 + yy : 2000 + yy
  } else if (t.tag === Tag.generalizedTime) {
    m = /^(\d\d\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s)
    if (!m) throw new DerError(`bad GeneralizedTime '${s}'`)
    year = Number(m[1])
  } else throw new DerError('expected a time')
  const [mo, d, h, mi, se] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number
  ]
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) {
    throw new DerError(`time out of range '${s}'`)
  }
  const date = new Date(Date.UTC(year, mo - 1, d, h, mi, se))
  if (date.getUTCDate() !== d) throw new DerError(`no such day '${s}'`)
  return date
}
