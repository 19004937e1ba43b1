import { reasonText } from '../../../shared/reasons'
import type { AppInfo } from '../../../shared/types/app'
import type { ConnectionInfo } from '../../../shared/types/connection'
import type { Notice } from '../../../shared/types/notice'
import type { SipLogEntry } from '../../../shared/types/sip-log'
import type { TrustReport } from '../../../shared/types/trust'
import type { ReportExport } from '../../../shared/types/trust-settings'
import { describeStep } from '../../../shared/discovery/wording'

/** Everything a helpdesk report is made of. No password or message body is ever passed in. */
export interface ReportInput {
  app: AppInfo
  report: TrustReport | null
  /** The connection's discovery; null for a helpdesk "test a server" report. */
  connection: ConnectionInfo | null
  /** The session; null for a helpdesk "test a server" report. */
  session: {
    status: string
    aor?: string
    failure?: { code: string; reason: string; finding?: { code: string } }
  } | null
  /** The SIP log, already redacted by SipLog (no credentials, no message text). */
  sipLog?: SipLogEntry[]
  /** Notices not dismissed (damaged files moved aside, failed writes, internal errors). */
  notices?: Notice[]
}

/** How many SIP messages the text report lists. */
const REPORT_LOG_LINES = 100

const line = (label: string, value: string | number | null | undefined) =>
  `${label.padEnd(22)}${value === null || value === undefined || value === '' ? '—' : String(value)}`

/**
 * Redacts anything secret-looking that could have slipped into free text (an Authorization
 * header quoted in a detail, a password= parameter).
 */
export function redact(text: string): string {
  return text
    .replace(/(authorization|proxy-authorization)\s*:\s*[^\r\n]*/gi, '$1: [redacted]')
    .replace(/(password|passwd|passphrase|response)\s*[=:]\s*("[^"]*"|[^\s,;]+)/gi, '$1=[redacted]')
}

/** The plain-text helpdesk report. */
export function reportText(input: ReportInput): string {
  const { app, report, connection, session } = input
  const out: string[] = [
    connection ? 'TrustLine connection report' : 'TrustLine server test report',
    line('Generated', new Date().toISOString()),
    line('TrustLine', `${app.version} (${app.host}, ${app.platform}/${app.arch})`),
    line('TLS library', app.tlsLibrary)
  ]
  if (session) {
    out.push(
      '',
      '== Session',
      line('Status', session.status),
      line('Account', session.aor),
      line('Failure', session.failure ? `${session.failure.code}: ${session.failure.reason}` : null)
    )
  }
  if (connection) {
    out.push(
      '',
      '== Server discovery',
      line('SIP domain', connection.sipDomain),
      line(
        'Server',
        connection.server
          ? `${connection.server.host}:${connection.server.port} (${connection.server.address}, ${connection.server.source})`
          : null
      ),
      ...connection.trace.map((s) => {
        const { query, answer } = describeStep(s)
        return `  ${s.ok ? '✓' : '✗'} ${query} → ${answer}`
      })
    )
  }
  if (connection?.question) {
    out.push(
      `  ! waiting for the user: is ${connection.question.serverHost} a server of ${connection.question.sipDomain}?`
    )
  }
  out.push('', '== Trust')
  if (!report) {
    out.push('No connection has been evaluated yet.')
  } else {
    out.push(
      line('Verdict', report.verdict.toUpperCase()),
      line('Why', report.headline ? reasonText(report.headline).summary : null),
      line('Server certificate', report.serverCertificate),
      line('Attempt', report.attemptId),
      line('Server', `${report.host}:${report.port}`),
      line('SNI', report.servername),
      line('TLS', report.tls ? `${report.tls.protocol ?? '?'} ${report.tls.cipher ?? ''}` : null),
      line(
        'Client certificate',
        report.tls
          ? `${report.tls.clientCertRequested ? 'requested' : 'not requested'}, ${report.tls.clientCertSent ? 'sent' : 'not sent'}`
          : null
      ),
      line('Anchor', report.anchor ? `${report.anchor.subject} (${report.anchor.source})` : null),
      line(
        'Revocation',
        `${report.revocation.mode}: ${report.revocation.status}${report.revocation.source ? ` via ${report.revocation.source}` : ''}${report.revocation.detail ? ` (${report.revocation.detail})` : ''}`
      ),
      line(
        'Node.js verdict',
        report.node
          ? report.node.authorized
            ? 'authorized'
            : `not authorized (${report.node.authorizationError ?? '?'})`
          : null
      ),
      line('Exception', report.exception ? `accepted ${report.exception.acceptedAt}` : null),
      line('Exception offer', report.exceptionOffer),
      '',
      report.reasons.length ? 'Reasons:' : 'Reasons: none — the chain is clean.'
    )
    report.reasons.forEach((r, i) => {
      const text = reasonText(r)
      out.push(
        `${i + 1}. [${r.severity.toUpperCase()}] ${r.code}${r.certSubject ? ` — ${r.certSubject}` : ''}`,
        `   ${text.summary}`,
        `   Detail: ${r.detail}`,
        `   Fix: ${text.remedy}`
      )
    })
    const chain = (title: string, certs: TrustReport['sentChain']) => {
      out.push('', `${title}:`)
      certs.forEach((c, i) =>
        out.push(
          `  [${i}] ${c.subject}`,
          `      issuer ${c.issuer}`,
          `      valid ${c.notBefore} → ${c.notAfter} (${c.daysLeft} days left)`,
          `      key ${c.publicKey.algorithm} ${c.publicKey.size ?? c.publicKey.curve ?? ''}, ${c.signatureAlgorithm}`,
          `      SHA-256 ${c.sha256}`
        )
      )
    }
    chain('Sent chain (as the server sent it)', report.sentChain)
    chain('Built chain (leaf → anchor)', report.builtChain)
  }
  const notices = input.notices ?? []
  if (notices.length) {
    out.push('', `== Notices (${notices.length})`)
    for (const n of notices) {
      const params = Object.entries(n.params).map(([k, v]) => `${k}=${String(v)}`)
      out.push(`${n.at}  ${n.code}${n.count > 1 ? ` ×${n.count}` : ''}  ${params.join('  ')}`)
    }
  }
  const log = input.sipLog ?? []
  if (log.length) {
    out.push(
      '',
      `== SIP messages (last ${Math.min(log.length, REPORT_LOG_LINES)} of ${log.length})`
    )
    for (const e of log.slice(-REPORT_LOG_LINES)) {
      out.push(`${e.at}  ${e.direction === 'out' ? '→' : '←'}  ${e.startLine}  [${e.cseq ?? ''}]`)
    }
  }
  return redact(out.join('\n')) + '\n'
}

/** The report as text or JSON, named for saving. */
export function exportReport(input: ReportInput, format: 'text' | 'json'): ReportExport {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  if (format === 'text') {
    return {
      filename: `trustline-report-${stamp}.txt`,
      mime: 'text/plain',
      content: reportText(input)
    }
  }
  return {
    filename: `trustline-report-${stamp}.json`,
    mime: 'application/json',
    content: redact(JSON.stringify({ generatedAt: new Date().toISOString(), ...input }, null, 2))
  }
}
