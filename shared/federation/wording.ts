import type { FederationFinding, FederationFindingCode, FederationParam } from '../types/federation'

/** Languages the federation sentences are written in (the UI's languages). */
export const federationLanguages = ['en', 'zh-CN'] as const

/** A language of the federation sentences. */
export type FederationLanguage = (typeof federationLanguages)[number]

/** What a finding says: a short title, one sentence of what is wrong, and what to do. */
export interface FederationSentences {
  title: string
  summary: string
  remedy: string
}

type Params = Readonly<Record<string, FederationParam>>
type Wording = (p: Facts) => FederationSentences

/** Reads parameters for wording; a missing one shows as '?' rather than breaking a sentence. */
class Facts {
  constructor(private readonly params: Params) {}

  /** A text or number parameter as written (host names, dates, fingerprints verbatim). */
  s(name: string): string {
    const v = this.params[name]
    if (v === undefined) return '?'
    return Array.isArray(v) ? v.join(', ') : String(v)
  }

  /** A list parameter joined with `sep`; `none` when empty. */
  list(name: string, sep: string, none: string): string {
    const v = this.params[name]
    const items = Array.isArray(v) ? v : v === undefined ? [] : [String(v)]
    return items.length ? items.join(sep) : none
  }

  /** The host:port pair. */
  hp(): string {
    return `${this.s('host')}:${this.s('port')}`
  }
}

/** The TLS alerts a partner sends when it does not accept our edge; anything else is "other". */
type AlertKey =
  | 'unknown_ca'
  | 'bad_certificate'
  | 'unsupported_certificate'
  | 'certificate_required'
  | 'certificate_expired'
  | 'certificate_revoked'
  | 'certificate_unknown'
  | 'access_denied'
  | 'handshake_failure'
  | 'decrypt_error'
  | 'no_common'
  | 'other'

function alertKey(alert: string): AlertKey {
  switch (alert) {
    case 'unknown_ca':
    case 'bad_certificate':
    case 'unsupported_certificate':
    case 'certificate_required':
    case 'certificate_expired':
    case 'certificate_revoked':
    case 'certificate_unknown':
    case 'access_denied':
    case 'handshake_failure':
    case 'decrypt_error':
      return alert
    case 'protocol_version':
    case 'insufficient_security':
      return 'no_common'
    default:
      return 'other'
  }
}

type AlertWords = Record<AlertKey, { title: string; what: string; remedy: string }>

const enAlerts: AlertWords = {
  unknown_ca: {
    title: 'The partner does not trust your CA',
    what: 'the partner does not trust the CA that issued your edge certificate',
    remedy:
      "Ask the partner to add your CA's root (and intermediate) certificate to the CAs its edge accepts for federation, or use an edge certificate from a CA the partner already trusts."
  },
  bad_certificate: {
    title: 'The partner rejected your certificate',
    what: 'the partner rejected your edge certificate as bad (damaged, badly signed or unusable)',
    remedy:
      'Check that your edge sends the right certificate with its full chain and that the private key belongs to it; then ask the partner what its log says.'
  },
  unsupported_certificate: {
    title: 'The partner cannot use your certificate',
    what: 'the partner cannot use your edge certificate for connecting in (typically it lacks clientAuth in its extended key usage)',
    remedy:
      'Configure the outgoing side of your edge with a certificate whose extended key usage includes TLS Web Client Authentication (clientAuth).'
  },
  certificate_required: {
    title: 'The partner received no certificate',
    what: 'the partner requires a client certificate and your edge sent none',
    remedy: "Configure your edge's certificate for outgoing (client) connections too."
  },
  certificate_expired: {
    title: 'The partner says your certificate expired',
    what: 'the partner says your edge certificate has expired (or is not valid yet by its clock)',
    remedy:
      "Renew your edge certificate; if it is valid, ask the partner to check its server's clock."
  },
  certificate_revoked: {
    title: 'The partner says your certificate is revoked',
    what: 'the partner says your edge certificate has been revoked',
    remedy: 'Install a newly issued edge certificate.'
  },
  certificate_unknown: {
    title: 'The partner rejected your certificate',
    what: 'the partner rejected your edge certificate without naming the reason',
    remedy:
      "Ask the partner for its edge's log entry about your connection; check your certificate's dates, usages and chain meanwhile."
  },
  access_denied: {
    title: 'The partner does not allow your edge',
    what: 'the partner accepted your certificate but does not allow your edge to connect',
    remedy:
      "Ask the partner to add your domain or your certificate's name to its allowed federation partners."
  },
  handshake_failure: {
    title: 'The partner ended the handshake',
    what: 'the partner ended the handshake without saying why (no common parameters, or your certificate rejected)',
    remedy:
      "Check your certificate's extended key usage and CA first; then compare TLS versions and cipher suites with the partner."
  },
  decrypt_error: {
    title: 'The partner could not verify your key',
    what: 'the partner could not verify the signature your edge made with its private key',
    remedy: "Check that the edge's private key belongs to its certificate."
  },
  no_common: {
    title: 'No TLS version in common',
    what: 'the partner and your edge have no TLS version or cipher suite in common',
    remedy: 'Enable TLS 1.2 or 1.3 with current cipher suites on both edges.'
  },
  other: {
    title: 'The partner ended the handshake',
    what: 'the partner ended the handshake',
    remedy: 'Ask the partner what its edge logged for your connection.'
  }
}

