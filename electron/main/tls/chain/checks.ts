import type { AnchorSource, TrustReasonCode, TrustSeverity } from '../../../../shared/types/trust'
import {
  parseIp,
  constrainedNames,
  constraintProblem,
  isValidDnsName,
  nameConstraintViolation,
  nameText
} from './names'
import { isSelfSigned } from './details'
import { EkuOid, ExtOid, cnOid, ekuNames } from './oids'
import { type GeneralName, type ParsedCertificate } from './parse'
import { domainToASCII } from 'node:url'
import type { Finding, FindingContext } from './reasons'
import { verifySignature } from './signature'

/** What a chain is validated for. */
export type Purpose = 'server' | 'client'

/** Tunable policy; defaults follow the Web PKI (CA/B Forum BRs, RFC 5280 strictness of webpki). */
export interface TrustPolicy {
  /** Minimum RSA modulus size. */
  minRsaBits: number
  /** Minimum EC field size. */
  minEcBits: number
  /** Accept SHA-1 signatures on non-anchor certificates. */
  allowSha1: boolean
  /** The leaf must carry an EKU extension naming the purpose (CA/B BR 7.1.2.3). */
  requireEku: boolean
  /** CAs need subjectKeyIdentifier, non-anchors authorityKeyIdentifier (RFC 5280 4.2.1.1/2 MUSTs). */
  requireKeyIdentifiers: boolean
  /** Maximum intermediates (not counting self-issued ones), null = only the builder's hard cap. */
  maxIntermediates: number | null
  /** Revocation policy applied to the revocation hook's answer. */
  revocation: 'off' | 'soft-fail' | 'hard-fail'
}

/** Default policy. */
export const defaultPolicy: TrustPolicy = {
  minRsaBits: 2048,
  minEcBits: 256,
  allowSha1: false,
  requireEku: true,
  requireKeyIdentifiers: true,
  maxIntermediates: null,
  revocation: 'soft-fail'
}

/** Validation context shared by the checks. */
export interface CheckContext {
  at: Date
  purpose: Purpose
  policy: TrustPolicy
  /** Extra EKU OIDs the leaf must carry (limbo's extended_key_usage). */
  requiredEku?: string[]
  /** keyUsage bits the leaf must carry when it has a keyUsage extension. */
  requiredKeyUsage?: string[]
}

/** Extensions we process, so they may be critical (RFC 5280 4.2: otherwise reject). */
const understood = new Set<string>([
  ExtOid.basicConstraints,
  ExtOid.keyUsage,
  ExtOid.extKeyUsage,
  ExtOid.subjectAltName,
  ExtOid.nameConstraints,
  ExtOid.certificatePolicies,
  ExtOid.policyConstraints,
  ExtOid.inhibitAnyPolicy,
  ExtOid.subjectKeyIdentifier,
  ExtOid.authorityKeyIdentifier,
  ExtOid.authorityInfoAccess
])

const dayMs = 86_400_000

/** Upper bound on name x subtree comparisons per constrained certificate. */
const maxNameConstraintChecks = 1 << 20

/** Makes findings for one certificate at `index` of a path. */
class Collector {
  readonly out: Finding[] = []
  constructor(
    private readonly path: ParsedCertificate[],
    private readonly anchored: boolean,
    private readonly at: Date
  ) {}

  role(i: number): FindingContext['role'] {
    if (i === 0) return 'leaf'
    return this.anchored && i === this.path.length - 1 ? 'root' : 'intermediate'
  }

  add(
    code: TrustReasonCode,
    i: number | null,
    detail: string,
    severity: TrustSeverity = 'error',
    ctx: FindingContext = {}
  ): void {
    const cert = i === null ? null : this.path[i]
    this.out.push({
      code,
      severity,
      certIndex: i,
      certSubject: cert ? cert.subject.text || '(empty subject)' : null,
      detail,
      ctx: { at: this.at, role: i === null ? undefined : this.role(i), ...ctx }
    })
  }
}

