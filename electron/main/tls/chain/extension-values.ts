import {
  crlReasonFlagSchema,
  type AccessMethod,
  type CrlReasonFlag,
  type ExtensionValue,
  type GeneralNameView,
  type KnownPolicy,
  type NameList
} from '../../../../shared/types/certificate-extensions'
import {
  DerError,
  Tag,
  children,
  decodeString,
  expect,
  readOid,
  readOnly,
  readSmallInt,
  type Tlv
} from './der'
import { AiaOid, ExtOid, attributeNames, ekuNames } from './oids'
import { colonHex, parseGeneralName, type GeneralName, type ParsedCertificate } from './parse'

/** At most this many names of one list travel to the viewer; the rest are counted. */
export const shownNames = 20

/** How many bytes of an undecoded extension travel as hex. */
const rawHexBytes = 64

/** SIA access methods (RFC 5280 §4.2.2.2) next to the AIA ones. */
const accessMethods: Record<string, Exclude<AccessMethod, 'other'>> = {
  [AiaOid.ocsp]: 'ocsp',
  [AiaOid.caIssuers]: 'ca-issuers',
  '1.3.6.1.5.5.7.48.5': 'ca-repository',
  '1.3.6.1.5.5.7.48.3': 'time-stamping'
}

/** Policies whose meaning is known: RFC 5280 anyPolicy and the CA/Browser Forum ones. */
const knownPolicies: Record<string, KnownPolicy> = {
  '2.5.29.32.0': 'any-policy',
  '2.23.140.1.2.1': 'domain-validated',
  '2.23.140.1.2.2': 'organization-validated',
  '2.23.140.1.2.3': 'individual-validated',
  '2.23.140.1.1': 'extended-validation'
}

/** ReasonFlags bit names (RFC 5280 §4.2.1.13), in bit order. */
const reasonFlags = crlReasonFlagSchema.options

/** Policy qualifier ids (RFC 5280 §4.2.1.4). */
const cpsQualifier = '1.3.6.1.5.5.7.2.1'
const userNoticeQualifier = '1.3.6.1.5.5.7.2.2'

function nameView(n: GeneralName): GeneralNameView {
  switch (n.type) {
    case 'dn':
      return { type: 'dn', value: n.name.text }
    case 'other':
      return { type: 'other', value: n.value }
    default:
      return { type: n.type, value: n.value }
  }
}

function nameList(names: readonly GeneralName[]): NameList {
  return {
    names: names.slice(0, shownNames).map(nameView),
    more: Math.max(0, names.length - shownNames)
  }
}

/** The number of a context-specific tag ([0], [1], …), or -1 for any other class. */
function contextTag(t: Tlv | undefined): number {
  return t && t.cls === 2 ? t.tag : -1
}

/** The GeneralName elements of a GeneralNames value (any tag: implicit tagging keeps them). */
function generalNames(t: Tlv): GeneralName[] {
  return children(t).map(parseGeneralName)
}

/** Bits of a BIT STRING whose tag may be implicit ([1] IMPLICIT ReasonFlags). */
function bits(t: Tlv): number[] {
  const v = t.value
  if (v.length === 0 || v[0]! > 7) throw new DerError('bad BIT STRING')
  const unused = v[0]!
  const bytes = v.subarray(1)
  const set: number[] = []
  for (let b = 0; b < bytes.length * 8 - unused; b++)
    if (bytes[b >> 3]! & (0x80 >> (b & 7))) set.push(b)
  return set
}

/** A small non-negative INTEGER whose tag may be implicit. */
function implicitInt(t: Tlv): number {
  return readSmallInt({ ...t, cls: 0, tag: Tag.integer, constructed: false })
}

/** RelativeDistinguishedName text ('CN=x+O=y'). */
function rdnText(t: Tlv): string {
  return children(t)
    .map((atv) => {
      const [o, v] = children(expect(atv, Tag.sequence, 'AttributeTypeAndValue'))
      const oid = readOid(o)
      return `${attributeNames[oid] ?? oid}=${(v && decodeString(v)) ?? '#'}`
    })
    .join('+')
}