const zhAlerts: AlertWords = {
  unknown_ca: {
    title: '对方不信任您的 CA',
    what: '对方不信任签发您边缘证书的证书颁发机构（CA）',
    remedy:
      '请对方把您的 CA 根证书（及中间证书）加入其边缘服务器接受的联合 CA 列表，或改用对方已信任的 CA 签发的边缘证书。'
  },
  bad_certificate: {
    title: '对方拒绝了您的证书',
    what: '对方认为您的边缘证书无效（损坏、签名错误或无法使用）',
    remedy:
      '确认边缘服务器发送的是正确的证书及完整证书链，且私钥与证书匹配；再向对方询问其日志内容。'
  },
  unsupported_certificate: {
    title: '对方无法使用您的证书',
    what: '对方无法用您的边缘证书接入（通常是扩展密钥用法中缺少 clientAuth）',
    remedy:
      '为边缘服务器的出站方向配置扩展密钥用法包含“TLS Web 客户端身份验证”（clientAuth）的证书。'
  },
  certificate_required: {
    title: '对方没有收到证书',
    what: '对方要求客户端证书，而您的边缘服务器没有发送',
    remedy: '为边缘服务器的出站（客户端）连接同样配置证书。'
  },
  certificate_expired: {
    title: '对方认为您的证书已过期',
    what: '对方认为您的边缘证书已过期（或按其时钟尚未生效）',
    remedy: '续订边缘证书；如证书有效，请对方检查其服务器时钟。'
  },
  certificate_revoked: {
    title: '对方认为您的证书已吊销',
    what: '对方认为您的边缘证书已被吊销',
    remedy: '安装新签发的边缘证书。'
  },
  certificate_unknown: {
    title: '对方拒绝了您的证书',
    what: '对方拒绝了您的边缘证书，但没有说明原因',
    remedy: '向对方索取其边缘服务器关于此连接的日志；同时检查您证书的有效期、用途和证书链。'
  },
  access_denied: {
    title: '对方不允许您的边缘服务器接入',
    what: '对方接受了您的证书，但不允许您的边缘服务器连接',
    remedy: '请对方把您的域或证书名称加入其允许的联合伙伴。'
  },
  handshake_failure: {
    title: '对方终止了握手',
    what: '对方终止了握手且未说明原因（没有共同参数，或拒绝了您的证书）',
    remedy: '先检查证书的扩展密钥用法和 CA；再与对方核对 TLS 版本和密码套件。'
  },
  decrypt_error: {
    title: '对方无法验证您的密钥',
    what: '对方无法验证您的边缘服务器用私钥做出的签名',
    remedy: '确认边缘服务器的私钥与其证书匹配。'
  },
  no_common: {
    title: '没有共同的 TLS 版本',
    what: '对方与您的边缘服务器没有共同的 TLS 版本或密码套件',
    remedy: '在双方边缘服务器上启用 TLS 1.2 或 1.3 及当前的密码套件。'
  },
  other: {
    title: '对方终止了握手',
    what: '对方终止了握手',
    remedy: '向对方询问其边缘服务器关于此连接的日志。'
  }
}

/** SIP status classes the OPTIONS wording explains. */
function optionsKey(
  status: number
): 'forbidden' | 'not-found' | 'unavailable' | 'client' | 'server' {
  if (status === 403) return 'forbidden'
  if (status === 404) return 'not-found'
  if (status === 503) return 'unavailable'
  return status >= 500 ? 'server' : 'client'
}