function has(cert: ParsedCertificate, oid: string): boolean {
  return cert.extensions.some((e) => e.oid === oid)
}

function ext(cert: ParsedCertificate, oid: string) {
  return cert.extensions.find((e) => e.oid === oid)
}

/** Validity check of one certificate, RFC 5280 4.1.2.5 (both bounds inclusive). */
function checkValidity(c: Collector, cert: ParsedCertificate, i: number, at: Date): void {
  const t = at.getTime()
  if (t < cert.notBefore.getTime()) {
    c.add(
      'not-yet-valid',
      i,
      `notBefore ${cert.notBefore.toISOString()} is after ${at.toISOString()}`,
      'error',
      {
        date: cert.notBefore
      }
    )
    if (cert.notBefore.getTime() - t < dayMs) {
      c.add('clock-skew', i, 'less than a day before notBefore', 'info')
    }
  }
  if (t > cert.notAfter.getTime()) {
    c.add(
      'expired',
      i,
      `notAfter ${cert.notAfter.toISOString()} is before ${at.toISOString()}`,
      'error',
      {
        date: cert.notAfter
      }
    )
    if (t - cert.notAfter.getTime() < dayMs)
      c.add('clock-skew', i, 'less than a day after notAfter', 'info')
  }
}

function checkStructure(
  c: Collector,
  cert: ParsedCertificate,
  i: number,
  isAnchor: boolean,
  policy: TrustPolicy
) {
  if (cert.duplicateExtension) {
    c.add(
      'malformed-certificate',
      i,
      `extension ${cert.duplicateExtension} appears twice (RFC 5280 4.2)`
    )
  }
  for (const e of cert.extensions) {
    if (e.critical && !understood.has(e.oid)) {
      c.add(
        'unknown-critical-extension',
        i,
        `critical extension ${e.oid} is not understood (RFC 5280 4.2)`
      )
    }
  }
  for (const oid of [
    ExtOid.subjectKeyIdentifier,
    ExtOid.authorityKeyIdentifier,
    ExtOid.authorityInfoAccess
  ]) {
    if (ext(cert, oid)?.critical)
      c.add('invalid-extension', i, `${oid} must not be critical (RFC 5280 4.2.1)`)
  }
  const pc = ext(cert, ExtOid.policyConstraints)
  if (pc && !pc.critical)
    c.add('invalid-extension', i, 'policyConstraints must be critical (RFC 5280 4.2.1.11)')
  const serialLen = cert.serial.length - (cert.serial[0] === 0 ? 1 : 0)
  if (!isAnchor && (cert.serialZero || cert.serialNegative || serialLen > 20)) {
    c.add(
      'malformed-certificate',
      i,
      'serial number must be a positive integer of at most 20 octets (RFC 5280 4.1.2.2)'
    )
  }
  if (!isAnchor) {
    if (cert.version !== 3)
      c.add('malformed-certificate', i, `X.509 v${cert.version} certificate; v3 is required`)
    if (!cert.tbsSignatureAlg.equals(cert.signatureAlgRaw)) {
      c.add(
        'malformed-certificate',
        i,
        'signatureAlgorithm differs from TBSCertificate.signature (RFC 5280 4.1.1.2)'
      )
    }
    if (cert.issuer.empty) c.add('malformed-certificate', i, 'empty issuer name (RFC 5280 4.1.2.4)')
    const hash = cert.signatureInfo?.hash
    if (hash === 'md5' || (hash === 'sha1' && !policy.allowSha1)) {
      c.add('weak-signature', i, `signed with ${cert.signatureInfo?.name}`)
    }
    if (!cert.signatureInfo || cert.signatureInfo.family === 'dsa') {
      c.add(
        'unsupported-algorithm',
        i,
        `signature algorithm ${cert.signatureInfo?.name ?? cert.signatureOid}`
      )
    }
  }
  checkKey(c, cert, i, policy)
}

