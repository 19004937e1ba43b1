import { isIPv4, isIPv6 } from 'node:net'
import { domainToASCII } from 'node:url'
import type { GeneralName, NameConstraints, ParsedCertificate, ParsedName } from './parse'
import { emailAttrOid } from './oids'

/**
 * Public suffixes on which a wildcard is never honoured, in addition to any single-label suffix.
 *
 * Browsers consult the full Public Suffix List; we keep the multi-label entries that matter for
 * certificates in practice so `*.co.uk` or `*.github.io` can never cover a whole registry.
 */
const multiLabelSuffixes = new Set([
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'ltd.uk',
  'plc.uk',
  'me.uk',
  'com.au',
  'net.au',
  'org.au',
  'co.jp',
  'ne.jp',
  'or.jp',
  'co.nz',
  'co.za',
  'com.br',
  'com.cn',
  'com.tw',
  'co.in',
  'co.kr',
  'com.mx',
  'com.tr',
  'github.io',
  'githubusercontent.com',
  'appspot.com',
  'herokuapp.com',
  'blogspot.com',
  'cloudfront.net',
  'azurewebsites.net',
  's3.amazonaws.com',
  'pages.dev',
  'workers.dev',
  'netlify.app',
  'vercel.app',
  'firebaseapp.com',
  'web.app'
])

/** True for a syntactically valid LDH host name (RFC 1034/5890 A-labels), optional trailing dot stripped. */
export function isValidDnsName(name: string, allowWildcard = false): boolean {
  if (name.length === 0 || name.length > 253) return false
  const labels = name.split('.')
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!
    if (i === 0 && allowWildcard && l === '*' && labels.length > 1) continue
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(l)) return false
  }
  // An all-numeric last label would make it an IP address in disguise (RFC 3696 2).
  return !/^[0-9]+$/.test(labels[labels.length - 1]!)
}

/** Parses a textual IPv4/IPv6 address to bytes, or null. Only canonical dotted-quad IPv4. */
export function parseIp(text: string): Buffer | null {
  if (isIPv4(text)) return Buffer.from(text.split('.').map(Number))
  if (!isIPv6(text)) return null
  let t = text
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(t)
  let tail: number[] = []
  if (v4) {
    tail = v4[1]!.split('.').map(Number)
    t = t.slice(0, -v4[1]!.length) + '0:0'
  }
  const [head, rest] = t.includes('::') ? t.split('::') : [t, null]
  const h = head ? head.split(':') : []
  const r = rest === null ? [] : rest ? rest.split(':') : []
  const fill = rest === null ? [] : new Array<string>(8 - h.length - r.length).fill('0')
  const words = [...h, ...fill, ...r]
  if (words.length !== 8) return null
  const b = Buffer.alloc(16)
  words.forEach((w, i) => b.writeUInt16BE(parseInt(w, 16), i * 2))
  if (v4) Buffer.from(tail).copy(b, 12)
  return b
}

/** The name a certificate must be valid for. */
export type PeerName =
  | { kind: 'dns'; value: string }
  | { kind: 'ip'; value: string; bytes: Buffer }
  | { kind: 'email'; value: string }

/** Classifies a host string (IP literal or DNS name); brackets around IPv6 are accepted. */
export function peerNameFromHost(host: string): PeerName {
  const h = host.replace(/^\[(.*)\]$/, '$1')
  const ip = parseIp(h)
  if (ip) return { kind: 'ip', value: h, bytes: ip }
  // Certificates carry A-labels (RFC 5890), so an IDN host is compared in its ASCII form.
  const name = h.replace(/\.$/, '').toLowerCase()
  return { kind: 'dns', value: domainToASCII(name) || name }
}

/** Whether `*.rest` may be honoured: rest has two or more labels and is not a public suffix. */
function wildcardBaseAllowed(rest: string): boolean {
  return rest.includes('.') && !multiLabelSuffixes.has(rest)
}

/**
 * RFC 6125 6.4 DNS-ID match: case-insensitive; a wildcard only as the whole left-most label,
 * matching exactly one label, never over a public suffix (CA/B Forum BR 3.2.2.6).
 */
export function dnsNameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '')
  const h = host.toLowerCase()
  if (!p.startsWith('*.')) return p === h
  const rest = p.slice(2)
  if (!wildcardBaseAllowed(rest) || !isValidDnsName(rest)) return false
  const dot = h.indexOf('.')
  return dot > 0 && h.slice(dot + 1) === rest
}

/** Does the leaf's SAN list present `peer`? CN is never consulted (RFC 6125 6.4.4, CA/B BR 7.1.4.2). */
export function sanMatchesPeer(sans: GeneralName[], peer: PeerName): boolean {
  for (const s of sans) {
    if (peer.kind === 'dns' && s.type === 'dns' && dnsNameMatches(s.value, peer.value)) return true
    if (peer.kind === 'ip' && s.type === 'ip' && s.bytes.equals(peer.bytes)) return true
    if (peer.kind === 'email' && s.type === 'email' && emailEquals(s.value, peer.value)) return true
  }
  return false
}

