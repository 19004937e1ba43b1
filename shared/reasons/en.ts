import type { TrustReasonCode } from '../types/trust'
import type { Facts, ReasonText } from './facts'

const admin = 'Ask the server administrator to'
const adminLc = 'ask the server administrator to'

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

/** "the server's certificate", "an intermediate certificate in the server's chain", … */
function whose(f: Facts): string {
  switch (f.s('role')) {
    case 'intermediate':
      return "an intermediate certificate in the server's chain"
    case 'root':
      return "the root certificate of the server's chain"
    default:
      return f.s('purpose') === 'client' ? 'the client certificate' : "the server's certificate"
  }
}

/** " (5 days ago)", " (in 3 days)", " (today)" or "". */
function relative(f: Facts, name: string): string {
  const days = f.daysFrom(name)
  if (days === undefined) return ''
  if (days === 0) return ' (today)'
  const n = Math.abs(days)
  const span = n === 1 ? '1 day' : `${n} days`
  return days < 0 ? ` (${span} ago)` : ` (in ${span})`
}

/** "a, b and c", or the first three "and N others" (`total`: how many there were in all). */
function listOf(items: string[], max = 3, total = items.length): string {
  if (total <= 1) return items[0] ?? ''
  if (total <= max) return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
  const more = total - max
  return `${items.slice(0, max).join(', ')} and ${more === 1 ? '1 other' : `${more} others`}`
}

function server(f: Facts): string {
  const host = f.s('host')
  const port = f.s('port')
  return host ? (port ? `${host}:${port}` : host) : 'the server'
}

/** What Node's TLS library does not look at, by the code TrustLine refused for. */
const notCheckedByNode: Partial<Record<TrustReasonCode, string>> = {
  revoked: 'revocation',
  'revocation-unknown': 'revocation',
  'weak-key': 'key strength',
  'weak-signature': 'signature strength',
  'unsupported-algorithm': 'the algorithms in use',
  'malformed-certificate': 'the strict certificate format rules',
  'invalid-extension': 'the strict certificate format rules',
  'key-usage': 'the key usage rules',
  'sip-domain-mismatch': 'SIP domain names',
  'chain-limit': 'chain size limits'
}

function uncheckedList(codes: string[]): string {
  return listOf([
    ...new Set(codes.map((c) => notCheckedByNode[c as TrustReasonCode] ?? c).filter(Boolean))
  ])
}

function connectionFailed(f: Facts): ReasonText {
  const where = server(f)
  const title = 'The server could not be reached'
  switch (f.s('cause')) {
    case 'dns':
      return {
        title: 'The server name was not found',
        summary: `The name ${f.s('host') ?? 'of the server'} could not be found in DNS.`,
        remedy: "Check the SIP address and the server name, and this computer's network connection."
      }
    case 'no-server':
      return {
        title: 'No SIP server was found',
        summary: `DNS names no SIP server for ${f.s('sipDomain') ?? 'this domain'}.`,
        remedy:
          'Check the SIP address; otherwise ask your administrator for the server address and enter it under Advanced.'
      }
    case 'refused':
      return {
        title,
        summary: `${where} refused the connection: nothing listens there, or a firewall rejects it.`,
        remedy:
          'Check the server address and port; ask the administrator whether the SIP TLS service is running.'
      }
    case 'unreachable':
      return {
        title,
        summary: `${where} cannot be reached from this network.`,
        remedy: "Check this computer's network connection (and VPN, if the server is internal)."
      }
    case 'timeout':
      return {
        title,
        summary: `${where} did not answer in time.`,
        remedy: "Check this computer's network connection and the server address; try again later."
      }
    case 'closed':
      return {
        title: 'The server closed the connection',
        summary: `${where} closed the connection during the TLS handshake; it may not speak TLS on this port.`,
        remedy: 'Check the port (SIP over TLS is usually 5061).'
      }
    case 'protocol-too-old':
      return {
        title: 'The server only speaks outdated TLS',
        summary: `${where} only offers TLS versions older than 1.2, which TrustLine refuses.`,
        remedy: `${admin} enable TLS 1.2 or 1.3.`
      }
    default:
      return {
        title: 'The secure connection could not be set up',
        summary: `The TLS handshake with ${where} failed.`,
        remedy: `Check the server address and port; if it persists, ${adminLc} check the server's TLS set-up (the technical detail names the error).`
      }
  }
}