function infoAccess(t: Tlv): ExtensionValue {
  return {
    kind: 'info-access',
    entries: children(expect(t, Tag.sequence, 'info access')).map((ad) => {
      const [m, loc] = children(expect(ad, Tag.sequence, 'AccessDescription'))
      if (!loc) throw new DerError('bad AccessDescription')
      const methodOid = readOid(m)
      return {
        method: accessMethods[methodOid] ?? 'other',
        methodOid,
        location: nameView(parseGeneralName(loc))
      }
    })
  }
}

function distributionPoints(t: Tlv): ExtensionValue {
  return {
    kind: 'crl-distribution-points',
    points: children(expect(t, Tag.sequence, 'CRLDistributionPoints')).map((dp) => {
      let names: GeneralName[] = []
      let relativeName: string | null = null
      let reasons: CrlReasonFlag[] | null = null
      let crlIssuer: GeneralName[] = []
      for (const part of children(expect(dp, Tag.sequence, 'DistributionPoint'))) {
        const tag = contextTag(part)
        if (tag === 0) {
          // DistributionPointName is a CHOICE, so its [0] tag is explicit around it.
          const [choice] = children(part)
          const choiceTag = contextTag(choice)
          if (choice && choiceTag === 0) names = generalNames(choice)
          else if (choice && choiceTag === 1) relativeName = rdnText(choice)
          else throw new DerError('bad DistributionPointName')
        } else if (tag === 1) {
          reasons = bits(part).map((b) => reasonFlags[b] ?? 'unused')
        } else if (tag === 2) {
          crlIssuer = generalNames(part)
        } else throw new DerError('bad DistributionPoint')
      }
      return { names: nameList(names), relativeName, reasons, crlIssuer: nameList(crlIssuer) }
    })
  }
}

function policies(t: Tlv): ExtensionValue {
  return {
    kind: 'certificate-policies',
    policies: children(expect(t, Tag.sequence, 'certificatePolicies')).map((pi) => {
      const [id, qualifiers] = children(expect(pi, Tag.sequence, 'PolicyInformation'))
      const oid = readOid(id)
      const cps: string[] = []
      const notices: string[] = []
      for (const q of qualifiers ? children(expect(qualifiers, Tag.sequence, 'qualifiers')) : []) {
        const [qid, value] = children(expect(q, Tag.sequence, 'PolicyQualifierInfo'))
        const qualifierId = readOid(qid)
        if (qualifierId === cpsQualifier && value) {
          cps.push(decodeString(value) ?? '')
        } else if (qualifierId === userNoticeQualifier && value) {
          // UserNotice: an optional NoticeReference (a SEQUENCE) and an optional explicitText.
          for (const field of children(expect(value, Tag.sequence, 'UserNotice'))) {
            const text = decodeString(field)
            if (text !== null) notices.push(text)
          }
        }
      }
      return { oid, known: knownPolicies[oid] ?? null, cps, notices }
    })
  }
}

/**
 * The SignedCertificateTimestampList (RFC 6962 §3.3): an OCTET STRING holding TLS-encoded SCTs,
 * each a version, a 32-byte log ID and a millisecond timestamp (then extensions and signature).
 */
function sctList(t: Tlv): ExtensionValue {
  const v = expect(t, Tag.octetString, 'SignedCertificateTimestampList').value
  if (v.length < 2 || v.readUInt16BE(0) !== v.length - 2) throw new DerError('bad SCT list')
  const scts = []
  for (let at = 2; at < v.length;) {
    if (at + 2 > v.length) throw new DerError('truncated SCT')
    const length = v.readUInt16BE(at)
    const sct = v.subarray(at + 2, at + 2 + length)
    if (sct.length !== length || length < 41) throw new DerError('truncated SCT')
    scts.push({
      version: sct[0]!,
      logId: sct.subarray(1, 33).toString('base64'),
      timestamp: new Date(Number(sct.readBigUInt64BE(33))).toISOString()
    })
    at += 2 + length
  }
  return { kind: 'sct-list', scts }
}

