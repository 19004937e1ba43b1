import type { TrustReason, TrustReasonCode, TrustSeverity } from '../../../../shared/types/trust'

/** Facts a check hands to the wording table. */
export interface FindingContext {
  /** Host name or IP the user connected to. */
  host?: string
  sipDomain?: string
  /** Relevant date (expiry, start) for date wording. */
  date?: Date
  /** Evaluation time, for relative wording ("5 days ago"). */
  at?: Date
  /** Names the certificate is actually valid for (first few), for mismatch wording. */
  names?: string[]
  /** Role of the certificate in the chain, for wording. */
  role?: 'leaf' | 'intermediate' | 'root'
}

/** A finding before wording: code, severity, where, technical detail and context. */
export interface Finding {
  code: TrustReasonCode
  severity: TrustSeverity
  certIndex: number | null
  certSubject: string | null
  detail: string
  ctx?: FindingContext
}

const longDate = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC'
})

function day(d: Date | undefined): string {
  return d ? longDate.format(d) : 'an unknown date'
}

function ago(d: Date | undefined, at: Date | undefined): string {
  if (!d || !at) return ''
  const days = Math.round(Math.abs(at.getTime() - d.getTime()) / 86_400_000)
  if (days === 0) return ' (today)'
  return days === 1 ? ' (1 day)' : ` (${days} days)`
}