function checkKey(c: Collector, cert: ParsedCertificate, i: number, policy: TrustPolicy) {
  const k = cert.key
  switch (k.algorithm) {
    case 'RSA':
    case 'RSA-PSS':
      if ((k.bits ?? 0) < policy.minRsaBits)
        c.add('weak-key', i, `RSA key of ${k.bits} bits (< ${policy.minRsaBits})`)
      else if ((k.bits ?? 0) % 8 !== 0)
        c.add('weak-key', i, `RSA modulus of ${k.bits} bits is not a multiple of 8`)
      break
    case 'EC':
      if (k.explicitCurve)
        c.add('unsupported-algorithm', i, 'EC key with explicit curve parameters (RFC 5480 2.1.1)')
      else if (!k.bits || !['P-256', 'P-384', 'P-521'].includes(k.curve ?? '')) {
        c.add(
          k.bits && k.bits < policy.minEcBits ? 'weak-key' : 'unsupported-algorithm',
          i,
          `EC curve ${k.curve}`
        )
      }
      break
    case 'Ed25519':
      break
    default:
      c.add('unsupported-algorithm', i, `public key algorithm ${k.algorithm}`)
  }
}

/** Lenient IPv4 reading as legacy resolvers do (hex, octal-looking leading zeros, dotted or not). */
function legacyIpv4(text: string): Buffer | null {
  if (/^0x[0-9a-f]{1,8}$/i.test(text)) {
    const b = Buffer.alloc(4)
    b.writeUInt32BE(parseInt(text.slice(2), 16))
    return b
  }
  const parts = text.split('.')
  if (parts.length !== 4 || !parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) < 256))
    return null
  return Buffer.from(parts.map(Number))
}

/**
 * Why a leaf's CN conflicts with its SANs, or null.
 *
 * CA/B BR 7.1.4.3 wants the CN to repeat a SAN verbatim. We never match on CN, so only the
 * confusable cases are rejected: a CN that spells a SAN differently (case, U-label vs A-label,
 * non-canonical IP text) or names another host in the same top-level namespace as the SANs. An
 * unrelated legacy CN (a device label, another zone) is left alone.
 */
function cnConflict(cn: string, sans: GeneralName[]): string | null {
  if (sans.length === 0) return null
  const dns = sans.flatMap((s) => (s.type === 'dns' ? [s.value] : []))
  if (dns.includes(cn)) return null
  const ips = sans.flatMap((s) => (s.type === 'ip' ? [s] : []))
  if (ips.some((s) => s.value === cn)) return null
  const ipBytes = parseIp(cn) ?? legacyIpv4(cn)
  if (ipBytes) {
    const hit = ips.find((s) => s.bytes.equals(ipBytes))
    return hit ? `spells SAN IP ${hit.value} differently (RFC 5952 text required)` : null
  }
  const ascii = domainToASCII(cn.toLowerCase())
  if (ascii && dns.some((d) => d.toLowerCase() === ascii))
    return 'spells a SAN DNS name differently'
  if (!ascii || !ascii.includes('.')) return null
  // The apex of a SAN name (or of a wildcard) is a harmless, common CN choice.
  if (dns.some((d) => d.toLowerCase().endsWith('.' + ascii))) return null
  const tld = (n: string) => n.toLowerCase().slice(n.lastIndexOf('.') + 1)
  if (dns.some((d) => d.includes('.') && tld(d) === tld(ascii)))
    return 'names a host that is not in the subjectAltName'
  return null
}

