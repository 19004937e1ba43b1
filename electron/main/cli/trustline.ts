import { reasonText, severityLabel } from '../../../shared/reasons'
import type { RevocationMode, TrustReport } from '../../../shared/types/trust'
import type { ClientCertificate } from '../tls/connector'
import { createTrustService } from '../tls/trust-service'
import {
  failedRun,
  lastValue,
  loadClientCert,
  parseRevocation,
  parseTarget,
  readArgs,
  UsageError,
  type CliIo,
  type TargetResolver
} from './common'
import { runFederationCli } from './federation'

export { parseTarget, UsageError, type CliIo, type TargetResolver }

/** Default: the given port, else 5061 (SIP over TLS, RFC 3261 19.1.2) on the host itself. */
export const defaultResolver: TargetResolver = (t) =>
  Promise.resolve({ host: t.host, port: t.port ?? 5061 })

/** Parsed `check` arguments. */
export interface CheckArgs {
  host: string
  port: number | null
  sipDomain: string | null
  cas: string[]
  clientCert: string | null
  clientKey: string | null
  passphrase: string | null
  servername: string | null
  revocation: RevocationMode
  json: boolean
}

/** Parses argv after the program name; throws UsageError. */
export function parseArgs(argv: string[]): CheckArgs {
  const [cmd, ...rest] = argv
  if (cmd !== 'check') throw new UsageError(cmd ? `Unknown command "${cmd}".` : 'No command given.')
  const a = readArgs(
    rest,
    ['--ca', '--client-cert', '--client-key', '--passphrase', '--servername', '--revocation'],
    ['--json']
  )
  const [target, extra] = a.positionals
  if (target === undefined) throw new UsageError('No server given.')
  if (extra !== undefined) throw new UsageError(`Only one target, got "${target}" and "${extra}".`)
  const clientCert = lastValue(a, '--client-cert')
  const clientKey = lastValue(a, '--client-key')
  if (clientKey && !clientCert) throw new UsageError('--client-key needs --client-cert.')
  const revocation = lastValue(a, '--revocation')
  return {
    ...parseTarget(target),
    cas: a.values.get('--ca') ?? [],
    clientCert,
    clientKey,
    passphrase: lastValue(a, '--passphrase'),
    servername: lastValue(a, '--servername'),
    revocation: revocation === null ? 'soft-fail' : parseRevocation(revocation),
    json: a.flags.has('--json')
  }
}

const verdictWords: Record<TrustReport['verdict'], string> = {
  trusted: 'TRUSTED',
  'trusted-by-exception': 'TRUSTED BY YOUR EXCEPTION',
  untrusted: 'NOT TRUSTED',
  'needs-question': 'NOT TRUSTED YET: NEEDS YOUR ANSWER',
  'no-verdict': 'NO VERDICT: THE CONNECTION COULD NOT BE MADE'
}

/** Human-readable report, for a terminal or a helpdesk ticket. */
export function formatReport(r: TrustReport): string {
  const lines: string[] = []
  lines.push(`${r.host}:${r.port}: ${verdictWords[r.verdict]}`)
  if (r.headline) lines.push(`  Why: ${reasonText(r.headline).summary}`)
  if (r.verdict === 'no-verdict') lines.push(`  Server certificate: ${r.serverCertificate}`)
  if (r.servername) lines.push(`  SNI: ${r.servername}`)
  if (r.sipDomain) lines.push(`  SIP domain: ${r.sipDomain}`)
  if (r.tls) {
    lines.push(
      `  TLS: ${r.tls.protocol ?? '?'} ${r.tls.cipher ?? '?'}; client certificate ${r.tls.clientCertRequested ? `requested, ${r.tls.clientCertSent ? 'sent' : 'not sent'}` : 'not requested'}`
    )
  }
  if (r.node) {
    lines.push(
      `  Node/OpenSSL: ${r.node.authorized ? 'accepted' : `rejected (${r.node.authorizationError ?? '?'})`}`
    )
  }
  lines.push(
    `  Revocation (${r.revocation.mode}): ${r.revocation.status}${r.revocation.source ? ` via ${r.revocation.source}` : ''}${r.revocation.detail ? ` - ${r.revocation.detail}` : ''}`
  )
  if (r.exception)
    lines.push(`  Exception: ${r.exception.sha256} accepted ${r.exception.acceptedAt}`)
  if (r.anchor) lines.push(`  Anchor: ${r.anchor.subject} (${r.anchor.source})`)
  lines.push('')
  if (r.reasons.length === 0) lines.push('No findings.')
  for (const reason of r.reasons) {
    const text = reasonText(reason)
    lines.push(`${severityLabel[reason.severity].padEnd(5)} [${reason.code}] ${text.summary}`)
    lines.push(`      Detail: ${reason.detail}`)
    lines.push(`      Remedy: ${text.remedy}`)
  }
  const chain = (title: string, certs: TrustReport['sentChain']) => {
    lines.push('', `${title}:`)
    certs.forEach((c, i) => {
      lines.push(`  #${i} ${c.subject}`)
      lines.push(`     issuer:  ${c.issuer}`)
      lines.push(`     valid:   ${c.notBefore} .. ${c.notAfter} (${c.daysLeft} days left)`)
      lines.push(
        `     key:     ${c.publicKey.algorithm}${c.publicKey.size ? ` ${c.publicKey.size}` : ''}, ${c.signatureAlgorithm}`
      )
      lines.push(`     SHA-256: ${c.sha256}`)
      lines.push(`     SHA-1:   ${c.sha1}`)
    })
  }
  chain(
    r.tls?.chainSource === 'node-peer-chain'
      ? 'Chain as sent by the server (order reconstructed by Node, the handshake could not be read)'
      : 'Chain as sent by the server',
    r.sentChain
  )
  chain('Chain as built', r.builtChain)
  return lines.join('\n')
}