function emailEquals(a: string, b: string): boolean {
  const [al, ad] = splitEmail(a)
  const [bl, bd] = splitEmail(b)
  return al === bl && ad.toLowerCase() === bd.toLowerCase()
}

function splitEmail(e: string): [string, string] {
  const at = e.lastIndexOf('@')
  return at < 0 ? ['', e] : [e.slice(0, at), e.slice(at + 1)]
}

/**
 * A DNS name (or SIP domain) in the form certificates carry: lower case, no trailing dot, IDN
 * labels as A-labels (RFC 5890: `bücher.test` → `xn--bcher-kva.test`). Text that is not a valid
 * domain is returned lower-cased, so it can only ever equal itself.
 */
export function aLabelName(name: string): string {
  const n = name.trim().toLowerCase().replace(/\.$/, '')
  return domainToASCII(n) || n
}

/**
 * RFC 5922 §7.1 SIP domain match, on the parsed certificate: a `sip:`/`sips:` URI SAN naming the
 * domain wins; with no such URI SANs, a DNS SAN equal to the domain; the CN (an actual CN
 * attribute, never text found inside another attribute) only when the certificate has no SAN
 * extension at all. Wildcards never establish a SIP domain identity (§7.2). Both sides are
 * compared in A-label form, so a Unicode domain matches its `xn--` name.
 *
 * The one SIP-domain matcher: sign-in, the DNS-hijack rule, the command-line tool and the
 * federation check all come here.
 */
export function sipDomainMatches(cert: ParsedCertificate, domain: string): boolean {
  const d = aLabelName(domain)
  if (d === '' || d.startsWith('*')) return false
  const sans = cert.subjectAltNames
  if (!sans) {
    return cert.subject.rdns.some((r) =>
      r.some((a) => a.oid === '2.5.4.3' && !!a.value && aLabelName(a.value) === d)
    )
  }
  const uris = sans.flatMap((s) => (s.type === 'uri' && /^sips?:/i.test(s.value) ? [s.value] : []))
  if (uris.length > 0) {
    // RFC 5922 §7.1: only the host part of a URI without a user part names a SIP domain.
    return uris.some((u) => {
      const rest = u.replace(/^sips?:/i, '')
      return !rest.includes('@') && !/[;?:]/.test(rest) && aLabelName(rest) === d
    })
  }
  return sans.some((s) => s.type === 'dns' && aLabelName(s.value) === d)
}

/** True when `host` is the domain itself or a name under it (both compared as A-labels). */
export function isInDomain(host: string, domain: string): boolean {
  const h = aLabelName(host)
  const d = aLabelName(domain)
  return d !== '' && (h === d || h.endsWith(`.${d}`))
}

/** Checks a name constraint value is well-formed; returns an error text or null. */
export function constraintProblem(c: GeneralName): string | null {
  switch (c.type) {
    case 'dns':
      if (c.value === '') return null
      return isValidDnsName(c.value) ? null : `invalid dNSName constraint '${c.value}'`
    case 'ip': {
      const b = c.bytes
      if (b.length !== 8 && b.length !== 32) return 'iPAddress constraint must be address + mask'
      const mask = b.subarray(b.length / 2)
      let seenZero = false
      for (const byte of mask) {
        for (let bit = 7; bit >= 0; bit--) {
          const on = (byte >> bit) & 1
          if (on && seenZero) return 'iPAddress constraint mask is not contiguous'
          if (!on) seenZero = true
        }
      }
      return null
    }
    case 'email': {
      const v = c.value
      if (v.includes('@')) {
        const [l, d] = splitEmail(v)
        return l && isValidDnsName(d) ? null : `invalid rfc822Name constraint '${v}'`
      }
      const d = v.startsWith('.') ? v.slice(1) : v
      return isValidDnsName(d) ? null : `invalid rfc822Name constraint '${v}'`
    }
    case 'uri': {
      const d = c.value.startsWith('.') ? c.value.slice(1) : c.value
      return isValidDnsName(d) ? null : `invalid URI constraint '${c.value}'`
    }
    default:
      return null
  }
}

function dnsWithin(name: string, constraint: string): boolean {
  const c = constraint.toLowerCase().replace(/\.$/, '')
  const n = name.toLowerCase().replace(/\.$/, '')
  if (c === '') return true
  return n === c || n.endsWith('.' + c)
}

function ipWithin(ip: Buffer, c: Buffer): boolean {
  if (c.length !== ip.length * 2) return false
  const half = ip.length
  for (let i = 0; i < half; i++) {
    const m = c[half + i]!
    if ((ip[i]! & m) !== (c[i]! & m)) return false
  }
  return true
}