function checkLeaf(c: Collector, cert: ParsedCertificate, ctx: CheckContext) {
  const bc = cert.basicConstraints
  if (bc?.ca)
    c.add('invalid-extension', 0, 'end-entity certificate asserts basicConstraints cA=TRUE')
  if (cert.keyUsage) {
    if (cert.keyUsage.has('keyCertSign')) {
      c.add('key-usage', 0, 'end-entity certificate asserts keyCertSign (RFC 5280 4.2.1.3)')
    }
    for (const bit of ctx.requiredKeyUsage ?? []) {
      if (!cert.keyUsage.has(bit as never)) c.add('key-usage', 0, `keyUsage lacks ${bit}`)
    }
    // A TLS key must be able to sign (ECDHE) or encipher/agree (RSA / static DH key exchange).
    const tlsBits = ['digitalSignature', 'keyEncipherment', 'keyAgreement'] as const
    if (!tlsBits.some((b) => cert.keyUsage!.has(b))) {
      c.add(
        'key-usage',
        0,
        `keyUsage [${[...cert.keyUsage].join(', ')}] allows neither digitalSignature nor keyEncipherment`
      )
    }
  }
  if (has(cert, ExtOid.nameConstraints)) {
    c.add(
      'invalid-extension',
      0,
      'nameConstraints in an end-entity certificate (RFC 5280 4.2.1.10)'
    )
  }
  const want = ctx.purpose === 'server' ? EkuOid.serverAuth : EkuOid.clientAuth
  const ekuExt = ext(cert, ExtOid.extKeyUsage)
  if (cert.extKeyUsage) {
    if (cert.extKeyUsage.includes(EkuOid.anyExtendedKeyUsage)) {
      c.add(
        'extended-key-usage',
        0,
        'anyExtendedKeyUsage in an end-entity certificate (CA/B BR 7.1.2.7.10)'
      )
    }
    if (ekuExt?.critical)
      c.add('invalid-extension', 0, 'extendedKeyUsage must not be critical in the Web PKI')
    for (const oid of [want, ...(ctx.requiredEku ?? [])]) {
      // RFC 5924 7: id-kp-sipDomain marks a certificate as valid for a SIP server too.
      const sipOk = oid === EkuOid.serverAuth && cert.extKeyUsage.includes(EkuOid.sipDomain)
      if (!cert.extKeyUsage.includes(oid) && !sipOk) {
        const names = cert.extKeyUsage.map((o) => ekuNames[o] ?? o).join(', ') || '(empty)'
        c.add('extended-key-usage', 0, `extendedKeyUsage [${names}] lacks ${ekuNames[oid] ?? oid}`)
        break
      }
    }
  } else if (ctx.policy.requireEku) {
    c.add('extended-key-usage', 0, `no extendedKeyUsage extension; ${ekuNames[want]} is required`)
  }
  const sanExt = ext(cert, ExtOid.subjectAltName)
  if (sanExt && cert.subject.empty && !sanExt.critical) {
    c.add(
      'invalid-extension',
      0,
      'subject is empty so subjectAltName must be critical (RFC 5280 4.2.1.6)'
    )
  }
  if (sanExt && !cert.subject.empty && sanExt.critical) {
    c.add('invalid-extension', 0, 'subjectAltName is critical although the subject is not empty')
  }
  if (!sanExt && cert.subject.empty)
    c.add('malformed-certificate', 0, 'no subject and no subjectAltName')
  for (const r of cert.subject.rdns) {
    for (const a of r) {
      const why =
        a.oid === cnOid && a.value !== null ? cnConflict(a.value, cert.subjectAltNames ?? []) : null
      if (why) c.add('invalid-extension', 0, `subject CN "${a.value}" ${why} (CA/B BR 7.1.4.3)`)
    }
  }
  for (const s of cert.subjectAltNames ?? []) {
    if (s.type === 'dns' && !isValidDnsName(s.value, true)) {
      c.add('invalid-extension', 0, `subjectAltName ${nameText(s)} is not a valid DNS name`)
    } else if (s.type === 'ip' && s.bytes.length !== 4 && s.bytes.length !== 16) {
      c.add('invalid-extension', 0, `subjectAltName iPAddress has ${s.bytes.length} bytes`)
    } else if (s.type === 'email' && !/^[^@\s]+@[^@\s]+$/.test(s.value)) {
      c.add('invalid-extension', 0, `subjectAltName ${nameText(s)} is not a valid mailbox`)
    }
  }
  // RFC 5280 4.2.1.1: a self-signed certificate MAY omit it (what is wrong with a self-signed
  // server certificate is said by its own reason, not as a broken extension).
  if (ctx.policy.requireKeyIdentifiers && !cert.authorityKeyId && !isSelfSigned(cert)) {
    c.add('invalid-extension', 0, 'no authorityKeyIdentifier (RFC 5280 4.2.1.1)')
  }
}

