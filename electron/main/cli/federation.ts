import { Resolver } from 'node:dns/promises'
import { formatFederationReport } from '../../../shared/federation/format'
import type { RevocationMode } from '../../../shared/types/trust'
import { FederationChecker } from '../federation/check'
import type { ClientCertificate } from '../tls/connector'
import {
  failedRun,
  lastValue,
  loadClientCert,
  parseRevocation,
  parseTarget,
  readArgs,
  UsageError,
  type CliIo
} from './common'

/** Parsed `federation` arguments. */
export interface FederationArgs {
  partnerDomain: string
  identity: ClientCertificate
  server: { host: string; port?: number } | null
  cas: string[]
  publicCas: string[]
  servername: string | null
  revocation: RevocationMode
  json: boolean
}

/** Parses the arguments after `federation`; throws UsageError (also for unreadable files). */
export function parseFederationArgs(rest: string[]): FederationArgs {
  const a = readArgs(
    rest,
    [
      '--client-cert',
      '--client-key',
      '--passphrase',
      '--server',
      '--ca',
      '--public-ca',
      '--servername',
      '--revocation'
    ],
    ['--json']
  )
  const [domain, extra] = a.positionals
  if (domain === undefined) throw new UsageError('No partner domain given.')
  if (extra !== undefined)
    throw new UsageError(`Only one partner domain, got "${domain}" and "${extra}".`)
  if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\.?$/.test(domain)) {
    throw new UsageError(`"${domain}" is not a domain name (write IDNs as xn--…).`)
  }
  const clientCert = lastValue(a, '--client-cert')
  if (!clientCert) {
    throw new UsageError(
      '--client-cert is required: the certificate your edge presents to partners.'
    )
  }
  const identity = loadClientCert({
    clientCert,
    clientKey: lastValue(a, '--client-key'),
    passphrase: lastValue(a, '--passphrase')
  })!
  const serverText = lastValue(a, '--server')
  const server = serverText ? parseTarget(serverText) : null
  const revocation = lastValue(a, '--revocation')
  return {
    partnerDomain: domain.toLowerCase().replace(/\.$/, ''),
    identity,
    server: server ? { host: server.host, ...(server.port ? { port: server.port } : {}) } : null,
    cas: a.values.get('--ca') ?? [],
    publicCas: a.values.get('--public-ca') ?? [],
    servername: lastValue(a, '--servername'),
    revocation: revocation === null ? 'soft-fail' : parseRevocation(revocation),
    json: a.flags.has('--json')
  }
}

/**
 * `trustline federation <partner-domain> …`: runs the federation check and prints the report in
 * English (or as JSON). Exit 0 ready, 1 not ready, 2 usage error or no server found in DNS.
 */
export async function runFederationCli(rest: string[], io: CliIo): Promise<number> {
  let args: FederationArgs
  try {
    args = parseFederationArgs(rest)
  } catch (e) {
    const code = failedRun(e, io, false)
    if (code === null) throw e
    return code
  }
  try {
    const checker = new FederationChecker({
      ...io.federation,
      resolver: io.dns ?? io.federation?.resolver ?? new Resolver({ timeout: 3000, tries: 2 }),
      policyCaFiles: [...(io.federation?.policyCaFiles ?? []), ...args.cas],
      publicCaFiles: [...(io.federation?.publicCaFiles ?? []), ...args.publicCas],
      revocation: args.revocation
    })
    const report = await checker.check({
      partnerDomain: args.partnerDomain,
      identity: args.identity,
      ...(args.server ? { server: args.server } : {}),
      ...(args.servername ? { servername: args.servername } : {})
    })
    io.out(args.json ? JSON.stringify(report, null, 2) : formatFederationReport(report, 'en'))
    if (report.headline.code === 'discovery-failed') return 2
    return report.verdict === 'ready' ? 0 : 1
  } catch (e) {
    const code = failedRun(e, io, args.json)
    if (code !== null) return code
    io.err(`Unexpected error: ${(e as Error).stack ?? String(e)}`)
    return 2
  }
}