/** English wording per code, modelled on Chrome/Firefox certificate error pages. */
export const en: Record<TrustReasonCode, (f: Facts) => ReasonText> = {
  expired: (f) => ({
    title: 'The certificate has expired',
    summary: `${cap(whose(f))} expired on ${f.date('date') ?? 'an unknown date'}${relative(f, 'date')}, so the connection is not private.`,
    remedy: `${admin} renew the certificate and install it together with its intermediates. If the date looks wrong, check this computer's clock first.`
  }),
  'not-yet-valid': (f) => ({
    title: 'The certificate is not valid yet',
    summary: `${cap(whose(f))} is not valid until ${f.date('date') ?? 'a later date'}${relative(f, 'date')}. Either this computer's clock is wrong or the certificate was installed too early.`,
    remedy: `Check this computer's date, time and time zone. If they are right, ${adminLc} check the certificate's start date.`
  }),
  'clock-skew': () => ({
    title: "This computer's clock may be wrong",
    summary:
      "This computer's clock may be wrong: the certificate is only just outside its validity dates.",
    remedy: 'Synchronise the clock (enable automatic time / NTP) and reconnect.'
  }),
  'hostname-mismatch': (f) => {
    const names = f.list('names')
    return {
      title: 'The certificate is for a different server',
      summary: `The server could not prove that it is ${f.s('host') ?? 'the server you asked for'}; its certificate is for ${names.length ? listOf(names, 3, f.count('names')) : 'a different name'}.`,
      remedy: `Check the server address in the account settings. Otherwise ${adminLc} issue a certificate whose subjectAltName includes ${f.s('host') ?? 'the server name'}.`
    }
  },
  'sip-domain-mismatch': (f) => ({
    title: 'The certificate does not name your SIP domain',
    summary: `The server's certificate is not valid for the SIP domain ${f.s('sipDomain') ?? 'of your account'}.`,
    remedy: `${admin} include sip:${f.s('sipDomain') ?? '<domain>'} (URI) or the domain (DNS) in the certificate's subjectAltName, as RFC 5922 requires.`
  }),
  'unknown-issuer': (f) => ({
    title: 'The certificate was issued by an unknown authority',
    summary:
      f.s('role') === 'root'
        ? `The server's chain ends at a root certificate this computer does not trust${f.s('issuer') ? ` (${f.s('issuer')})` : ''}.`
        : `${cap(whose(f))} is not issued by an authority this computer trusts${f.s('issuer') ? ` (issuer: ${f.s('issuer')})` : ''}.`,
    remedy: `If your organisation runs its own certificate authority, add its root certificate for your account in Settings → "Your CA certificates" (where your organisation's policy sets the CAs, ask your IT department to add it to TrustLine's policy, trustedCaFiles); otherwise ${adminLc} use a publicly trusted certificate and send the full chain.`
  }),
  'missing-intermediate': (f) => ({
    title: 'The server did not send its full certificate chain',
    summary: `The server did not send all the certificates needed to check who issued its certificate${f.s('issuer') ? ` (missing: ${f.s('issuer')})` : ''}.`,
    remedy: `${admin} configure the full chain (server certificate followed by all intermediate certificates).`
  }),
  'incomplete-chain-fetched': (f) => ({
    title: 'A missing certificate was downloaded',
    summary: `A missing intermediate certificate was downloaded from the issuer to complete the check${f.list('urls').length ? ` (${listOf(f.list('urls'), 3, f.count('urls'))})` : ''}.`,
    remedy: `Works, but fragile: ${adminLc} send the intermediate certificates with the server certificate.`
  }),
  'self-signed': (f) => ({
    title: 'The certificate is self-signed',
    summary: `${cap(whose(f))} is self-signed, so nobody vouches for its identity.`,
    remedy: `Only accept it if you can confirm its fingerprint with the administrator out of band; better, ${adminLc} use a certificate from a trusted CA.`
  }),
  'weak-key': (f) => ({
    title: "The certificate's key is too weak",
    summary: `${cap(whose(f))} uses a key that is too weak to be safe.`,
    remedy: `${admin} reissue the certificate with at least a 2048-bit RSA or a P-256 EC key.`
  }),
  'weak-signature': (f) => ({
    title: 'The certificate uses a weak signature',
    summary: `${cap(whose(f))} is signed with an outdated algorithm (such as SHA-1 or MD5) that can be forged.`,
    remedy: `${admin} reissue the certificate with a SHA-256 (or stronger) signature.`
  }),
  'unsupported-algorithm': (f) => ({
    title: 'The certificate uses an unsupported algorithm',
    summary: `${cap(whose(f))} uses an algorithm this app does not accept.`,
    remedy: `${admin} reissue the certificate with RSA (2048+), ECDSA P-256/P-384/P-521 or Ed25519.`
  }),
  'bad-signature': (f) => ({
    title: 'A signature in the chain is not valid',
    summary: `The signature on ${whose(f)} is invalid; it may have been tampered with.`,
    remedy: `${admin} check that the installed intermediate certificates belong to the server certificate. If it persists, suspect interception on the network.`
  }),
  'not-a-ca': () => ({
    title: 'A certificate in the chain may not issue certificates',
    summary:
      "A certificate in the server's chain was used to issue other certificates but is not allowed to.",
    remedy: `${admin} check the chain: an end-entity certificate is being used as an intermediate.`
  }),
  'path-length-exceeded': () => ({
    title: 'The chain is longer than an authority allows',
    summary: "The server's chain has more intermediate authorities than its issuer allows.",
    remedy: `${admin} use a chain that respects the CA's path length constraint.`
  }),
  'chain-too-long': () => ({
    title: 'The chain is too long',
    summary: "The server's certificate chain is too long to be checked.",
    remedy: `${admin} send a shorter chain.`
  }),
  'key-usage': (f) => ({
    title: "The certificate's key may not be used for this",
    summary: `${cap(whose(f))} is not allowed to be used this way.`,
    remedy: `${admin} reissue the certificate with the right key usage bits.`
  }),
  'extended-key-usage': (f) =>
    f.s('purpose') === 'client'
      ? {
          title: 'The certificate is not meant for clients',
          summary: 'The client certificate is not meant for identifying a client.',
          remedy:
            'Use a certificate whose extended key usage includes TLS Web Client Authentication (clientAuth).'
        }
      : {
          title: 'The certificate is not meant for servers',
          summary: "The server's certificate is not meant for identifying a server.",
          remedy: `${admin} use a certificate whose extended key usage includes TLS Web Server Authentication (serverAuth).`
        },
  'name-constraints': () => ({
    title: 'The authority may not issue for this name',
    summary:
      "The server's certificate uses a name its issuing authority is not allowed to certify.",
    remedy: `${admin} use a certificate from a CA permitted to issue for this name.`
  }),
  'unknown-critical-extension': (f) => ({
    title: 'The certificate has a critical extension TrustLine does not know',
    summary: `${cap(whose(f))} contains a critical extension this app does not understand, so it must be rejected.`,
    remedy: `${admin} reissue the certificate without the unsupported critical extension.`
  }),
  'invalid-extension': (f) => ({
    title: 'The certificate breaks a format rule',
    summary: `${cap(whose(f))} is not formed according to the certificate standards.`,
    remedy: `${admin} reissue the certificate; the technical detail names the problem.`
  }),
  revoked: (f) => ({
    title: 'The certificate has been revoked',
    summary: `${cap(whose(f))} has been revoked by its issuer${f.date('date') ? ` on ${f.date('date')}` : ''} and must not be used.`,
    remedy: `${admin} install a new certificate immediately; the old key may be compromised.`
  }),
  'revocation-unknown': () => ({
    title: 'Revocation could not be checked',
    summary: "It could not be checked whether the server's certificate has been revoked.",
    remedy:
      'Check that this computer can reach the OCSP responder / CRL URL, or relax the revocation policy.'
  }),
  'chain-order': () => ({
    title: 'The server sent its certificates in the wrong order',
    summary: 'The server sent its certificates in the wrong order.',
    remedy: `Harmless here, but ${adminLc} order the chain leaf first, then each issuer.`
  }),
  'extra-certificates': () => ({
    title: 'The server sent certificates it does not need',
    summary: 'The server sent certificates that are not part of its chain.',
    remedy: `Harmless here; ${adminLc} remove unrelated certificates from the chain file.`
  }),
  'anchor-sent': () => ({
    title: 'The server sent its root certificate along',
    summary: 'The server also sent its root certificate, which is unnecessary.',
    remedy: 'No action needed.'
  }),
  'node-disagrees': (f) =>
    f.s('direction') === 'node-accepts'
      ? {
          title: "The system's TLS library checks less",
          summary: `The system's TLS library would accept this certificate because it does not check ${uncheckedList(f.list('codes'))}; TrustLine does, and refuses it.`,
          remedy: 'Nothing to do about TrustLine: fix the problem named in the other findings.'
        }
      : {
          title: "The system's TLS library refused the certificate",
          summary: `The system's TLS library rejected this certificate (${f.s('nodeError') ?? 'no error code'}) although TrustLine's own checks passed, so the connection is refused to be safe.`,
          remedy:
            'Send the helpdesk report to TrustLine support: the two checks should agree for this certificate.'
        },
  'malformed-certificate': (f) => ({
    title: 'A certificate could not be read',
    summary: `${cap(whose(f))} is damaged or not a valid certificate.`,
    remedy: `${admin} check the certificate file that the server is configured with.`
  }),
  'no-certificate': () => ({
    title: 'The server sent no certificate',
    summary: 'The server did not present a certificate.',
    remedy: `${admin} configure a TLS certificate for the SIP service.`
  }),
  'chain-limit': (f) => ({
    title: 'The chain could not be built within limits',
    summary: `The server sent an unreasonably large certificate chain${f.n('count') !== undefined ? ` (${f.n('count')} certificates)` : ''}.`,
    remedy: `${admin} send only the server certificate and its intermediates.`
  }),
  'certificate-changed': (f) => ({
    title: "The server's certificate changed since you accepted it",
    summary: `${server(f)} now presents a different certificate from the one you accepted as an exception${f.date('acceptedAt') ? ` on ${f.date('acceptedAt')}` : ''}, so it may not be the same server.`,
    remedy:
      'Do not accept it blindly: confirm with the server administrator that the certificate was replaced, then review and accept the new fingerprint, or have the server use a certificate from a trusted CA.'
  }),
  'exception-forbidden': (f) => ({
    title: 'Your exception is not allowed by policy',
    summary: `You accepted this certificate for ${server(f)} as an exception${f.date('acceptedAt') ? ` on ${f.date('acceptedAt')}` : ''}, but your organisation's policy${f.s('lockedBy') ? ` (${f.s('lockedBy')})` : ''} does not allow exceptions, so it is not used.`,
    remedy:
      "Ask your IT department to fix the server's certificate, or to add its certificate authority to the policy."
  }),
  'account-ca-forbidden': (f) => ({
    title: 'Your own CA is not allowed by policy',
    summary: `This server's certificate is trusted only through a CA certificate added for your account, but your organisation's policy${f.s('lockedBy') ? ` (${f.s('lockedBy')})` : ''} does not allow CAs of your own, so it is not used.`,
    remedy:
      "Ask your IT department to add that certificate authority to the policy's trusted CA files, or to give the server a certificate from a CA the policy trusts."
  }),
  'sip-domain-unconfirmed': (f) => ({
    title: 'Is this the server for your SIP domain?',
    summary: `DNS sent ${f.s('sipDomain') ?? 'your SIP domain'} to ${f.s('server') ?? 'a server'}, a server outside that domain whose certificate does not name it. It could be a DNS hijack, so nothing was sent.`,
    remedy: `Ask your administrator whether ${f.s('server') ?? 'that server'} is the server for ${f.s('sipDomain') ?? 'your domain'}. They can add sip:${f.s('sipDomain') ?? '<domain>'} to its certificate, or configure the server explicitly.`
  }),
  'sip-domain-confirmed': (f) => ({
    title: 'You confirmed this server for your SIP domain',
    summary: `You confirmed${f.date('decidedAt') ? ` on ${f.date('decidedAt')}` : ''} that ${f.s('server') ?? 'this server'} serves ${f.s('sipDomain') ?? 'your SIP domain'}, although its certificate does not name the domain.`,
    remedy: `If that was a mistake, forget the answer in Settings. Ask the administrator to add sip:${f.s('sipDomain') ?? '<domain>'} to the certificate.`
  }),
  'sip-domain-refused': (f) => ({
    title: 'You refused this server for your SIP domain',
    summary: `You chose${f.date('decidedAt') ? ` on ${f.date('decidedAt')}` : ''} not to use ${f.s('server') ?? 'this server'} for ${f.s('sipDomain') ?? 'your SIP domain'}: DNS sent the domain to a server whose certificate does not name it.`,
    remedy: `Forget the answer in Settings to be asked again, or ask your administrator to add sip:${f.s('sipDomain') ?? '<domain>'} to the server's certificate.`
  }),
  'sip-domain-not-named': (f) => ({
    title: 'The certificate does not name your SIP domain',
    summary:
      f.s('why') === 'configured'
        ? `The certificate of ${f.s('server') ?? 'the server'} does not name your SIP domain ${f.s('sipDomain') ?? ''}; it is used because this server was chosen explicitly rather than found through DNS.`
        : `The certificate of ${f.s('server') ?? 'the server'} does not name your SIP domain ${f.s('sipDomain') ?? ''}; it is used because the server's own name lies inside that domain.`,
    remedy: `Nothing to do now; ${adminLc} add sip:${f.s('sipDomain') ?? '<domain>'} to the certificate (RFC 5922).`
  }),
  'client-cert-required': (f) => ({
    title: 'The server requires a client certificate',
    summary: `${server(f)} requires a client certificate and none was configured${
      f.list('caNames').length
        ? `; it accepts certificates issued by ${listOf(f.list('caNames'), 3, f.count('caNames'))}`
        : f.s('caNamesHidden')
          ? ' (with TLS 1.3 it does not say which authorities it accepts)'
          : ''
    }.`,
    remedy:
      'Add the client certificate your administrator issued (Sign in → Advanced → Client certificate).'
  }),
  'client-cert-rejected': (f) => ({
    title: 'The server refused your client certificate',
    summary: `${server(f)} refused your client certificate${f.s('alert') ? ` (${f.s('alert')})` : ''}: it may be expired, revoked, or issued by an authority the server does not trust${
      f.list('caNames').length
        ? `; it accepts certificates issued by ${listOf(f.list('caNames'), 3, f.count('caNames'))}`
        : ''
    }.`,
    remedy:
      'Ask your administrator for a current client certificate from the authority this server trusts.'
  }),
  'client-cert-expired': (f) =>
    f.s('why') === 'not-yet-valid'
      ? {
          title: 'Your client certificate is not valid yet',
          summary: `Your client certificate${f.s('subject') ? ` (${f.s('subject')})` : ''} is valid only from ${f.date('date') ?? 'an unknown date'}${relative(f, 'date')}.`,
          remedy:
            "Check this computer's clock first; if it is right, ask your administrator for a client certificate that is already valid."
        }
      : {
          title: 'Your client certificate has expired',
          summary: `Your client certificate${f.s('subject') ? ` (${f.s('subject')})` : ''} expired on ${f.date('date') ?? 'an unknown date'}${relative(f, 'date')}.`,
          remedy:
            "Ask your administrator for a new client certificate. If the date looks wrong, check this computer's clock first."
        },
  'client-cert-not-for-client': (f) => ({
    title: 'Your certificate is not meant for signing in',
    summary: `Your certificate${f.s('subject') ? ` (${f.s('subject')})` : ''} does not allow client authentication (its extended key usage lacks clientAuth), so servers may refuse it.`,
    remedy:
      'Ask your administrator for a certificate issued for TLS client authentication (clientAuth).'
  }),
  'client-cert-unreadable': () => ({
    title: 'Your client certificate could not be read',
    summary: 'The client certificate file could not be read.',
    remedy:
      'Choose the .p12/.pfx file, or a PEM file with both the certificate and its private key, that your administrator gave you.'
  }),
  'client-cert-bad-passphrase': () => ({
    title: "Your client certificate's passphrase is wrong",
    summary: 'The client certificate could not be opened: the passphrase is wrong or missing.',
    remedy: 'Type the passphrase that came with the certificate file.'
  }),
  'client-cert-key-mismatch': () => ({
    title: 'Certificate and key do not match',
    summary: 'The client certificate and the private key do not belong together.',
    remedy: 'Use the private key that was issued with this certificate.'
  }),
  'connection-failed': connectionFailed
}
