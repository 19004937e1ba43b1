import type { DiscoveredServer } from '../../../shared/types/connection'
import { aLabelName, isInDomain, nameText, sipDomainMatches } from './chain/names'
import type { ParsedCertificate } from './chain/parse'
import type { Finding } from './chain/reasons'

/** How the server being judged was found, as far as the SIP-domain rule cares. */
export type ServerOrigin = Pick<DiscoveredServer, 'host' | 'port' | 'source' | 'via'>

/** The user's remembered answer to the DNS-hijack question for (SIP domain, server). */
export interface DomainAnswer {
  allow: boolean
  decidedAt: string
}

/** The names a certificate carries, as shown in the DNS-hijack question. */
export function certificateNames(leaf: ParsedCertificate): string[] {
  if (leaf.subjectAltNames) return leaf.subjectAltNames.slice(0, 20).map(nameText)
  return leaf.subject.rdns.flatMap((r) =>
    r.flatMap((a) => (a.oid === '2.5.4.3' && a.value ? [`CN:${a.value}`] : []))
  )
}

/**
 * The SIP-domain finding for a leaf certificate (RFC 5922), or null when the certificate names
 * the domain. The one producer of SIP-domain findings; the matcher is names.ts's.
 *
 * - Checked on its own (no server context): a certificate that does not name the domain is an
 *   error, as RFC 5922 §7.1 states it.
 * - Server chosen explicitly (configuration or policy), or its own name inside the domain: noted,
 *   not refused; the host name check (RFC 6125) has already tied the certificate to that server.
 * - Server found through DNS outside the domain (the DNS-hijack rule, RFC 5922 §4 and the Skype
 *   for Business guidance): whoever controls DNS could have sent us to a server with a perfectly
 *   valid certificate of its own, so the user is asked, and the remembered answer is applied.
 */
export function sipIdentityFinding(
  leaf: ParsedCertificate,
  sipDomain: string,
  server: ServerOrigin | null,
  answer: DomainAnswer | null
): Finding | null {
  const domain = aLabelName(sipDomain)
  if (sipDomainMatches(leaf, domain)) return null
  const names = certificateNames(leaf)
  const base = { certIndex: 0, certSubject: leaf.subject.text || '(empty subject)' }
  const named = names.length ? names.join(', ') : 'nothing usable'
  if (!server) {
    return {
      ...base,
      code: 'sip-domain-mismatch',
      severity: 'error',
      detail: `no subjectAltName URI sip:${domain} (or DNS ${domain} when no SIP URI is present); the certificate names ${named} (RFC 5922 §7.1)`,
      ctx: { sipDomain: domain, names }
    }
  }
  const facts = { sipDomain: domain, names, extra: { server: server.host, port: server.port } }
  const how = server.source === 'configured' ? 'configured' : `DNS (${server.via ?? server.source})`
  if (server.source === 'configured' || isInDomain(server.host, domain)) {
    const why = server.source === 'configured' ? 'configured' : 'in-domain'
    return {
      ...base,
      code: 'sip-domain-not-named',
      severity: 'info',
      detail: `${how} server ${server.host}:${server.port}; the certificate names ${named} but not ${domain} (RFC 5922 §7.1)`,
      ctx: { ...facts, extra: { ...facts.extra, why } }
    }
  }
  const detail = `${how} sent SIP domain ${domain} to ${server.host}:${server.port}, which is not in that domain; the certificate names ${named} but not ${domain} (RFC 5922 §7.1, §7.2: wildcards do not count)`
  if (!answer) {
    return {
      ...base,
      code: 'sip-domain-unconfirmed',
      severity: 'question',
      detail,
      ctx: { ...facts, extra: { ...facts.extra, ...(server.via ? { via: server.via } : {}) } }
    }
  }
  return {
    ...base,
    code: answer.allow ? 'sip-domain-confirmed' : 'sip-domain-refused',
    severity: answer.allow ? 'warning' : 'error',
    detail: `${detail}; answered "${answer.allow ? 'allow' : 'refuse'}" on ${answer.decidedAt}`,
    ctx: { ...facts, extra: { ...facts.extra, decidedAt: answer.decidedAt } }
  }
}
