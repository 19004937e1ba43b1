import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exitCodeOf, parseArgs, parseTarget, runCli } from '../../../../electron/main/cli/trustline'
import type { TrustReport } from '../../../../shared/types/trust'
import { makeCert, makeHierarchy, oids } from '../../../fixtures/pki'
import { keyPem, startTlsServer, type Running } from '../../../fixtures/tls-lab'

let dir: string
let rootFile: string
let good: Running
let selfSigned: Running
let mtls: Running
let p12: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustline-cli-'))
  const h = await makeHierarchy('localhost')
  rootFile = join(dir, 'root.pem')
  writeFileSync(rootFile, h.root.pem)
  good = await startTlsServer({ chain: [h.leaf, h.intermediate], key: h.leaf.keys })
  const self = await makeCert({
    subject: 'CN=localhost',
    sans: [{ type: 'dns', value: 'localhost' }]
  })
  selfSigned = await startTlsServer({ chain: [self], key: self.keys })
  const client = await makeCert({
    subject: 'CN=alice',
    issuer: h.intermediate,
    eku: [oids.clientAuth]
  })
  writeFileSync(join(dir, 'alice.pem'), client.pem)
  writeFileSync(join(dir, 'alice.key'), await keyPem(client.keys))
  p12 = join(dir, 'alice.p12')
  execFileSync('openssl', [
    'pkcs12',
    '-export',
    '-in',
    join(dir, 'alice.pem'),
    '-inkey',
    join(dir, 'alice.key'),
    '-out',
    p12,
    '-passout',
    'pass:s3cret'
  ])
  mtls = await startTlsServer({
    chain: [h.leaf, h.intermediate],
    key: h.leaf.keys,
    requestCert: true,
    // The client sends only its own certificate, so the server needs the intermediate too.
    clientCa: [h.root.pem, h.intermediate.pem]
  })
})

afterAll(async () => {
  await good.close()
  await selfSigned.close()
  await mtls.close()
  rmSync(dir, { recursive: true, force: true })
})

