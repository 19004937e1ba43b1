import { readFileSync } from 'node:fs'
import { reasonText, severityLabel } from '../../../shared/reasons'
import type { RevocationMode, TrustReport } from '../../../shared/types/trust'
import { CaFileError } from '../tls/anchors'
import type { ClientCertificate } from '../tls/connector'
import type { ServerOrigin } from '../tls/identity'
import { createTrustService, type TrustServiceOptions } from '../tls/trust-service'

/** Where to connect for a target, and how that server was found (for the SIP-domain rule). */
export type TargetResolver = (target: {
  host: string
  port: number | null
  sipDomain: string | null
}) => Promise<{ host: string; port: number; address?: string; origin?: ServerOrigin }>

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

/** Bad command line; the message says what to fix. */
export class UsageError extends Error {}

const usage = `Usage: trustline check <host[:port] | sip:user@domain> [--ca FILE]...
       [--client-cert FILE.p12 | --client-cert CERT.pem --client-key KEY.pem] [--passphrase X]
       [--servername NAME] [--revocation off|soft-fail|hard-fail] [--json]`

/** Parses `host`, `host:port`, `[v6]:port` or `sip:user@domain[:port]`. */
export function parseTarget(text: string): {
  host: string
  port: number | null
  sipDomain: string | null
} {
  let t = text.trim()
  let sip = false
  const m = /^sips?:(.*)$/i.exec(t)
  if (m) {
    sip = true
    t = m[1]!.replace(/^[^@]*@/, '').replace(/[;?].*$/, '')
  }
  let host = t
  let port: number | null = null
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(t)
  if (v6) {
    host = v6[1]!
    port = v6[2] ? Number(v6[2]) : null
  } else if ((t.match(/:/g) ?? []).length === 1) {
    const [h, p] = t.split(':')
    host = h!
    if (!/^\d+$/.test(p!)) throw new UsageError(`"${p}" is not a port number.`)
    port = Number(p)
  }
  if (!host) throw new UsageError(`No host in "${text}".`)
  if (port !== null && (port < 1 || port > 65535))
    throw new UsageError(`Port ${port} is out of range.`)
  return { host, port, sipDomain: sip ? host : null }
}

/** Parses argv after the program name; throws UsageError. */
export function parseArgs(argv: string[]): CheckArgs {
  const [cmd, ...rest] = argv
  if (cmd !== 'check') throw new UsageError(cmd ? `Unknown command "${cmd}".` : 'No command given.')
  const a: Omit<CheckArgs, 'host' | 'port' | 'sipDomain'> = {
    cas: [],
    clientCert: null,
    clientKey: null,
    passphrase: null,
    servername: null,
    revocation: 'soft-fail',
    json: false
  }
  let target: string | null = null
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!
    const value = () => {
      const v = rest[++i]
      if (v === undefined) throw new UsageError(`${arg} needs a value.`)
      return v
    }
    switch (arg) {
      case '--ca':
        a.cas.push(value())
        break
      case '--client-cert':
        a.clientCert = value()
        break
      case '--client-key':
        a.clientKey = value()
        break
      case '--passphrase':
        a.passphrase = value()
        break
      case '--servername':
        a.servername = value()
        break
      case '--revocation': {
        const v = value()
        if (v !== 'off' && v !== 'soft-fail' && v !== 'hard-fail') {
          throw new UsageError(`--revocation must be off, soft-fail or hard-fail, not "${v}".`)
        }
        a.revocation = v
        break
      }
      case '--json':
        a.json = true
        break
      default:
        if (arg.startsWith('-')) throw new UsageError(`Unknown option ${arg}.`)
        if (target !== null) throw new UsageError(`Only one target, got "${target}" and "${arg}".`)
        target = arg
    }
  }
  if (target === null) throw new UsageError('No server given.')
  if (a.clientKey && !a.clientCert) throw new UsageError('--client-key needs --client-cert.')
  return { ...parseTarget(target), ...a }
}

function loadClientCert(a: CheckArgs): ClientCertificate | undefined {
  if (!a.clientCert) return undefined
  const read = (f: string) => {
    try {
      return readFileSync(f)
    } catch (e) {
      throw new UsageError(`Cannot read ${f}: ${(e as Error).message}`)
    }
  }
  const pass = a.passphrase !== null ? { passphrase: a.passphrase } : {}
  if (a.clientKey) return { cert: read(a.clientCert), key: read(a.clientKey), ...pass }
  const bytes = read(a.clientCert)
  if (bytes.includes('-----BEGIN')) {
    // A PEM file holding both the certificate and its key.
    return { cert: bytes, key: bytes, ...pass }
  }
  return { pfx: bytes, ...pass }
}

const verdictWords: Record<TrustReport['verdict'], string> = {
  trusted: 'TRUSTED',
  'trusted-by-exception': 'TRUSTED BY YOUR EXCEPTION',
  untrusted: 'NOT TRUSTED',
  'needs-question': 'NOT TRUSTED YET: NEEDS YOUR ANSWER',
  'no-verdict': 'NO VERDICT: FAILED BEFORE THE CERTIFICATE WAS JUDGED'
}

/** Human-readable report, for a terminal or a helpdesk ticket. */
export function formatReport(r: TrustReport): string {
  const lines: string[] = []
  lines.push(`${r.host}:${r.port}: ${verdictWords[r.verdict]}`)
  if (r.headline) lines.push(`  Why: ${reasonText(r.headline).summary}`)
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

/** Output channels and dependencies of a CLI run (injectable for tests). */
export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
  resolve?: TargetResolver
  service?: TrustServiceOptions
}

/**
 * The exit code for a report: 0 trusted, 1 not trusted (refused, waiting for an answer, or a
 * client certificate the server wants or refused), 2 when no server could be talked to.
 */
export function exitCodeOf(report: TrustReport): 0 | 1 | 2 {
  if (report.verdict === 'trusted' || report.verdict === 'trusted-by-exception') return 0
  if (report.verdict !== 'no-verdict') return 1
  return report.headline?.code === 'connection-failed' ? 2 : 1
}

/** Runs the CLI; resolves to the exit code: 0 trusted, 1 not trusted, 2 error. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let args: CheckArgs
  let clientCert: ClientCertificate | undefined
  try {
    args = parseArgs(argv)
    clientCert = loadClientCert(args)
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\n${usage}`)
      return 2
    }
    throw e
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
    if (e instanceof CaFileError) {
      if (args.json) io.out(JSON.stringify({ error: { code: 'ca-file', message: e.message } }))
      io.err(e.message)
      return 2
    }
    io.err(`Unexpected error: ${(e as Error).stack ?? String(e)}`)
    return 2
  }
}