const en: Record<FederationFindingCode, Wording> = {
  'discovery-failed': (p) => ({
    title: 'No federation server found',
    summary: `DNS names no server for ${p.s('domain')}: there is no _sipfederationtls._tcp, NAPTR, _sips._tcp or _sip._tls record, and the domain itself has no address.`,
    remedy: `Check the spelling of ${p.s('domain')}. If it is right, ask the partner to publish an SRV record _sipfederationtls._tcp.${p.s('domain')} for its edge server, or enter the server by hand.`
  }),
  'federation-srv-missing': (p) => ({
    title: 'No _sipfederationtls._tcp record',
    summary: `${p.s('domain')} has no _sipfederationtls._tcp SRV record; its server ${p.s('host')}:${p.s('port')} was found through ${p.s('foundVia')} instead, so partners that only look for _sipfederationtls._tcp (Skype for Business, Teams) will not find it.`,
    remedy: `Ask the partner to publish _sipfederationtls._tcp.${p.s('domain')} pointing at ${p.s('host')} port ${p.s('port')}.`
  }),
  'target-outside-domain': (p) => ({
    title: 'Server outside the partner domain',
    summary: `DNS sent ${p.s('domain')} to ${p.s('host')}, a server outside that domain whose certificate does not name ${p.s('domain')} (it names ${p.list('names', ', ', 'nothing')}); anyone who controls DNS could do that, so it is not proof of the partner's identity.`,
    remedy: `Ask the partner to add sip:${p.s('domain')} (or DNS ${p.s('domain')}) to the certificate of ${p.s('host')}, or to move the SRV target into ${p.s('domain')}; if the hosting is expected, enter the server explicitly.`
  }),
  'connect-failed': (p) => ({
    title: 'No connection to the partner',
    summary: `The partner's edge ${p.hp()} could not be reached (${p.s('reason')}).`,
    remedy: `Check that ${p.hp()} is the partner's federation port and that firewalls on both sides allow TCP to it.`
  }),
  'handshake-alert': (p) => {
    const a = enAlerts[alertKey(p.s('alert'))]
    return {
      title: a.title,
      summary: `The mutual-TLS handshake with ${p.hp()} failed: ${a.what} (TLS alert ${p.s('alert')}).`,
      remedy: a.remedy
    }
  },
  'partner-closed-connection': (p) => ({
    title: 'The partner hung up after your certificate',
    summary: `${p.hp()} closed the connection right after receiving your edge certificate, without a TLS alert; it most likely does not accept that certificate.`,
    remedy:
      "Check your certificate's CA, dates and extended key usage (clientAuth), and ask the partner what its edge logged."
  }),
  'certificate-not-requested': (p) => ({
    title: 'The partner did not ask for a certificate',
    summary: `${p.hp()} did not ask your edge for a certificate, so this port does not authenticate federated servers by mutual TLS.`,
    remedy:
      "Confirm with the partner that this is its federation port and that it requires partners' certificates."
  }),
  'our-ca-not-listed': (p) => ({
    title: 'Your CA is not among those the partner lists',
    summary: `The partner lists the CAs whose client certificates it accepts (${p.list('listed', '; ', 'none')}); your certificate's issuer ${p.s('issuer')} is not among them.`,
    remedy:
      "Ask the partner to add your CA to its edge's trusted CAs, or use an edge certificate from one of the listed CAs."
  }),
  'ca-names-hidden': (p) => ({
    title: 'The partner does not list its CAs',
    summary: `With ${p.s('protocol')} the partner does not have to list the CAs it accepts, and it did not: whether it trusts your CA shows only by the handshake's result.`,
    remedy:
      'Nothing to do if the handshake succeeded; otherwise ask the partner which CAs it accepts.'
  }),
  'partner-cert-expired': (p) => ({
    title: "The partner's certificate expired",
    summary: `The certificate of ${p.s('host')} expired on ${p.s('notAfter')}; your edge will refuse to connect to it.`,
    remedy: `Ask the partner to renew the certificate of ${p.s('host')} (SHA-256 ${p.s('sha256')}).`
  }),
  'partner-cert-not-yet-valid': (p) => ({
    title: "The partner's certificate is not valid yet",
    summary: `The certificate of ${p.s('host')} is only valid from ${p.s('notBefore')}.`,
    remedy:
      "Check this computer's clock; otherwise ask the partner to check the certificate's start date."
  }),
  'partner-cert-name-mismatch': (p) => ({
    title: "The partner's certificate is for another name",
    summary: `The certificate presented by ${p.s('host')} does not name it; it is for ${p.list('names', ', ', 'no DNS name')}.`,
    remedy: `Ask the partner to install a certificate whose subjectAltName includes ${p.s('host')}, or to point its SRV record at a name its certificate carries.`
  }),
  'partner-cert-untrusted': (p) => ({
    title: "Your edge does not trust the partner's CA",
    summary: `The partner's certificate (${p.s('subject')}) chains up to ${p.s('issuer')}, which is not among the CAs your side trusts.`,
    remedy:
      "Add the partner's root CA to your edge's (and TrustLine's) trusted CAs if you agreed to trust it, or ask the partner for a certificate from a CA you both trust."
  }),
  'partner-cert-revoked': (p) => ({
    title: "The partner's certificate is revoked",
    summary: `The partner's certificate (${p.s('subject')}) has been revoked by its CA.`,
    remedy: `Ask the partner to install a new certificate at once (revoked: SHA-256 ${p.s('sha256')}).`
  }),
  'partner-cert-revocation-unknown': (p) => ({
    title: 'Revocation of the partner certificate unknown',
    summary: `It could not be checked whether the partner's certificate (${p.s('subject')}) is revoked (revocation mode ${p.s('mode')}).`,
    remedy: "Check that this computer reaches the partner CA's OCSP responder or CRL."
  }),
  'partner-cert-no-server-auth': (p) => ({
    title: "The partner's certificate is not for servers",
    summary: `The partner's certificate (${p.s('subject')}) does not allow TLS server authentication (extended key usage: ${p.list('eku', ', ', 'none')}).`,
    remedy: 'Ask the partner for a certificate with serverAuth in its extended key usage.'
  }),
  'partner-cert-invalid': (p) => ({
    title: "The partner's certificate fails a check",
    summary: `The partner's certificate chain (${p.s('subject')}) fails the check "${p.s('reason')}"; your edge will refuse to connect.`,
    remedy: 'Send the partner this report; the technical detail names the problem.'
  }),
  'partner-cert-warning': (p) => ({
    title: "A note on the partner's certificate",
    summary: `The partner's certificate chain (${p.s('subject')}) works but raises "${p.s('reason')}".`,
    remedy: 'Worth telling the partner; it does not stop federation today.'
  }),
  'partner-cert-no-client-auth': (p) => ({
    title: "The partner's certificate cannot connect back",
    summary: `The partner's certificate (${p.s('subject')}) lacks clientAuth (extended key usage: ${p.list('eku', ', ', 'none')}), so when ${p.s('domain')} connects to your edge it cannot present it: messages from them to you will fail.`,
    remedy:
      "Ask the partner to configure its edge's outgoing side with a certificate that includes clientAuth, from a CA your edge trusts."
  }),
  'own-cert-public-ca-no-client-auth': (p) => ({
    title: 'Your public-CA certificate lacks clientAuth',
    summary: `Your edge certificate (${p.s('subject')}) was issued on ${p.s('notBefore')} by the public CA ${p.s('issuer')} without clientAuth (extended key usage: ${p.list('eku', ', ', 'none')}); since ${p.s('cutoff')} public CAs issue server certificates with serverAuth only, so your edge can no longer connect out to mutual-TLS partners. This is the likely cause.`,
    remedy:
      "Get a certificate with clientAuth from a CA both sides trust — typically a private or dedicated client-authentication CA — and configure it on your edge's outgoing side; keep the public certificate for incoming connections."
  }),
  'own-cert-no-client-auth': (p) => ({
    title: 'Your certificate lacks clientAuth',
    summary: `Your edge certificate (${p.s('subject')}) does not allow TLS client authentication (extended key usage: ${p.list('eku', ', ', 'none')}), so partners that verify it refuse your edge's outgoing connections.`,
    remedy:
      "Configure your edge's outgoing side with a certificate whose extended key usage includes clientAuth, from a CA the partner trusts."
  }),
  'own-cert-no-server-auth': (p) => ({
    title: 'Your certificate cannot serve incoming connections',
    summary: `Your edge certificate (${p.s('subject')}) lacks serverAuth (extended key usage: ${p.list('eku', ', ', 'none')}), so partners connecting to your edge will refuse it.`,
    remedy:
      "Make sure your edge's incoming side uses a certificate with serverAuth (this one can stay on the outgoing side)."
  }),
  'own-cert-expired': (p) => ({
    title: 'Your certificate expired',
    summary: `Your edge certificate (${p.s('subject')}) expired on ${p.s('notAfter')}.`,
    remedy: 'Renew the edge certificate and install it with its chain.'
  }),
  'own-cert-not-yet-valid': (p) => ({
    title: 'Your certificate is not valid yet',
    summary: `Your edge certificate (${p.s('subject')}) is only valid from ${p.s('notBefore')}.`,
    remedy: "Check this computer's clock, or wait for the certificate's start date."
  }),
  'own-cert-untrusted': (p) => ({
    title: "Your certificate's CA is not among your anchors",
    summary: `Your edge certificate chains up to ${p.s('issuer')}, which TrustLine's trusted CAs do not include, so its chain could not be verified here; the partner must trust that CA.`,
    remedy:
      "Add your CA's root certificate to TrustLine's CA files (--ca) to verify your own chain."
  }),
  'own-cert-revoked': (p) => ({
    title: 'Your certificate is revoked',
    summary: `Your edge certificate (${p.s('subject')}) has been revoked by its CA.`,
    remedy: `Install a newly issued certificate (revoked: SHA-256 ${p.s('sha256')}).`
  }),
  'own-cert-invalid': (p) => ({
    title: 'Your certificate fails a check',
    summary: `Your edge certificate chain (${p.s('subject')}) fails the check "${p.s('reason')}".`,
    remedy: 'Fix the certificate or its chain; the technical detail names the problem.'
  }),
  'options-rejected': (p) => {
    const k = optionsKey(Number(p.s('status')))
    const why = {
      forbidden:
        'the partner refuses requests from your domain: its federation policy does not (yet) allow it',
      'not-found': `the partner's server does not serve the domain it was asked for`,
      unavailable: "the partner's server is overloaded or its federation service is down",
      client: "the partner's server refused the request",
      server: "the partner's server failed while handling the request"
    }[k]
    const remedy = {
      forbidden: 'Ask the partner to add your domain to its allowed (federated) domains.',
      'not-found': 'Check the partner domain; ask the partner whether its edge serves it.',
      unavailable:
        'Try again later; if it lasts, tell the partner its federation service is not answering.',
      client: 'Send the partner this report with the response shown.',
      server: 'Tell the partner; the response shows what its server said.'
    }[k]
    return {
      title: `The partner answered ${p.s('status')}`,
      summary: `The mutual-TLS connection works, but OPTIONS to ${p.hp()} was answered ${p.s('status')} ${p.s('reason')}: ${why}.`,
      remedy
    }
  },
  'options-silent': (p) => ({
    title: 'The partner did not answer',
    summary: `The partner accepted the mutual-TLS connection on ${p.hp()} but did not answer the SIP OPTIONS request within ${p.s('seconds')} s.`,
    remedy:
      'Ask the partner whether its edge forwards requests from your domain and whether its SIP service behind the edge is running.'
  }),
  'options-closed': (p) => ({
    title: 'The partner closed the connection',
    summary: `${p.hp()} closed the mutual-TLS connection after the SIP OPTIONS request without answering it.`,
    remedy:
      "Ask the partner what its edge logged; it may refuse your domain or your certificate's name."
  }),
  'options-ok': (p) => ({
    title: `The partner answered ${p.s('status')}`,
    summary: `OPTIONS was answered ${p.s('status')} ${p.s('reason')} by ${p.s('host')} in ${p.s('rttMs')} ms.`,
    remedy: 'No action needed.'
  }),
  'federation-ready': (p) => ({
    title: 'Ready to federate',
    summary: `Your edge and ${p.s('domain')} (${p.hp()}) trust each other's certificates in both directions, and the partner answered SIP OPTIONS.`,
    remedy: 'No action needed.'
  })
}

