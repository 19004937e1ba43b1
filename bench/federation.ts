// Figure 6: the federation check against the partner lab's "ready" partner (discovery through its
// dnsmasq, mutual TLS with our edge certificate, both chains in both roles, CRLs, OPTIONS), next
// to `openssl s_client` doing the bare mutual-TLS handshake to the same port (one process per
// run: what the command costs an administrator).
import { execFile } from 'node:child_process'
import { Resolver } from 'node:dns/promises'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { FederationChecker } from '../electron/main/federation/check'
import { startPartnerLab } from '../tests/lab/partner'
import { repeat, summarize, type Summary } from './lib/stats'

export interface FederationBenchResult {
  /** The whole check, a new FederationChecker each round in one process (caches warm). */
  check: Summary
  /** Of which the OPTIONS request → response. */
  optionsRtt: Summary
  /** `openssl s_client` with our certificate: connect, mutual-TLS handshake, close. */
  opensslHandshake: Summary
}

function sClient(port: number, servername: string, pki: { cert: string; key: string; ca: string }) {
  return new Promise<number>((resolve, reject) => {
    const t0 = performance.now()
    const child = execFile(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-servername',
        servername,
        '-cert',
        pki.cert,
        '-key',
        pki.key,
        '-CAfile',
        pki.ca,
        '-verify_return_error',
        '-brief'
      ],
      (err, _out, stderr) => {
        if (err || !/Verification: OK/.test(stderr)) {
          reject(new Error(`openssl s_client: ${err?.message ?? ''} ${stderr.slice(-300)}`))
        } else resolve(performance.now() - t0)
      }
    )
    child.stdin?.end()
  })
}

export async function benchFederation(
  baseDir: string,
  opts: { rounds: number; cliRounds: number }
): Promise<FederationBenchResult> {
  const partner = await startPartnerLab({ runDir: join(baseDir, 'partner'), stopOnExit: true })
  try {
    const ready = partner.scenarios.ready
    const resolver = new Resolver({ timeout: 2000, tries: 2 })
    resolver.setServers([`127.0.0.1:${partner.ports.dns}`])
    const identity = {
      pfx: readFileSync(partner.pki.our.edge.p12),
      passphrase: partner.pki.our.edge.p12Password
    }
    const rtts: number[] = []
    const check = await repeat(opts.rounds, 3, async () => {
      const t0 = performance.now()
      const report = await new FederationChecker({
        resolver,
        policyCaFiles: [partner.pki.ourCa, partner.pki.partnerCa]
      }).check({ partnerDomain: ready.domain, identity })
      const ms = performance.now() - t0
      if (report.verdict !== 'ready') {
        throw new Error(`federation check: ${report.verdict}, ${report.headline.code}`)
      }
      rtts.push(report.options.rttMs ?? Number.NaN)
      return ms
    })
    const opensslHandshake = await repeat(opts.cliRounds, 2, () =>
      sClient(ready.port, ready.host, {
        cert: partner.pki.our.edge.cert,
        key: partner.pki.our.edge.key,
        ca: partner.pki.partnerCa
      })
    )
    return {
      check: summarize(check),
      optionsRtt: summarize(rtts.slice(-opts.rounds)),
      opensslHandshake: summarize(opensslHandshake)
    }
  } finally {
    await partner.stop()
  }
}
