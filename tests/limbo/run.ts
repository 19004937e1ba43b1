/**
 * x509-limbo harness: runs every testcase through the same evaluateChain the app uses and writes
 * results in the limbo scorer format.
 *
 * usage: npx tsx tests/limbo/run.ts [--only PREFIX] [--out FILE] [--limbo FILE] [--verbose]
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { evaluateChain, type EvaluateInput } from '../../electron/main/tls/chain/evaluate'
import { chainVerdict } from '../../electron/main/tls/decision'
import { checkCrls } from '../../electron/main/tls/chain/crl'
import { parseIp } from '../../electron/main/tls/chain/names'
import { pemToDer } from '../../electron/main/tls/chain/parse'
import { EkuOid } from '../../electron/main/tls/chain/oids'

interface PeerNameCase {
  kind: 'DNS' | 'IP' | 'RFC822'
  value: string
}

interface LimboCase {
  id: string
  validation_kind: 'SERVER' | 'CLIENT'
  trusted_certs: string[]
  untrusted_intermediates: string[]
  peer_certificate: string
  validation_time: string | null
  key_usage: string[]
  extended_key_usage: string[]
  expected_result: 'SUCCESS' | 'FAILURE'
  expected_peer_name: PeerNameCase | null
  expected_peer_names: PeerNameCase[]
  max_chain_depth: number | null
  crls: string[]
}

interface LimboResult {
  id: string
  actual_result: 'SUCCESS' | 'FAILURE' | 'SKIPPED'
  context: string | null
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const ekuByName: Record<string, string> = {
  serverAuth: EkuOid.serverAuth,
  clientAuth: EkuOid.clientAuth,
  codeSigning: EkuOid.codeSigning,
  emailProtection: EkuOid.emailProtection,
  anyExtendedKeyUsage: EkuOid.anyExtendedKeyUsage
}

function toInput(tc: LimboCase): EvaluateInput {
  const purpose = tc.validation_kind === 'CLIENT' ? 'client' : 'server'
  const input: EvaluateInput = {
    chain: pemToDer(tc.peer_certificate),
    intermediates: tc.untrusted_intermediates.flatMap(pemToDer),
    anchors: tc.trusted_certs.flatMap(pemToDer).map((der) => ({ der, source: 'policy' as const })),
    purpose,
    at: tc.validation_time ? new Date(tc.validation_time) : new Date(),
    requiredEku: tc.extended_key_usage.map((e) => ekuByName[e] ?? e),
    requiredKeyUsage: tc.key_usage,
    policy: {
      maxIntermediates: tc.max_chain_depth,
      revocation: tc.crls.length ? 'hard-fail' : 'off'
    }
  }
  const peer = tc.expected_peer_name
  if (peer) {
    if (peer.kind === 'IP') {
      const bytes = parseIp(peer.value)
      input.peerName = bytes
        ? { kind: 'ip', value: peer.value, bytes }
        : { kind: 'dns', value: peer.value }
    } else if (peer.kind === 'DNS')
      input.peerName = { kind: 'dns', value: peer.value.toLowerCase() }
    else input.peerName = { kind: 'email', value: peer.value }
  }
  if (tc.crls.length) {
    const crls = tc.crls.flatMap((p) => pemBlocks(p, 'X509 CRL'))
    input.revocationCheck = (chain) => Promise.resolve(checkCrls(chain, crls, input.at!))
  }
  return input
}

function pemBlocks(pem: string, label: string): Buffer[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g')
  const out: Buffer[] = []
  for (let m = re.exec(pem); m; m = re.exec(pem))
    out.push(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'))
  return out
}

async function main(): Promise<void> {
  const limboPath = arg('--limbo') ?? '/work/shared/limbo/limbo.json'
  const only = arg('--only')
  const out = arg('--out') ?? join(tmpdir(), 'trustline-limbo-results.json')
  const verbose = process.argv.includes('--verbose')
  const limbo = JSON.parse(readFileSync(limboPath, 'utf8')) as { testcases: LimboCase[] }
  const results: LimboResult[] = []
  const t0 = performance.now()
  let slowest = { id: '', ms: 0 }
  for (const tc of limbo.testcases) {
    if (only && !tc.id.startsWith(only)) continue
    const t = performance.now()
    let r: LimboResult
    try {
      const res = await evaluateChain(toInput(tc))
      const errors = res.reasons.filter((x) => x.severity === 'error')
      r = {
        id: tc.id,
        actual_result:
          chainVerdict(res.reasons, res.anchor !== null) === 'trusted' ? 'SUCCESS' : 'FAILURE',
        context: errors.map((e) => `${e.code}: ${e.detail}`).join(' | ') || null
      }
    } catch (e) {
      r = {
        id: tc.id,
        actual_result: 'FAILURE',
        context: `harness exception: ${(e as Error).stack}`
      }
    }
    const ms = performance.now() - t
    if (ms > slowest.ms) slowest = { id: tc.id, ms }
    results.push(r)
    if (verbose && r.actual_result !== tc.expected_result) {
      console.log(`${tc.id} expected ${tc.expected_result} got ${r.actual_result}: ${r.context}`)
    }
  }
  writeFileSync(out, JSON.stringify({ version: 1, harness: 'trustline', results }, null, 1))
  const expected = new Map(limbo.testcases.map((t) => [t.id, t.expected_result]))
  const agree = results.filter((r) => r.actual_result === expected.get(r.id)).length
  console.log(
    `${results.length} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s (slowest ${slowest.id} ${slowest.ms.toFixed(0)} ms); ${agree} agree; wrote ${out}`
  )
}

await main()
