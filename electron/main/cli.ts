import { Resolver } from 'node:dns/promises'
import { runCli, type TargetResolver } from './cli/trustline'
import { installLastResort } from './last-resort'
import { describeStep } from '../../shared/discovery/wording'
import { discoverServer } from './sip/discovery'

// `trustline` command-line entry (built to out/main/cli.js). For `sip:user@domain` without a port
// it finds the server as the app does (NAPTR → SRV → A/AAAA) and prints the trace to stderr.
// `trustline federation` discovers the partner's edge itself (its trace is part of the report).
// TRUSTLINE_DNS=host:port points discovery at another DNS server (the lab's dnsmasq).
const dnsServer = process.env['TRUSTLINE_DNS']

// An error a bug leaves in a background task (a socket closing late) is printed, and the check
// still ends with its own verdict and exit code.
installLastResort(process, (message, error) =>
  process.stderr.write(`trustline: internal error, ${message}: ${String(error)}\n`)
)

function dnsResolver(): Resolver {
  const resolver = new Resolver({ timeout: 3000, tries: 2 })
  if (dnsServer) resolver.setServers([dnsServer])
  return resolver
}

const resolveTarget: TargetResolver = async (target) => {
  if (!target.sipDomain || target.port !== null) {
    return { host: target.host, port: target.port ?? 5061 }
  }
  const resolver = dnsResolver()
  const { candidates, trace } = await discoverServer(target.sipDomain, resolver)
  for (const step of trace) {
    const { query, answer } = describeStep(step)
    process.stderr.write(`discovery: ${step.ok ? '✓' : '✗'} ${query} → ${answer}\n`)
  }
  const first = candidates[0]
  return first
    ? { host: first.host, port: first.port, address: first.address, origin: first }
    : { host: target.host, port: 5061 }
}

runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  resolve: resolveTarget,
  dns: dnsResolver()
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`trustline: ${String(error)}\n`)
    process.exit(2)
  }
)