function whose(ctx: FindingContext | undefined): string {
  switch (ctx?.role) {
    case 'intermediate':
      return "an intermediate certificate in the server's chain"
    case 'root':
      return "the root certificate of the server's chain"
    default:
      return "the server's certificate"
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

type Wording = (ctx: FindingContext | undefined) => { summary: string; remedy: string }

const admin = 'Ask the server administrator to'

/** Plain-language wording per code, modelled on Chrome/Firefox certificate error pages. */
const wording: Record<TrustReasonCode, Wording> = {
  expired: (c) => ({
    summary: `${cap(whose(c))} expired on ${day(c?.date)}${ago(c?.date, c?.at)}, so the connection is not private.`,
    remedy: `${admin} renew the certificate and install it together with its intermediates. If the date looks wrong, check this computer's clock first.`
  }),
  'not-yet-valid': (c) => ({
    summary: `${cap(whose(c))} is not valid until ${day(c?.date)}. Either this computer's clock is wrong or the certificate was installed too early.`,
    remedy: `Check this computer's date, time and time zone. If they are right, ${admin.toLowerCase()} check the certificate's start date.`
  }),
  'clock-skew': () => ({
    summary:
      "This computer's clock may be wrong: the certificate is only just outside its validity dates.",
    remedy: 'Synchronise the clock (enable automatic time / NTP) and reconnect.'
  }),
  'hostname-mismatch': (c) => ({
    summary: `The server could not prove that it is ${c?.host ?? 'the server you asked for'}; its certificate is for ${
      c?.names?.length
        ? c.names.slice(0, 3).join(', ') + (c.names.length > 3 ? ' and others' : '')
        : 'a different name'
    }.`,
    remedy: `Check the server address in the account settings. Otherwise ${admin.toLowerCase()} issue a certificate whose subjectAltName includes ${c?.host ?? 'the server name'}.`
  }),
  'sip-domain-mismatch': (c) => ({
    summary:
      `The server's certificate is not valid for the SIP domain ${c?.sipDomain ?? ''}.`.replace(
        ' .',
        '.'
      ),
    remedy: `${admin} include sip:${c?.sipDomain ?? '<domain>'} (URI) or the domain (DNS) in the certificate's subjectAltName, as RFC 5922 requires.`
  }),
  'unknown-issuer': () => ({
    summary: "The server's certificate is not issued by an authority this computer trusts.",
    remedy: `If the server uses a private CA, install that CA's root certificate as a trusted anchor for this account; otherwise ${admin.toLowerCase()} use a publicly trusted certificate and send the full chain.`
  }),
  'missing-intermediate': () => ({
    summary:
      'The server did not send all the certificates needed to check who issued its certificate.',
    remedy: `${admin} configure the full chain (server certificate followed by all intermediate certificates).`
  }),
  'incomplete-chain-fetched': () => ({
    summary:
      'A missing intermediate certificate was downloaded from the issuer to complete the check.',
    remedy: `Works, but fragile: ${admin.toLowerCase()} send the intermediate certificates with the server certificate.`
  }),
  'self-signed': () => ({
    summary: "The server's certificate is self-signed, so nobody vouches for its identity.",
    remedy: `Only accept it if you can confirm its fingerprint with the administrator out of band; better, ${admin.toLowerCase()} use a certificate from a trusted CA.`
  }),
  'weak-key': (c) => ({
    summary: `${cap(whose(c))} uses a key that is too weak to be safe.`,
    remedy: `${admin} reissue the certificate with at least a 2048-bit RSA or a P-256 EC key.`
  }),
  'weak-signature': (c) => ({
    summary: `${cap(whose(c))} is signed with an outdated algorithm (such as SHA-1 or MD5) that can be forged.`,
    remedy: `${admin} reissue the certificate with a SHA-256 (or stronger) signature.`
  }),
  'unsupported-algorithm': (c) => ({
    summary: `${cap(whose(c))} uses an algorithm this app does not accept.`,
    remedy: `${admin} reissue the certificate with RSA (2048+), ECDSA P-256/P-384/P-521 or Ed25519.`
  }),
  'bad-signature': (c) => ({
    summary: `The signature on ${whose(c)} is invalid; it may have been tampered with.`,
    remedy: `${admin} check that the installed intermediate certificates belong to the server certificate. If it persists, suspect interception on the network.`
  }),
  'not-a-ca': () => ({
    summary:
      "A certificate in the server's chain was used to issue other certificates but is not allowed to.",
    remedy: `${admin} check the chain: an end-entity certificate is being used as an intermediate.`
  }),
  'path-length-exceeded': () => ({
    summary: "The server's chain has more intermediate authorities than its issuer allows.",
    remedy: `${admin} use a chain that respects the CA's path length constraint.`
  }),
  'chain-too-long': () => ({
    summary: "The server's certificate chain is too long to be checked.",
    remedy: `${admin} send a shorter chain.`
  }),
  'key-usage': (c) => ({
    summary: `${cap(whose(c))} is not allowed to be used this way.`,
    remedy: `${admin} reissue the certificate with the right key usage bits.`
  }),
  'extended-key-usage': () => ({
    summary: "The server's certificate is not meant for identifying a server.",
    remedy: `${admin} use a certificate whose extended key usage includes TLS Web Server Authentication (serverAuth).`
  }),
  'name-constraints': () => ({
    summary:
      "The server's certificate uses a name its issuing authority is not allowed to certify.",
    remedy: `${admin} use a certificate from a CA permitted to issue for this name.`
  }),
  'unknown-critical-extension': (c) => ({
    summary: `${cap(whose(c))} contains a critical extension this app does not understand, so it must be rejected.`,
    remedy: `${admin} reissue the certificate without the unsupported critical extension.`
  }),
  'invalid-extension': (c) => ({
    summary: `${cap(whose(c))} is not formed according to the certificate standards.`,
    remedy: `${admin} reissue the certificate; the technical detail names the problem.`
  }),
  revoked: () => ({
    summary: "The server's certificate has been revoked by its issuer and must not be used.",
    remedy: `${admin} install a new certificate immediately; the old key may be compromised.`
  }),
  'revocation-unknown': () => ({
    summary: "It could not be checked whether the server's certificate has been revoked.",
    remedy:
      'Check that this computer can reach the OCSP responder / CRL URL, or relax the revocation policy.'
  }),
  'chain-order': () => ({
    summary: 'The server sent its certificates in the wrong order.',
    remedy: `Harmless here, but ${admin.toLowerCase()} order the chain leaf first, then each issuer.`
  }),
  'extra-certificates': () => ({
    summary: 'The server sent certificates that are not part of its chain.',
    remedy: `Harmless here; ${admin.toLowerCase()} remove unrelated certificates from the chain file.`
  }),
  'anchor-sent': () => ({
    summary: 'The server also sent its root certificate, which is unnecessary.',
    remedy: 'No action needed.'
  }),
  'node-disagrees': () => ({
    summary:
      "The system's TLS library judged this certificate differently from TrustLine's own check.",
    remedy: 'Report this to TrustLine support with the helpdesk report.'
  }),
  'malformed-certificate': (c) => ({
    summary: `${cap(whose(c))} is damaged or not a valid certificate.`,
    remedy: `${admin} check the certificate file that the server is configured with.`
  }),
  'no-certificate': () => ({
    summary: 'The server did not present a certificate.',
    remedy: `${admin} configure a TLS certificate for the SIP service.`
  }),
  'certificate-changed': () => ({
    summary:
      'The server now presents a different certificate from the one you accepted as an exception, so it may not be the same server.',
    remedy:
      'Do not accept it blindly: confirm with the server administrator that the certificate was replaced, then review and accept the new fingerprint, or have the server use a certificate from a trusted CA.'
  }),
  'chain-limit': () => ({
    summary: 'The server sent an unreasonably large certificate chain.',
    remedy: `${admin} send only the server certificate and its intermediates.`
  })
}

/** Turns a finding into the user/helpdesk/admin wording of the shared TrustReason. */
export function toTrustReason(f: Finding): TrustReason {
  const w = wording[f.code](f.ctx)
  return {
    code: f.code,
    severity: f.severity,
    certIndex: f.certIndex,
    certSubject: f.certSubject,
    summary: w.summary,
    detail: f.detail,
    remedy: w.remedy
  }
}