/** Failures of our own configuration, which say nothing about the server. */
const usageCodes = new Set<string>([
  'client-cert-unreadable',
  'client-cert-bad-passphrase',
  'client-cert-key-mismatch'
])
/** Failures after a server answered: it spoke no TLS TrustLine accepts, or hung up on it. */
const serverCauses = new Set<string>(['closed', 'tls-failed', 'protocol-too-old'])

/**
 * The exit code for a report: 0 trusted; 1 not trusted (refused, waiting for an answer, a client
 * certificate the server wants or refused, or a server that answered but spoke no acceptable
 * TLS); 2 when our own configuration is unusable (client certificate, CA file) or no server could
 * be reached at all (DNS, a TCP connection refused, unreachable or timed out).
 */
export function exitCodeOf(report: TrustReport): 0 | 1 | 2 {
  if (report.verdict === 'trusted' || report.verdict === 'trusted-by-exception') return 0
  if (report.verdict !== 'no-verdict') return 1
  const h = report.headline
  if (!h) return 2
  if (usageCodes.has(h.code)) return 2
  if (h.code !== 'connection-failed') return 1
  const cause = h.params['cause']
  return typeof cause === 'string' && serverCauses.has(cause) ? 1 : 2
}

/**
 * Runs the CLI; resolves to the exit code. `check`: 0 trusted, 1 not trusted, 2 error;
 * `federation`: 0 ready, 1 not ready, 2 usage or DNS error.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === 'federation') return runFederationCli(argv.slice(1), io)
  let args: CheckArgs
  let clientCert: ClientCertificate | undefined
  try {
    args = parseArgs(argv)
    clientCert = loadClientCert(args)
  } catch (e) {
    const code = failedRun(e, io, false)
    if (code === null) throw e
    return code
  }
  try {
    const target = await (io.resolve ?? defaultResolver)(args)
    const service = createTrustService({
      ...io.service,
      policyCaFiles: [...(io.service?.policyCaFiles ?? []), ...args.cas]
    })
    const { report } = await service.checkServer({
      host: target.host,
      // Discovery resolves the server's name itself (possibly with another DNS server).
      ...(target.address ? { address: target.address } : {}),
      port: target.port,
      ...(args.servername ? { servername: args.servername } : {}),
      sipDomain: args.sipDomain,
      ...(args.sipDomain
        ? {
            server: target.origin ?? {
              host: target.host,
              port: target.port,
              source: 'configured' as const,
              via: null
            }
          }
        : {}),
      ...(clientCert ? { clientCert } : {}),
      revocation: args.revocation,
      keepOpen: false
    })
    io.out(args.json ? JSON.stringify(report, null, 2) : formatReport(report))
    if (report.verdict === 'no-verdict' && report.headline)
      io.err(reasonText(report.headline).summary)
    return exitCodeOf(report)
  } catch (e) {
    const code = failedRun(e, io, args.json)
    if (code !== null) return code
    io.err(`Unexpected error: ${(e as Error).stack ?? String(e)}`)
    return 2
  }
}
