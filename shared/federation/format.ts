import type { CertificateDetails } from '../types/trust'
import type { FederationChain, FederationReport } from '../types/federation'
import { describeStep } from '../discovery/wording'
import { federationSentences, type FederationLanguage } from './wording'

/** The labels of the text report, per language (the sentences come from the wording catalog). */
const labels = {
  en: {
    title: 'Federation check',
    ready: 'READY TO FEDERATE',
    notReady: 'NOT READY',
    remedy: 'What to do',
    detail: 'Detail',
    server: 'Partner server',
    address: 'address',
    foundBy: 'found by',
    configured: 'entered by hand',
    noServer: 'none found',
    ourDomain: 'Our domain',
    discovery: 'Discovery',
    tls: 'TLS',
    handshake: {
      completed: 'handshake completed',
      failed: 'handshake failed',
      'not-attempted': 'not attempted'
    },
    sni: 'SNI',
    clientCert: 'Client certificate',
    requested: 'requested by the partner',
    notRequested: 'not requested by the partner',
    unknownRequest: 'unknown whether requested',
    sent: 'sent',
    notSent: 'not sent',
    caNames: 'CAs the partner accepts',
    caStatus: {
      listed: '',
      empty: 'none listed (any CA it trusts)',
      hidden: 'not listed (TLS 1.3 lets the partner keep them to itself)',
      'not-requested': 'no certificate requested',
      unknown: 'unknown (the handshake could not be read that far)'
    },
    alert: 'Alert from the partner',
    error: 'Connection error',
    findings: 'Findings',
    none: 'none',
    options: 'SIP OPTIONS',
    optionsOutcome: {
      answered: 'answered',
      silent: 'no answer',
      closed: 'connection closed without an answer',
      'not-sent': 'not sent'
    },
    because: 'because of',
    rtt: 'round trip',
    request: 'Request',
    response: 'Response',
    partnerChain: "Partner's certificate chain (as presented)",
    partnerBuilt: "Partner's chain as checked",
    ownChain: 'Our certificate chain (from the certificate file)',
    ownBuilt: 'Our chain as checked',
    anchor: 'anchor',
    noAnchor: 'no trusted anchor',
    issuer: 'issuer',
    valid: 'valid',
    eku: 'EKU',
    checked: 'Checked at',
    took: 'took',
    revocation: 'revocation'
  },
  'zh-CN': {
    title: '联合检查',
    ready: '可以联合',
    notReady: '尚不能联合',
    remedy: '处理办法',
    detail: '详情',
    server: '对方服务器',
    address: '地址',
    foundBy: '查找方式',
    configured: '手动输入',
    noServer: '未找到',
    ourDomain: '我方域',
    discovery: '服务器发现',
    tls: 'TLS',
    handshake: { completed: '握手完成', failed: '握手失败', 'not-attempted': '未尝试' },
    sni: 'SNI',
    clientCert: '客户端证书',
    requested: '对方要求',
    notRequested: '对方未要求',
    unknownRequest: '不确定对方是否要求',
    sent: '已发送',
    notSent: '未发送',
    caNames: '对方接受的 CA',
    caStatus: {
      listed: '',
      empty: '未列出（接受其信任的任何 CA）',
      hidden: '未列出（TLS 1.3 允许对方不公开）',
      'not-requested': '未要求证书',
      unknown: '未知（握手未进行到这一步）'
    },
    alert: '对方发送的警报',
    error: '连接错误',
    findings: '检查结果',
    none: '无',
    options: 'SIP OPTIONS',
    optionsOutcome: {
      answered: '已回复',
      silent: '没有回复',
      closed: '连接关闭，未回复',
      'not-sent': '未发送'
    },
    because: '原因',
    rtt: '往返时间',
    request: '请求',
    response: '响应',
    partnerChain: '对方证书链（按出示顺序）',
    partnerBuilt: '对方证书链（验证路径）',
    ownChain: '我方证书链（来自证书文件）',
    ownBuilt: '我方证书链（验证路径）',
    anchor: '信任锚',
    noAnchor: '没有受信任的信任锚',
    issuer: '签发者',
    valid: '有效期',
    eku: '扩展密钥用法',
    checked: '检查时间',
    took: '耗时',
    revocation: '吊销检查'
  }
} as const

const severityTag = { error: 'ERROR', warning: 'WARN ', info: 'INFO ' } as const

/**
 * The federation report as text, for a terminal or a helpdesk ticket, in one language: every
 * sentence from the wording catalog, every fact (names, dates, fingerprints) verbatim.
 */