function decode(cert: ParsedCertificate, oid: string, t: Tlv): ExtensionValue | null {
  switch (oid) {
    case ExtOid.basicConstraints: {
      const bc = cert.basicConstraints
      if (!bc) throw new DerError('basicConstraints not parsed')
      return { kind: 'basic-constraints', ca: bc.ca, pathLen: bc.pathLen }
    }
    case ExtOid.keyUsage:
      return { kind: 'key-usage', usages: [...(cert.keyUsage ?? [])] }
    case ExtOid.extKeyUsage:
      return {
        kind: 'ext-key-usage',
        purposes: (cert.extKeyUsage ?? []).map((o) => ({ oid: o, name: ekuNames[o] ?? null }))
      }
    case ExtOid.subjectAltName:
      return { kind: 'names', list: nameList(cert.subjectAltNames ?? []) }
    case ExtOid.issuerAltName:
      return { kind: 'names', list: nameList(generalNames(expect(t, Tag.sequence, 'names'))) }
    case ExtOid.subjectKeyIdentifier:
      return { kind: 'key-id', keyId: colonHex(expect(t, Tag.octetString, 'keyIdentifier').value) }
    case ExtOid.authorityKeyIdentifier: {
      let keyId: string | null = null
      let issuer: GeneralName[] = []
      let serial: string | null = null
      for (const p of children(expect(t, Tag.sequence, 'authorityKeyIdentifier'))) {
        const tag = contextTag(p)
        if (tag === 0) keyId = colonHex(p.value)
        else if (tag === 1) issuer = generalNames(p)
        else if (tag === 2) serial = p.value.toString('hex').replace(/^(00)+(?=.)/, '')
      }
      return { kind: 'authority-key-id', keyId, issuer: nameList(issuer), serial }
    }
    case ExtOid.authorityInfoAccess:
    case ExtOid.subjectInfoAccess:
      return infoAccess(t)
    case ExtOid.crlDistributionPoints:
    case ExtOid.freshestCrl:
      return distributionPoints(t)
    case ExtOid.certificatePolicies:
      return policies(t)
    case ExtOid.policyMappings:
      return {
        kind: 'policy-mappings',
        mappings: children(expect(t, Tag.sequence, 'policyMappings')).map((m) => {
          const [issuer, subject] = children(expect(m, Tag.sequence, 'PolicyMapping'))
          return { issuerPolicy: readOid(issuer), subjectPolicy: readOid(subject) }
        })
      }
    case ExtOid.policyConstraints: {
      let requireExplicitPolicy: number | null = null
      let inhibitPolicyMapping: number | null = null
      for (const p of children(expect(t, Tag.sequence, 'policyConstraints'))) {
        const tag = contextTag(p)
        if (tag === 0) requireExplicitPolicy = implicitInt(p)
        else if (tag === 1) inhibitPolicyMapping = implicitInt(p)
      }
      return { kind: 'policy-constraints', requireExplicitPolicy, inhibitPolicyMapping }
    }
    case ExtOid.inhibitAnyPolicy:
      return { kind: 'inhibit-any-policy', skipCerts: readSmallInt(t) }
    case ExtOid.nameConstraints: {
      const nc = cert.nameConstraints
      if (!nc) throw new DerError('nameConstraints not parsed')
      return {
        kind: 'name-constraints',
        permitted: nameList(nc.permitted ?? []),
        excluded: nameList(nc.excluded ?? [])
      }
    }
    case ExtOid.ctPrecertScts:
      return sctList(t)
    case ExtOid.ctPoison:
      expect(t, Tag.null, 'poison')
      return { kind: 'ct-poison' }
    case ExtOid.tlsFeature:
      return {
        kind: 'tls-feature',
        features: children(expect(t, Tag.sequence, 'Features')).map((f) => readSmallInt(f))
      }
    default:
      return null
  }
}

function rawBytes(kind: 'raw' | 'malformed', value: Buffer): ExtensionValue {
  return { kind, length: value.length, hex: value.subarray(0, rawHexBytes).toString('hex') }
}

/**
 * Decodes one extension of a parsed certificate into data the viewer words; never throws. An
 * extension TrustLine does not know comes back `raw`, a known one that does not decode
 * `malformed` (both with the first bytes as hex).
 */
export function extensionValue(
  cert: ParsedCertificate,
  ext: { oid: string; value: Buffer }
): ExtensionValue {
  if (!(Object.values(ExtOid) as string[]).includes(ext.oid)) return rawBytes('raw', ext.value)
  try {
    return decode(cert, ext.oid, readOnly(ext.value)) ?? rawBytes('raw', ext.value)
  } catch {
    return rawBytes('malformed', ext.value)
  }
}
