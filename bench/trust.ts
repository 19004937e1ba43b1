// Figure 2: evaluating the lab's 3-certificate chain in process against `openssl verify` on the
// same chain (one process per run: that is what the CLI costs), plus a full x509-limbo run.
import { execFile, spawn } from 'node:child_process'
import { readFileSync, realpathSync } from 'node:fs'
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
  limbo: {
    seconds: number
    agree: number | null
    total: number | null
    /** Cases the corpus expects rejected that TrustLine accepted. */
    falseAccept: number | null
    output: string
  } | null
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

/** The x509-limbo corpus and scorer, beside the repository (`../shared/limbo`). */
function limboDir(): string | null {
  try {
    // Resolved through any symlink: score.mjs runs only when its own path is the one Node ran.
    return realpathSync(join(process.cwd(), '..', 'shared', 'limbo'))
  } catch {
    return null
  }
}

/** What score.mjs --json writes for one result file. */
interface LimboScore {
  overall: { total: number; agree: number; falseAccept: number; falseReject: number }
}

/**
 * Runs the limbo harness as a child and scores it with the corpus's own scorer, reading the
 * agreement from the JSON the scorer writes; time is the harness's wall time.
 */
function runLimbo(outFile: string, timeoutMs: number): Promise<TrustResult['limbo']> {
  const dir = limboDir()
  if (!dir) {
    return Promise.resolve({
      seconds: Number.NaN,
      agree: null,
      total: null,
      falseAccept: null,
      output: 'x509-limbo not found at ../shared/limbo'
    })
  }
  return new Promise((resolve) => {
    const t0 = performance.now()
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'tests/limbo/run.ts',
        '--limbo',
        join(dir, 'limbo.json'),
        '--out',
        outFile
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      const seconds = (performance.now() - t0) / 1000
      const failed = (why: string) =>
        resolve({ seconds, agree: null, total: null, falseAccept: null, output: why })
      if (code !== 0) {
        failed(`harness exited with ${code}:\n${out.slice(-500)}`)
        return
      }
      const scoreFile = `${outFile}.score.json`
      execFile(
        process.execPath,
        [join(dir, 'score.mjs'), '--split', 'bettertls', '--json', scoreFile, outFile],
        { maxBuffer: 16 * 1024 * 1024 },
        (err, score) => {
          const tail = `${out}\n${score}`.trim().split('\n').slice(-3).join('\n')
          let overall: LimboScore['overall'] | undefined
          try {
            overall = (JSON.parse(readFileSync(scoreFile, 'utf8')) as LimboScore[])[0]?.overall
          } catch (e) {
            failed(`no score: ${err?.message ?? (e as Error).message}\n${tail}`)
            return
          }
          if (!overall) {
            failed(`the scorer wrote no result\n${tail}`)
            return
          }
          resolve({
            seconds,
            agree: overall.agree,
            total: overall.total,
            falseAccept: overall.falseAccept,
            output: tail
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