export function formatFederationReport(r: FederationReport, language: FederationLanguage): string {
  const l = labels[language]
  const out: string[] = []
  const head = federationSentences(r.headline, language)
  out.push(`${l.title}: ${r.partnerDomain} — ${r.verdict === 'ready' ? l.ready : l.notReady}`)
  out.push(`  ${head.title}`, `  ${head.summary}`, `  ${l.remedy}: ${head.remedy}`, '')

  if (r.server) {
    const how = r.server.source === 'configured' ? l.configured : (r.server.via ?? r.server.source)
    out.push(
      `${l.server}: ${r.server.host}:${r.server.port} (${l.address} ${r.server.address}; ${l.foundBy} ${how})`
    )
  } else out.push(`${l.server}: ${l.noServer}`)
  out.push(`${l.ourDomain}: ${r.ourDomain ?? '—'}`, '', `${l.discovery}:`)
  for (const step of r.trace) {
    const { query, answer } = describeStep(step, language)
    out.push(`  ${step.ok ? '✓' : '✗'} ${query} → ${answer}`)
  }

  const t = r.tls
  out.push('', `${l.tls}:`)
  out.push(
    `  ${l.handshake[t.handshake]}${t.protocol ? `, ${t.protocol}` : ''}${t.cipher ? ` ${t.cipher}` : ''}${t.servername ? `, ${l.sni} ${t.servername}` : ''}`
  )
  const requested =
    t.clientCertRequested === null
      ? l.unknownRequest
      : t.clientCertRequested
        ? l.requested
        : l.notRequested
  out.push(`  ${l.clientCert}: ${requested}, ${t.clientCertSent ? l.sent : l.notSent}`)
  if (t.caNamesStatus === 'listed') {
    out.push(`  ${l.caNames}:`)
    for (const n of t.caNames) out.push(`    ${n}`)
  } else out.push(`  ${l.caNames}: ${l.caStatus[t.caNamesStatus]}`)
  if (t.alert) out.push(`  ${l.alert}: ${t.alert}`)
  if (t.error) out.push(`  ${l.error}: ${t.error}`)

  out.push('', `${l.findings}:`)
  if (r.findings.length === 0) out.push(`  ${l.none}`)
  for (const f of r.findings) {
    const s = federationSentences(f, language)
    out.push(`  ${severityTag[f.severity]} [${f.code}] ${s.title}`)
    out.push(`        ${s.summary}`)
    out.push(`        ${l.remedy}: ${s.remedy}`)
    if (f.detail) out.push(`        ${l.detail}: ${f.detail}`)
  }

  const o = r.options
  out.push('', `${l.options}: ${l.optionsOutcome[o.outcome]}`)
  if (o.outcome === 'not-sent' && o.notSentBecause) out.push(`  ${l.because}: ${o.notSentBecause}`)
  if (o.status !== null) {
    out.push(
      `  ${o.status} ${o.reason ?? ''}${o.rttMs !== null ? ` (${l.rtt} ${o.rttMs} ms)` : ''}`
    )
  }
  for (const [name, value] of [
    ['Server', o.server],
    ['Allow', o.allow],
    ['Supported', o.supported]
  ] as const) {
    if (value) out.push(`  ${name}: ${value}`)
  }
  if (o.request) out.push(`  ${l.request}:`, ...indent(o.request))
  if (o.response) out.push(`  ${l.response}:`, ...indent(o.response))

  if (r.partnerChain) {
    out.push('', ...chain(l.partnerChain, r.partnerChain.presented, l))
    out.push('', ...built(l.partnerBuilt, r.partnerChain, l))
  }
  out.push('', ...chain(l.ownChain, r.ownChain.presented, l))
  out.push('', ...built(l.ownBuilt, r.ownChain, l))
  out.push(
    '',
    `${l.checked} ${r.evaluatedAt} (${l.took} ${r.durationMs} ms; ${l.revocation} ${r.revocationMode})`
  )
  return out.join('\n')
}

type Labels = (typeof labels)[FederationLanguage]

function indent(text: string): string[] {
  return text
    .trimEnd()
    .split('\r\n')
    .map((line) => `    ${line}`)
}

function chain(title: string, certs: CertificateDetails[], l: Labels): string[] {
  const out = [`${title}:`]
  certs.forEach((c, i) => {
    out.push(`  #${i} ${c.subject}`)
    out.push(`     ${l.issuer}: ${c.issuer}`)
    out.push(`     ${l.valid}: ${c.notBefore} .. ${c.notAfter}`)
    if (c.extendedKeyUsage.length) out.push(`     ${l.eku}: ${c.extendedKeyUsage.join(', ')}`)
    out.push(`     SHA-256: ${c.sha256}`)
  })
  return out
}

function built(title: string, c: FederationChain, l: Labels): string[] {
  const out = [`${title}:`]
  c.builtChain.forEach((cert, i) => out.push(`  #${i} ${cert.subject}`))
  out.push(
    `  ${c.anchor ? `${l.anchor}: ${c.anchor.subject} (${c.anchor.source})` : l.noAnchor}; ${l.revocation}: ${c.revocation.status}`
  )
  return out
}