function emailWithin(email: string, c: string): boolean {
  const [, domain] = splitEmail(email)
  if (c.includes('@')) return emailEquals(email, c)
  if (c.startsWith('.')) return domain.toLowerCase().endsWith(c.toLowerCase())
  return domain.toLowerCase() === c.toLowerCase()
}

function uriHost(uri: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:(?:\/\/)?(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#;]*)/i.exec(uri)
  return m && m[1] ? m[1].toLowerCase() : null
}

function uriWithin(uri: string, c: string): boolean {
  const host = uriHost(uri)
  if (!host || host.startsWith('[') || parseIp(host)) return false
  if (c.startsWith('.')) return host.endsWith(c.toLowerCase())
  return host === c.toLowerCase()
}

function dnWithin(name: ParsedName, c: ParsedName): boolean {
  if (c.rdns.length > name.rdns.length) return false
  const nk = name.key.split('/')
  const ck = c.key.split('/')
  if (c.empty) return true
  return ck.every((k, i) => nk[i] === k)
}

/** Which constraint family a name belongs to ('other' names use their tag). */
function family(n: GeneralName): string {
  return n.type === 'other' ? `other${n.tag}` : n.type
}

/** Does name `n` fall within subtree `c` (same family assumed)? `excluded` widens wildcard overlap. */
function within(n: GeneralName, c: GeneralName, excluded: boolean): boolean {
  if (n.type === 'dns' && c.type === 'dns') {
    if (n.value.startsWith('*.')) {
      const base = n.value.slice(2)
      if (dnsWithin('x.' + base, c.value)) return true
      // An excluded subtree one label below the wildcard base overlaps what the wildcard covers.
      return (
        excluded &&
        c.value.toLowerCase().endsWith('.' + base.toLowerCase()) &&
        !c.value.slice(0, -base.length - 1).includes('.')
      )
    }
    return dnsWithin(n.value, c.value)
  }
  if (n.type === 'ip' && c.type === 'ip') return ipWithin(n.bytes, c.bytes)
  if (n.type === 'email' && c.type === 'email') return emailWithin(n.value, c.value)
  if (n.type === 'uri' && c.type === 'uri') return uriWithin(n.value, c.value)
  if (n.type === 'dn' && c.type === 'dn') return dnWithin(n.name, c.name)
  // Names we cannot interpret against a constraint of the same type: treat as matching so that
  // excluded subtrees reject and permitted subtrees cannot be proven (fail closed).
  return excluded
}

/** The names of `cert` that name constraints apply to (RFC 5280 4.2.1.10, 6.1.3 b/c). */
export function constrainedNames(cert: ParsedCertificate, isLeaf: boolean): GeneralName[] {
  const out: GeneralName[] = []
  if (!cert.subject.empty) out.push({ type: 'dn', name: cert.subject })
  for (const r of cert.subject.rdns) {
    for (const a of r)
      if (a.oid === emailAttrOid && a.value) out.push({ type: 'email', value: a.value })
  }
  if (cert.subjectAltNames) out.push(...cert.subjectAltNames)
  else if (isLeaf) {
    // Without SANs, a DNS-looking CN is what legacy verifiers match, so constrain it as a dNSName.
    for (const r of cert.subject.rdns) {
      for (const a of r) {
        if (a.oid === '2.5.4.3' && a.value) {
          if (parseIp(a.value)) out.push({ type: 'ip', bytes: parseIp(a.value)!, value: a.value })
          else if (isValidDnsName(a.value, true)) out.push({ type: 'dns', value: a.value })
        }
      }
    }
  }
  return out
}

/** Returns the first name of `names` that violates `nc`, with why, or null. */
export function nameConstraintViolation(
  names: GeneralName[],
  nc: NameConstraints
): { name: string; why: string } | null {
  for (const n of names) {
    const fam = family(n)
    const ex = nc.excluded?.filter((c) => family(c) === fam) ?? []
    for (const c of ex) {
      if (within(n, c, true))
        return { name: nameText(n), why: `is in excluded subtree ${nameText(c)}` }
    }
    const per = nc.permitted?.filter((c) => family(c) === fam) ?? []
    if (per.length > 0 && !per.some((c) => within(n, c, false))) {
      return { name: nameText(n), why: `is outside the permitted ${fam} subtrees` }
    }
  }
  return null
}

/** Display text for a GeneralName. */
export function nameText(n: GeneralName): string {
  switch (n.type) {
    case 'dn':
      return `DirName:${n.name.text}`
    case 'ip':
      return `IP:${n.value}`
    case 'dns':
      return `DNS:${n.value}`
    case 'email':
      return `email:${n.value}`
    case 'uri':
      return `URI:${n.value}`
    default:
      return `othername:${n.value}`
  }
}
