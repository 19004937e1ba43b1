// Figure 2: evaluating the lab's 3-certificate chain in process against `openssl verify` on the
// same chain (one process per run: that is what the CLI costs), plus a full x509-limbo run.
import { execFile, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { evaluateChain } from '../electron/main/tls/chain/evaluate'
import { chainVerdict } from '../electron/main/tls/decision'
import { pemToDer } from '../electron/main/tls/chain/parse'
import type { Lab } from '../tests/lab/lab'
import { repeat, summarize, type Summary } from './lib/stats'

export interface TrustResult {
  evaluate: Summary
  opensslVerify: Summary
  limbo: { seconds: number; agree: number | null; total: number | null; output: string } | null
}

function opensslVerify(root: string, inter: string, leaf: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    execFile('openssl', ['verify', '-CAfile', root, '-untrusted', inter, leaf], (err, out) => {
      if (err || !out.includes(': OK')) reject(new Error(`openssl verify: ${err?.message ?? out}`))
      else resolve(performance.now() - t0)
    })
  })
}

/** Runs the limbo harness as a child and scores it; time is the harness's wall time. */
function runLimbo(outFile: string, timeoutMs: number): Promise<TrustResult['limbo']> {
  return new Promise((resolve) => {
    const t0 = performance.now()
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'tests/limbo/run.ts', '--out', outFile],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      const seconds = (performance.now() - t0) / 1000
      if (code !== 0) {
        resolve({ seconds, agree: null, total: null, output: out.slice(-500) })
        return
      }
      execFile(
        process.execPath,
        [join('..', 'shared', 'limbo', 'score.mjs'), '--split', 'bettertls', outFile],
        (err, score) => {
          const text = `${out}\n${score}`
          const m = /: (\d+)\/(\d+) agree/.exec(score)
          resolve({
            seconds,
            agree: m ? Number(m[1]) : null,
            total: m ? Number(m[2]) : null,
            output: (err ? `${err.message}\n` : '') + text.trim().split('\n').slice(-6).join('\n')
          })
        }
      )
    })
  })
}

export async function benchTrust(
  lab: Lab,
  baseDir: string,
  opts: { evalRounds: number; cliRounds: number; limbo: boolean }
): Promise<TrustResult> {
  const server = lab.pki.servers.good
  const [leaf] = pemToDer(readFileSync(server.cert, 'latin1'))
  const [inter] = pemToDer(readFileSync(lab.pki.intermediateCa, 'latin1'))
  const [root] = pemToDer(readFileSync(lab.pki.rootCa, 'latin1'))
  if (!leaf || !inter || !root) throw new Error('lab PKI files are not PEM certificates')
  const input = {
    chain: [leaf, inter],
    anchors: [{ der: root, source: 'policy' as const }],
    host: '127.0.0.1',
    sipDomain: lab.domain,
    purpose: 'server' as const,
    policy: { revocation: 'off' as const }
  }
  const evaluate = await repeat(opts.evalRounds, 200, async () => {
    const t0 = performance.now()
    const r = await evaluateChain(input)
    const ms = performance.now() - t0
    const verdict = chainVerdict(r.reasons, r.anchor !== null)
    if (verdict !== 'trusted') throw new Error(`evaluateChain: ${verdict}`)
    return ms
  })
  const cli = await repeat(opts.cliRounds, 3, () =>
    opensslVerify(lab.pki.rootCa, lab.pki.intermediateCa, server.cert)
  )
  const limbo = opts.limbo ? await runLimbo(join(baseDir, 'limbo-results.json'), 180_000) : null
  return { evaluate: summarize(evaluate), opensslVerify: summarize(cli), limbo }
}