/**
 * CA profile for certificate `i` of the path.
 *
 * `vettedRoot` relaxes the profile for OS-store roots: root programs vet them, and long-lived
 * roots predate today's profile (v1 roots without extensions, non-critical basicConstraints, no
 * SKI). Anchors configured by policy or account get the full profile, as x509-limbo expects.
 */
function checkCa(
  c: Collector,
  path: ParsedCertificate[],
  i: number,
  isAnchor: boolean,
  ctx: CheckContext,
  vettedRoot = false
) {
  const cert = path[i]!
  const bc = cert.basicConstraints
  if (vettedRoot) {
    if (bc && !bc.ca) c.add('not-a-ca', i, 'basicConstraints cA is FALSE')
    if (cert.keyUsage && !cert.keyUsage.has('keyCertSign')) {
      c.add('key-usage', i, `keyUsage [${[...cert.keyUsage].join(', ')}] lacks keyCertSign`)
    }
    if (cert.nameConstraints) applyNameConstraints(c, path, i, cert)
    return
  }
  if (!bc || !bc.ca) {
    c.add(
      'not-a-ca',
      i,
      bc ? 'basicConstraints cA is FALSE' : 'no basicConstraints extension (RFC 5280 4.2.1.9)'
    )
  } else if (!bc.critical) {
    c.add(
      'invalid-extension',
      i,
      'basicConstraints must be critical in a CA certificate (RFC 5280 4.2.1.9)'
    )
  }
  if (cert.keyUsage && !cert.keyUsage.has('keyCertSign')) {
    c.add('key-usage', i, `keyUsage [${[...cert.keyUsage].join(', ')}] lacks keyCertSign`)
  }
  if (cert.subject.empty) c.add('malformed-certificate', i, 'CA certificate with an empty subject')
  if (ctx.policy.requireKeyIdentifiers && !cert.subjectKeyId) {
    c.add('invalid-extension', i, 'CA certificate without subjectKeyIdentifier (RFC 5280 4.2.1.2)')
  }
  const aki = cert.authorityKeyId
  if (isAnchor) {
    if (!cert.selfIssued && !aki && ctx.policy.requireKeyIdentifiers) {
      c.add(
        'invalid-extension',
        i,
        'cross-signed anchor without authorityKeyIdentifier (RFC 5280 4.2.1.1)'
      )
    }
    if (cert.extKeyUsage) {
      c.add(
        'extended-key-usage',
        i,
        'root certificate carries extendedKeyUsage (CA/B BR 7.1.2.1.2)'
      )
    }
    if (aki && (!aki.keyId || aki.hasIssuer || aki.hasSerial)) {
      c.add('invalid-extension', i, 'root authorityKeyIdentifier must hold only a keyIdentifier')
    } else if (
      aki?.keyId &&
      cert.selfIssued &&
      cert.subjectKeyId &&
      !aki.keyId.equals(cert.subjectKeyId)
    ) {
      c.add(
        'invalid-extension',
        i,
        'self-signed root has authorityKeyIdentifier different from its subjectKeyIdentifier'
      )
    }
  } else if (ctx.policy.requireKeyIdentifiers && !aki && !isSelfSigned(cert)) {
    // A self-signed root that is not one of ours is an unknown issuer, reported as such; RFC
    // 5280 4.2.1.1 lets a self-signed certificate omit the authorityKeyIdentifier.
    c.add('invalid-extension', i, 'no authorityKeyIdentifier (RFC 5280 4.2.1.1)')
  }
  if (cert.extKeyUsage && !isAnchor) {
    const want = ctx.purpose === 'server' ? EkuOid.serverAuth : EkuOid.clientAuth
    if (
      !cert.extKeyUsage.includes(want) &&
      !cert.extKeyUsage.includes(EkuOid.anyExtendedKeyUsage)
    ) {
      c.add('extended-key-usage', i, `CA extendedKeyUsage does not allow ${ekuNames[want]}`)
    }
  }
  if (bc?.pathLen !== null && bc?.pathLen !== undefined) {
    let below = 0
    for (let j = 1; j < i; j++) if (!path[j]!.selfIssued) below++
    if (below > bc.pathLen) {
      c.add(
        'path-length-exceeded',
        i,
        `pathLenConstraint ${bc.pathLen} but ${below} intermediates follow`
      )
    }
  }
  if (cert.nameConstraints) applyNameConstraints(c, path, i, cert)
}