const zh: Record<FederationFindingCode, Wording> = {
  'discovery-failed': (p) => ({
    title: '找不到联合服务器',
    summary: `DNS 中没有 ${p.s('domain')} 的服务器：没有 _sipfederationtls._tcp、NAPTR、_sips._tcp 或 _sip._tls 记录，该域本身也没有地址。`,
    remedy: `检查 ${p.s('domain')} 的拼写。如无误，请对方为其边缘服务器发布 SRV 记录 _sipfederationtls._tcp.${p.s('domain')}，或手动输入服务器。`
  }),
  'federation-srv-missing': (p) => ({
    title: '缺少 _sipfederationtls._tcp 记录',
    summary: `${p.s('domain')} 没有 _sipfederationtls._tcp SRV 记录；其服务器 ${p.s('host')}:${p.s('port')} 是通过 ${p.s('foundVia')} 找到的，只查找 _sipfederationtls._tcp 的伙伴（Skype for Business、Teams）将找不到它。`,
    remedy: `请对方发布指向 ${p.s('host')} 端口 ${p.s('port')} 的 _sipfederationtls._tcp.${p.s('domain')}。`
  }),
  'target-outside-domain': (p) => ({
    title: '服务器不在对方域内',
    summary: `DNS 把 ${p.s('domain')} 指向 ${p.s('host')}，该服务器不在此域内，其证书也没有包含 ${p.s('domain')}（只包含 ${p.list('names', '、', '无')}）；控制 DNS 的任何人都能这样做，因此不能证明对方身份。`,
    remedy: `请对方在 ${p.s('host')} 的证书中加入 sip:${p.s('domain')}（或 DNS ${p.s('domain')}），或把 SRV 目标移到 ${p.s('domain')} 内；如这种托管是预期的，请手动输入服务器。`
  }),
  'connect-failed': (p) => ({
    title: '无法连接对方',
    summary: `无法连接对方的边缘服务器 ${p.hp()}（${p.s('reason')}）。`,
    remedy: `确认 ${p.hp()} 是对方的联合端口，且双方防火墙允许到该端口的 TCP 连接。`
  }),
  'handshake-alert': (p) => {
    const a = zhAlerts[alertKey(p.s('alert'))]
    return {
      title: a.title,
      summary: `与 ${p.hp()} 的双向 TLS 握手失败：${a.what}（TLS 警报 ${p.s('alert')}）。`,
      remedy: a.remedy
    }
  },
  'partner-closed-connection': (p) => ({
    title: '对方收到您的证书后断开了连接',
    summary: `${p.hp()} 收到您的边缘证书后立即关闭了连接，没有发送 TLS 警报；它很可能不接受该证书。`,
    remedy: '检查证书的 CA、有效期和扩展密钥用法（clientAuth），并向对方询问其边缘服务器的日志。'
  }),
  'certificate-not-requested': (p) => ({
    title: '对方没有要求证书',
    summary: `${p.hp()} 没有要求您的边缘服务器出示证书，因此该端口不通过双向 TLS 验证联合服务器。`,
    remedy: '与对方确认这是其联合端口，并且它要求伙伴出示证书。'
  }),
  'our-ca-not-listed': (p) => ({
    title: '您的 CA 不在对方列出的 CA 中',
    summary: `对方列出了它接受其客户端证书的 CA（${p.list('listed', '；', '无')}）；您证书的签发者 ${p.s('issuer')} 不在其中。`,
    remedy: '请对方把您的 CA 加入其边缘服务器信任的 CA，或改用所列 CA 之一签发的边缘证书。'
  }),
  'ca-names-hidden': (p) => ({
    title: '对方没有列出其 CA',
    summary: `使用 ${p.s('protocol')} 时对方不必列出它接受的 CA，它也没有列出：是否信任您的 CA 只能从握手结果看出。`,
    remedy: '握手成功则无需处理；否则请询问对方接受哪些 CA。'
  }),
  'partner-cert-expired': (p) => ({
    title: '对方证书已过期',
    summary: `${p.s('host')} 的证书已于 ${p.s('notAfter')} 过期；您的边缘服务器将拒绝连接它。`,
    remedy: `请对方续订 ${p.s('host')} 的证书（SHA-256 ${p.s('sha256')}）。`
  }),
  'partner-cert-not-yet-valid': (p) => ({
    title: '对方证书尚未生效',
    summary: `${p.s('host')} 的证书从 ${p.s('notBefore')} 起才生效。`,
    remedy: '检查本机时钟；否则请对方检查证书的生效日期。'
  }),
  'partner-cert-name-mismatch': (p) => ({
    title: '对方证书的名称不符',
    summary: `${p.s('host')} 出示的证书不包含该名称；它颁发给 ${p.list('names', '、', '（无 DNS 名称）')}。`,
    remedy: `请对方安装 subjectAltName 包含 ${p.s('host')} 的证书，或让其 SRV 记录指向证书中包含的名称。`
  }),
  'partner-cert-untrusted': (p) => ({
    title: '您的一方不信任对方的 CA',
    summary: `对方的证书（${p.s('subject')}）的证书链最终由 ${p.s('issuer')} 签发，该 CA 不在您一方信任的 CA 中。`,
    remedy:
      '如已约定信任对方，请把对方的根 CA 加入您的边缘服务器（及 TrustLine）信任的 CA；否则请对方使用双方都信任的 CA 签发的证书。'
  }),
  'partner-cert-revoked': (p) => ({
    title: '对方证书已吊销',
    summary: `对方的证书（${p.s('subject')}）已被其 CA 吊销。`,
    remedy: `请对方立即安装新证书（已吊销：SHA-256 ${p.s('sha256')}）。`
  }),
  'partner-cert-revocation-unknown': (p) => ({
    title: '无法确认对方证书的吊销状态',
    summary: `无法检查对方的证书（${p.s('subject')}）是否已被吊销（吊销检查模式 ${p.s('mode')}）。`,
    remedy: '确认本机能访问对方 CA 的 OCSP 响应程序或 CRL。'
  }),
  'partner-cert-no-server-auth': (p) => ({
    title: '对方证书不能用于服务器',
    summary: `对方的证书（${p.s('subject')}）不允许 TLS 服务器身份验证（扩展密钥用法：${p.list('eku', '、', '无')}）。`,
    remedy: '请对方使用扩展密钥用法包含 serverAuth 的证书。'
  }),
  'partner-cert-invalid': (p) => ({
    title: '对方证书未通过检查',
    summary: `对方的证书链（${p.s('subject')}）未通过“${p.s('reason')}”检查；您的边缘服务器将拒绝连接。`,
    remedy: '把本报告发给对方；技术详情中写明了问题。'
  }),
  'partner-cert-warning': (p) => ({
    title: '关于对方证书的提示',
    summary: `对方的证书链（${p.s('subject')}）可以使用，但存在“${p.s('reason')}”问题。`,
    remedy: '值得告知对方；目前不影响联合。'
  }),
  'partner-cert-no-client-auth': (p) => ({
    title: '对方证书无法用于回连',
    summary: `对方的证书（${p.s('subject')}）缺少 clientAuth（扩展密钥用法：${p.list('eku', '、', '无')}），因此 ${p.s('domain')} 连接您的边缘服务器时无法出示它：从对方发往您的消息将失败。`,
    remedy:
      '请对方为其边缘服务器的出站方向配置包含 clientAuth、且由您的边缘服务器信任的 CA 签发的证书。'
  }),
  'own-cert-public-ca-no-client-auth': (p) => ({
    title: '您的公共 CA 证书缺少 clientAuth',
    summary: `您的边缘证书（${p.s('subject')}）于 ${p.s('notBefore')} 由公共 CA ${p.s('issuer')} 签发，不含 clientAuth（扩展密钥用法：${p.list('eku', '、', '无')}）；自 ${p.s('cutoff')} 起公共 CA 签发的服务器证书只含 serverAuth，因此您的边缘服务器无法再主动连接要求双向 TLS 的伙伴。这很可能就是原因。`,
    remedy:
      '从双方都信任的 CA（通常是私有 CA 或专用的客户端身份验证 CA）获取包含 clientAuth 的证书，并配置在边缘服务器的出站方向；公共证书继续用于入站连接。'
  }),
  'own-cert-no-client-auth': (p) => ({
    title: '您的证书缺少 clientAuth',
    summary: `您的边缘证书（${p.s('subject')}）不允许 TLS 客户端身份验证（扩展密钥用法：${p.list('eku', '、', '无')}），因此验证证书的伙伴会拒绝您的边缘服务器发起的连接。`,
    remedy: '为边缘服务器的出站方向配置扩展密钥用法包含 clientAuth、且由对方信任的 CA 签发的证书。'
  }),
  'own-cert-no-server-auth': (p) => ({
    title: '您的证书不能用于入站连接',
    summary: `您的边缘证书（${p.s('subject')}）缺少 serverAuth（扩展密钥用法：${p.list('eku', '、', '无')}），连接您边缘服务器的伙伴会拒绝它。`,
    remedy: '确保边缘服务器的入站方向使用包含 serverAuth 的证书（此证书可以留在出站方向）。'
  }),
  'own-cert-expired': (p) => ({
    title: '您的证书已过期',
    summary: `您的边缘证书（${p.s('subject')}）已于 ${p.s('notAfter')} 过期。`,
    remedy: '续订边缘证书，并连同证书链一起安装。'
  }),
  'own-cert-not-yet-valid': (p) => ({
    title: '您的证书尚未生效',
    summary: `您的边缘证书（${p.s('subject')}）从 ${p.s('notBefore')} 起才生效。`,
    remedy: '检查本机时钟，或等到证书生效日期。'
  }),
  'own-cert-untrusted': (p) => ({
    title: '您证书的 CA 不在信任锚中',
    summary: `您的边缘证书的证书链最终由 ${p.s('issuer')} 签发，TrustLine 信任的 CA 中没有它，因此这里无法验证其证书链；对方必须信任该 CA。`,
    remedy: '把您 CA 的根证书加入 TrustLine 的 CA 文件（--ca），以验证您自己的证书链。'
  }),
  'own-cert-revoked': (p) => ({
    title: '您的证书已吊销',
    summary: `您的边缘证书（${p.s('subject')}）已被其 CA 吊销。`,
    remedy: `安装新签发的证书（已吊销：SHA-256 ${p.s('sha256')}）。`
  }),
  'own-cert-invalid': (p) => ({
    title: '您的证书未通过检查',
    summary: `您的边缘证书链（${p.s('subject')}）未通过“${p.s('reason')}”检查。`,
    remedy: '修正证书或其证书链；技术详情中写明了问题。'
  }),
  'options-rejected': (p) => {
    const k = optionsKey(Number(p.s('status')))
    const why = {
      forbidden: '对方拒绝来自您域的请求：其联合策略（尚）不允许您的域',
      'not-found': '对方服务器不服务所请求的域',
      unavailable: '对方服务器过载或其联合服务已停止',
      client: '对方服务器拒绝了该请求',
      server: '对方服务器处理该请求时出错'
    }[k]
    const remedy = {
      forbidden: '请对方把您的域加入其允许（联合）的域。',
      'not-found': '检查对方域名；询问对方其边缘服务器是否服务该域。',
      unavailable: '稍后重试；如持续出现，请告知对方其联合服务没有响应。',
      client: '把本报告连同所示响应发给对方。',
      server: '告知对方；响应中显示了其服务器的回复。'
    }[k]
    return {
      title: `对方回复了 ${p.s('status')}`,
      summary: `双向 TLS 连接正常，但发往 ${p.hp()} 的 OPTIONS 得到的回复是 ${p.s('status')} ${p.s('reason')}：${why}。`,
      remedy
    }
  },
  'options-silent': (p) => ({
    title: '对方没有回复',
    summary: `对方接受了 ${p.hp()} 上的双向 TLS 连接，但在 ${p.s('seconds')} 秒内没有回复 SIP OPTIONS 请求。`,
    remedy: '询问对方其边缘服务器是否转发来自您域的请求，以及边缘后面的 SIP 服务是否在运行。'
  }),
  'options-closed': (p) => ({
    title: '对方关闭了连接',
    summary: `${p.hp()} 在收到 SIP OPTIONS 请求后没有回复就关闭了双向 TLS 连接。`,
    remedy: '向对方询问其边缘服务器的日志；它可能拒绝您的域或您证书的名称。'
  }),
  'options-ok': (p) => ({
    title: `对方回复了 ${p.s('status')}`,
    summary: `${p.s('host')} 在 ${p.s('rttMs')} 毫秒内以 ${p.s('status')} ${p.s('reason')} 回复了 OPTIONS。`,
    remedy: '无需处理。'
  }),
  'federation-ready': (p) => ({
    title: '可以联合',
    summary: `您的边缘服务器与 ${p.s('domain')}（${p.hp()}）在两个方向上都信任对方的证书，且对方回复了 SIP OPTIONS。`,
    remedy: '无需处理。'
  })
}

const catalogs: Record<FederationLanguage, Record<FederationFindingCode, Wording>> = {
  en,
  'zh-CN': zh
}

/** The sentences of a finding in a language, from its code and parameters only. */
export function federationSentences(
  finding: Pick<FederationFinding, 'code' | 'params'>,
  language: FederationLanguage
): FederationSentences {
  return catalogs[language][finding.code](new Facts(finding.params))
}