async function run(argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    service: { platformAnchors: false, timeoutMs: 5000 }
  })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('trustline check', () => {
  it('parses targets: host, host:port, [v6]:port, sip:user@domain', () => {
    expect(parseTarget('sip.example.com')).toEqual({
      host: 'sip.example.com',
      port: null,
      sipDomain: null
    })
    expect(parseTarget('h:5062')).toEqual({ host: 'h', port: 5062, sipDomain: null })
    expect(parseTarget('[::1]:5061')).toEqual({ host: '::1', port: 5061, sipDomain: null })
    expect(parseTarget('sip:alice@example.com')).toEqual({
      host: 'example.com',
      port: null,
      sipDomain: 'example.com'
    })
    expect(() => parseArgs(['check', 'h', '--revocation', 'maybe'])).toThrow(/revocation/)
  })

  it('exits 0 for a trusted server and prints verdict, reasons and chain', async () => {
    const r = await run([
      'check',
      `127.0.0.1:${good.port}`,
      '--ca',
      rootFile,
      '--servername',
      'localhost',
      '--revocation',
      'off'
    ])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/: TRUSTED/)
    expect(r.out).toMatch(/Chain as sent by the server:\n {2}#0 CN=localhost/)
    expect(r.out).toMatch(/SHA-256: ([0-9A-F]{2}:){31}[0-9A-F]{2}/)
  })

  it('exits 1 for an untrusted server, with JSON on request', async () => {
    const r = await run([
      'check',
      `127.0.0.1:${selfSigned.port}`,
      '--servername',
      'localhost',
      '--json'
    ])
    expect(r.code).toBe(1)
    const report = JSON.parse(r.out) as {
      verdict: string
      headline: { code: string; params: object }
      reasons: { code: string; params: object }[]
    }
    expect(report.verdict).toBe('untrusted')
    expect(report.headline.code).toBe('self-signed')
    expect(report.reasons[0]).toEqual(report.headline)
  })

  it('exits 2 with one clear sentence for bad args, a bad CA file, refused and DNS failures', async () => {
    expect((await run(['check'])).code).toBe(2)
    const badCa = await run(['check', `127.0.0.1:${good.port}`, '--ca', join(dir, 'missing.pem')])
    expect(badCa.code).toBe(2)
    expect(badCa.err).toMatch(/CA file .*does not exist/)
    const refused = await run(['check', '127.0.0.1:1'])
    expect(refused.code).toBe(2)
    expect(refused.err).toMatch(/127\.0\.0\.1:1 refused the connection/)
    expect(refused.out).toMatch(/NO VERDICT/)
    const dns = await run(['check', 'sip:alice@no-such-domain.invalid'])
    expect(dns.code).toBe(2)
    expect(dns.err).toMatch(/no-such-domain\.invalid could not be found in DNS/)
  })

  it('does mutual TLS with a PKCS#12 or PEM pair, and explains passphrase and missing-cert failures', async () => {
    const base = ['check', `127.0.0.1:${mtls.port}`, '--ca', rootFile, '--servername', 'localhost']
    const ok = await run([
      ...base,
      '--client-cert',
      p12,
      '--passphrase',
      's3cret',
      '--revocation',
      'off'
    ])
    expect(ok.code).toBe(0)
    expect(ok.out).toMatch(/client certificate requested, sent/)
    const pem = await run([
      ...base,
      '--client-cert',
      join(dir, 'alice.pem'),
      '--client-key',
      join(dir, 'alice.key'),
      '--revocation',
      'off'
    ])
    expect(pem.code).toBe(0)
    // A passphrase that does not open our own file is our configuration (exit 2); a server
    // wanting a certificate we did not give refused the connection (exit 1).
    const wrong = await run([...base, '--client-cert', p12, '--passphrase', 'nope'])
    expect(wrong.code).toBe(2)
    expect(wrong.err).toMatch(/passphrase is wrong/)
    const none = await run(base)
    expect(none.code).toBe(1)
    expect(none.err).toMatch(/requires a client certificate/)
    // The server's own certificate is shown and judged next to the refusal.
    expect(none.out).toMatch(/NO VERDICT/)
    expect(none.out).toMatch(/Server certificate: trusted/)
    expect(none.out).toMatch(/Chain as sent by the server:\n {2}#0 CN=localhost/)
  })

  it('runs as a script with npx tsx (electron/main/cli.ts, the entry built to out/main/cli.js)', async () => {
    const code = await new Promise<number>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'electron/main/cli.ts', 'check', '127.0.0.1:1'],
        { timeout: 20_000 },
        (e) => resolve(e ? ((e as { code?: number }).code ?? -1) : 0)
      )
    })
    expect(code).toBe(2)
  })
})

describe('exit codes', () => {
  const failed = (code: TrustReport['reasons'][number]['code'], cause?: string): TrustReport =>
    ({
      verdict: 'no-verdict',
      headline: {
        code,
        severity: 'error',
        certIndex: null,
        certSubject: null,
        params: cause ? { cause } : {},
        detail: ''
      }
    }) as unknown as TrustReport
  it.each([
    ['client-cert-required', undefined, 1],
    ['client-cert-rejected', undefined, 1],
    ['connection-failed', 'tls-failed', 1],
    ['connection-failed', 'closed', 1],
    ['connection-failed', 'protocol-too-old', 1],
    ['connection-failed', 'dns', 2],
    ['connection-failed', 'refused', 2],
    ['connection-failed', 'unreachable', 2],
    ['connection-failed', 'timeout', 2],
    ['connection-failed', 'no-server', 2],
    ['connection-failed', 'ca-file', 2],
    ['client-cert-bad-passphrase', undefined, 2],
    ['client-cert-unreadable', undefined, 2]
  ] as const)('%s (%s) exits %i', (code, cause, exit) => {
    expect(exitCodeOf(failed(code, cause))).toBe(exit)
  })
})