function applyNameConstraints(
  c: Collector,
  path: ParsedCertificate[],
  i: number,
  cert: ParsedCertificate
) {
  const nc = cert.nameConstraints!
  {
    const ncExt = ext(cert, ExtOid.nameConstraints)
    if (ncExt && !ncExt.critical)
      c.add('invalid-extension', i, 'nameConstraints must be critical (RFC 5280 4.2.1.10)')
    if (!nc.permitted?.length && !nc.excluded?.length) {
      c.add('invalid-extension', i, 'nameConstraints has neither permitted nor excluded subtrees')
    }
    if (nc.badSubtree)
      c.add(
        'name-constraints',
        i,
        'GeneralSubtree minimum/maximum must be absent (RFC 5280 4.2.1.10)'
      )
    for (const st of [...(nc.permitted ?? []), ...(nc.excluded ?? [])]) {
      const p = constraintProblem(st)
      if (p) c.add('name-constraints', i, p)
    }
    const subtrees = (nc.permitted?.length ?? 0) + (nc.excluded?.length ?? 0)
    for (let j = 0; j < i; j++) {
      const sub = path[j]!
      if (j > 0 && sub.selfIssued) continue
      const names = constrainedNames(sub, j === 0)
      // Checking is names x subtrees; refuse absurd products instead of spinning (OpenSSL PR 4393).
      if (names.length * subtrees > maxNameConstraintChecks) {
        c.add(
          'name-constraints',
          j,
          `${names.length} names against ${subtrees} constraints exceeds the ${maxNameConstraintChecks} check budget`
        )
        continue
      }
      const v = nameConstraintViolation(names, nc)
      if (v) c.add('name-constraints', j, `${v.name} ${v.why} of ${cert.subject.text}`)
    }
  }
}

/**
 * Validates one candidate path (leaf first; the last element is the anchor when `anchored`).
 *
 * Returns every finding; the path is acceptable when none has severity 'error'.
 */
export function validatePath(
  path: ParsedCertificate[],
  anchored: boolean,
  ctx: CheckContext,
  anchorSource: AnchorSource | null = null
): Finding[] {
  const c = new Collector(path, anchored, ctx.at)
  const last = path.length - 1
  for (let i = 0; i < path.length; i++) {
    const cert = path[i]!
    const isAnchor = anchored && i === last
    checkValidity(c, cert, i, ctx.at)
    checkStructure(c, cert, i, isAnchor, ctx.policy)
    if (i === 0 && !(isAnchor && path.length === 1)) checkLeaf(c, cert, ctx)
    if (i > 0) checkCa(c, path, i, isAnchor, ctx, isAnchor && anchorSource === 'system')
    if (i < last) {
      const bad = verifySignature(cert, path[i + 1]!)
      if (bad) c.add('bad-signature', i, bad)
    }
  }
  if (ctx.policy.maxIntermediates !== null) {
    let n = 0
    for (let i = 1; i < (anchored ? last : path.length); i++) if (!path[i]!.selfIssued) n++
    if (n > ctx.policy.maxIntermediates) {
      c.add(
        'chain-too-long',
        null,
        `${n} intermediates, policy allows ${ctx.policy.maxIntermediates}`
      )
    }
  }
  return c.out
}
