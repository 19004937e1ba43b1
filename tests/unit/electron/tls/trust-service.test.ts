import 'reflect-metadata'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as x509 from '@peculiar/x509'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { trustReportSchema } from '../../../../shared/types/trust'
import { SecureContextCache } from '../../../../electron/main/tls/context-cache'
import { ExceptionStore } from '../../../../electron/main/tls/exceptions'
import {
  createTrustService,
  type CheckServerRequest
} from '../../../../electron/main/tls/trust-service'
import { makeCert, makeCrl, makeHierarchy, oids, type IssuedCert } from '../../../fixtures/pki'
import {
  keyPem,
  opensslOcspAnswer,
  startHttpServer,
  startTlsServer,
  type Running
} from '../../../fixtures/tls-lab'

const cleanups: (() => Promise<void> | void)[] = []
let dir: string
let h: Awaited<ReturnType<typeof makeHierarchy>>

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustline-tls-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  h = await makeHierarchy('localhost')
})

afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

async function serve(o: Parameters<typeof startTlsServer>[0]): Promise<Running> {
  const s = await startTlsServer(o)
  cleanups.push(() => s.close())
  return s
}

async function check(
  server: Running,
  root: IssuedCert | null = h.root,
  extra: Partial<CheckServerRequest> = {},
  exceptions?: ExceptionStore
) {
  const service = createTrustService({
    platformAnchors: false,
    timeoutMs: 5000,
    postHandshakeMs: 500,
    revocation: 'off',
    ...(exceptions ? { exceptions } : {})
  })
  const result = await service.checkServer({
    host: '127.0.0.1',
    port: server.port,
    servername: 'localhost',
    extraCas: root ? [Buffer.from(root.pem)] : [],
    ...extra
  })
  cleanups.push(() => {
    result.socket?.destroy()
  })
  trustReportSchema.parse(result.report)
  return result
}

const codes = (r: { reasons: { code: string; severity: string }[] }) =>
  r.reasons.filter((x) => x.severity === 'error').map((x) => x.code)

describe('checkServer against real loopback TLS servers', () => {
  it.each(['TLSv1.2', 'TLSv1.3'] as const)(
    'trusts a good chain (%s), keeps the socket open and paused, records the sent order',
    async (v) => {
      const s = await serve({ chain: [h.leaf, h.intermediate], key: h.leaf.keys, maxVersion: v })
      const { report, socket } = await check(s)
      expect(report.verdict).toBe('trusted')
      expect(codes(report)).toEqual([])
      expect(report.tls?.protocol).toBe(v)
      expect(report.tls?.chainSource).toBe('handshake')
      expect(report.sentChain.map((c) => c.subject)).toEqual([
        h.leaf.subject,
        h.intermediate.subject
      ])
      expect(report.node).toEqual({ authorized: true, authorizationError: null })
      expect(socket).toBeDefined()
      expect(socket!.isPaused()).toBe(true)
      expect(socket!.destroyed).toBe(false)
      // The SIP layer takes over: resume, write, read (the test server echoes).
      const echoed = new Promise<string>((r) =>
        socket!.once('data', (d: Buffer) => r(d.toString()))
      )
      socket!.resume()
      socket!.write('OPTIONS sip:localhost SIP/2.0\r\n\r\n')
      expect(await echoed).toMatch(/^OPTIONS/)
    }
  )

  it('checks the name while dialling the address discovery found', async () => {
    const s = await serve({ chain: [h.leaf, h.intermediate], key: h.leaf.keys })
    const service = createTrustService({ platformAnchors: false, revocation: 'off' })
    const { report, socket } = await service.checkServer({
      host: 'localhost',
      address: '127.0.0.1',
      port: s.port,
      extraCas: [Buffer.from(h.root.pem)],
      keepOpen: false
    })
    expect(socket).toBeUndefined()
    expect(report).toMatchObject({ verdict: 'trusted', host: 'localhost', servername: 'localhost' })
  })

  it('records an out-of-order, duplicated chain exactly as sent', async () => {
    const s = await serve({ chain: [h.leaf, h.root, h.intermediate, h.leaf], key: h.leaf.keys })
    const { report } = await check(s)
    expect(report.sentChain.map((c) => c.subject)).toEqual([
      h.leaf.subject,
      h.root.subject,
      h.intermediate.subject,
      h.leaf.subject
    ])
  })

  it('rejects an expired leaf', async () => {
    const leaf = await makeCert({
      subject: 'CN=localhost',
      issuer: h.intermediate,
      sans: [{ type: 'dns', value: 'localhost' }],
      notBefore: new Date(Date.now() - 100 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000)
    })
    const s = await serve({ chain: [leaf, h.intermediate], key: leaf.keys })
    const { report, socket } = await check(s)
    expect(report.verdict).toBe('untrusted')
    expect(codes(report)).toContain('expired')
    expect(socket).toBeUndefined()
  })

  it('rejects a certificate for another host', async () => {
    const s = await serve({ chain: [h.leaf, h.intermediate], key: h.leaf.keys })
    const { report } = await check(s, h.root, { servername: 'sip.other.test' })
    expect(report.verdict).toBe('untrusted')
    expect(codes(report)).toContain('hostname-mismatch')
  })

  it('rejects a self-signed certificate', async () => {
    const self = await makeCert({
      subject: 'CN=localhost',
      sans: [{ type: 'dns', value: 'localhost' }]
    })
    const s = await serve({ chain: [self], key: self.keys })
    const { report } = await check(s, null)
    expect(report.verdict).toBe('untrusted')
    expect(codes(report).some((c) => c === 'self-signed' || c === 'unknown-issuer')).toBe(true)
  })

  it('rejects an unknown issuer', async () => {
    const s = await serve({ chain: [h.leaf, h.intermediate], key: h.leaf.keys })
    const { report } = await check(s, null)
    expect(report.verdict).toBe('untrusted')
    expect(codes(report)).toContain('unknown-issuer')
    expect(report.node?.authorized).toBe(false)
  })

  it('fetches a missing intermediate via AIA and Node agrees after seeing it', async () => {
    const http = await startHttpServer({ '/int.cer': h.intermediate.der })
    cleanups.push(() => http.close())
    const leaf = await makeCert({
      subject: 'CN=localhost',
      issuer: h.intermediate,
      sans: [{ type: 'dns', value: 'localhost' }],
      caIssuers: [`${http.url}/int.cer`]
    })
    const s = await serve({ chain: [leaf], key: leaf.keys })
    const { report } = await check(s)
    expect(http.hits).toContain('/int.cer')
    expect(report.chainNotes.fetched).toHaveLength(1)
    expect(report.node?.authorized).toBe(true)
    expect(report.verdict).toBe('trusted')
  })

  it('rejects a weak RSA-1024 key', async () => {
    const leaf = await makeCert({
      subject: 'CN=localhost',
      issuer: h.intermediate,
      key: 'RSA-1024',
      sans: [{ type: 'dns', value: 'localhost' }]
    })
    const s = await serve({ chain: [leaf, h.intermediate], key: leaf.keys, weak: true })
    const { report } = await check(s)
    expect(report.verdict).toBe('untrusted')
    expect(codes(report)).toContain('weak-key')
  })

  it('rejects a SHA-1 signature', async () => {
    const leaf = await makeCert({
      subject: 'CN=localhost',
      issuer: h.intermediate,
      hash: 'SHA-1',
      sans: [{ type: 'dns', value: 'localhost' }]
    })
    const s = await serve({ chain: [leaf, h.intermediate], key: leaf.keys })
    const { report } = await check(s)
    expect(report.verdict).toBe('untrusted')
    expect(codes(report)).toContain('weak-signature')
  })

  it('finds a revoked leaf in the CRL', async () => {
    const routes: Record<string, Buffer> = {}
    const http = await startHttpServer(routes)
    cleanups.push(() => http.close())
    const leaf = await makeCert({
      subject: 'CN=localhost',
      issuer: h.intermediate,
      serial: '0badc0de',
      sans: [{ type: 'dns', value: 'localhost' }],
      extensions: [new x509.CRLDistributionPointsExtension([`${http.url}/int.crl`])]
    })
    routes['/int.crl'] = await makeCrl(h.intermediate, ['0badc0de'])
    const s = await serve({ chain: [leaf, h.intermediate], key: leaf.keys })
    const { report } = await check(s, h.root, { revocation: 'soft-fail' })
    expect(report.revocation).toMatchObject({ status: 'revoked', source: 'crl' })
    expect(codes(report)).toContain('revoked')
    expect(report.verdict).toBe('untrusted')
    expect(report.headline?.code).toBe('revoked')
    // Node does not check revocation: an expected difference, noted, never an error.
    expect(report.reasons.find((r) => r.code === 'node-disagrees')).toMatchObject({
      severity: 'info',
      params: { direction: 'node-accepts', codes: ['revoked'] }
    })
    expect(report.exceptionOffer).toBe('not-applicable')
  })

  it('asks a real openssl OCSP responder: revoked and good', async () => {
    const routes: Record<string, Parameters<typeof startHttpServer>[0][string]> = {}
    const http = await startHttpServer(routes)
    cleanups.push(() => http.close())
    const mk = (serial: string) =>
      makeCert({
        subject: 'CN=localhost',
        issuer: h.intermediate,
        serial,
        sans: [{ type: 'dns', value: 'localhost' }],
        extensions: [
          new x509.AuthorityInfoAccessExtension({
            ocsp: [new x509.GeneralName('url', `${http.url}/ocsp`)]
          })
        ]
      })
    const revoked = await mk('0a0a01')
    const good = await mk('0a0a02')
    const responder = await makeCert({
      subject: 'CN=Test OCSP Responder',
      issuer: h.intermediate,
      eku: ['1.3.6.1.5.5.7.3.9']
    })
    const yymmdd = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'
    const exp = yymmdd(new Date(Date.now() + 86_400_000))
    const rev = yymmdd(new Date(Date.now() - 3_600_000))
    writeFileSync(
      join(dir, 'index.txt'),
      `R\t${exp}\t${rev}\t0A0A01\tunknown\t/CN=localhost\nV\t${exp}\t\t0A0A02\tunknown\t/CN=localhost\n`
    )
    writeFileSync(join(dir, 'ca.pem'), h.intermediate.pem)
    writeFileSync(join(dir, 'rsigner.pem'), responder.pem)
    writeFileSync(join(dir, 'rkey.pem'), await keyPem(responder.keys))
    routes['/ocsp'] = opensslOcspAnswer({
      dir,
      index: join(dir, 'index.txt'),
      caCert: join(dir, 'ca.pem'),
      signerCert: join(dir, 'rsigner.pem'),
      signerKey: join(dir, 'rkey.pem')
    })
    const s1 = await serve({ chain: [revoked, h.intermediate], key: revoked.keys })
    const r1 = (await check(s1, h.root, { revocation: 'hard-fail' })).report
    expect(r1.revocation).toMatchObject({ status: 'revoked', source: 'ocsp' })
    expect(r1.verdict).toBe('untrusted')
    const s2 = await serve({ chain: [good, h.intermediate], key: good.keys })
    const r2 = (await check(s2, h.root, { revocation: 'hard-fail' })).report
    expect(r2.revocation).toMatchObject({ status: 'good', source: 'ocsp' })
    expect(r2.verdict).toBe('trusted')
  })

  it('hard-fail makes an unreachable responder an error, soft-fail a warning', async () => {
    const leaf = await makeCert({
      subject: 'CN=localhost',
      issuer: h.intermediate,
      sans: [{ type: 'dns', value: 'localhost' }],
      extensions: [new x509.CRLDistributionPointsExtension(['http://127.0.0.1:1/none.crl'])]
    })
    const s = await serve({ chain: [leaf, h.intermediate], key: leaf.keys })
    const soft = (await check(s, h.root, { revocation: 'soft-fail' })).report
    expect(soft.verdict).toBe('trusted')
    expect(soft.reasons.find((r) => r.code === 'revocation-unknown')?.severity).toBe('warning')
    const hard = (await check(s, h.root, { revocation: 'hard-fail' })).report
    expect(hard.verdict).toBe('untrusted')
    expect(codes(hard)).toContain('revocation-unknown')
  })
})

describe('mutual TLS', () => {
  let clientCa: IssuedCert
  let client: IssuedCert
  let clientKey: string
  beforeAll(async () => {
    clientCa = await makeCert({ subject: 'CN=Client CA', ca: true, noAki: true })
    client = await makeCert({ subject: 'CN=alice', issuer: clientCa, eku: [oids.clientAuth] })
    clientKey = await keyPem(client.keys)
  })

  it.each(['TLSv1.2', 'TLSv1.3'] as const)(
    'sends the client certificate when asked (%s)',
    async (v) => {
      const s = await serve({
        chain: [h.leaf, h.intermediate],
        key: h.leaf.keys,
        requestCert: true,
        clientCa: [clientCa.pem],
        maxVersion: v
      })
      const { report } = await check(s, h.root, {
        clientCert: { cert: client.pem, key: clientKey }
      })
      expect(report.tls).toMatchObject({ clientCertRequested: true, clientCertSent: true })
      expect(report.verdict).toBe('trusted')
    }
  )

  it.each(['TLSv1.2', 'TLSv1.3'] as const)(
    'explains a required but missing certificate, next to the server certificate (%s)',
    async (v) => {
      const s = await serve({
        chain: [h.leaf, h.intermediate],
        key: h.leaf.keys,
        requestCert: true,
        clientCa: [clientCa.pem],
        maxVersion: v
      })
      const { report, socket } = await check(s)
      expect(socket).toBeUndefined()
      expect(report.verdict).toBe('no-verdict')
      // The server's own certificate was seen and judged, although no connection was made.
      expect(report.serverCertificate).toBe('trusted')
      expect(report.sentChain.map((c) => c.subject)).toEqual([
        h.leaf.subject,
        h.intermediate.subject
      ])
      expect(report.headline).toMatchObject({
        code: 'client-cert-required',
        params: { host: '127.0.0.1', port: s.port }
      })
      const params = report.headline?.params ?? {}
      // TLS 1.2 lists the CAs it accepts; OpenSSL's TLS 1.3 server names them in the optional
      // certificate_authorities extension, which we read from the decrypted flight.
      expect(params['caNames']).toEqual(['CN=Client CA'])
      expect(params['caNamesHidden']).toBeUndefined()
    }
  )

  it('names our own expired or non-client certificate as the cause of a refusal', async () => {
    const s = await serve({
      chain: [h.leaf, h.intermediate],
      key: h.leaf.keys,
      requestCert: true,
      clientCa: [clientCa.pem],
      maxVersion: 'TLSv1.2'
    })
    const expired = await makeCert({
      subject: 'CN=alice',
      issuer: clientCa,
      eku: [oids.clientAuth],
      notBefore: new Date(Date.now() - 100 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000)
    })
    const old = await check(s, h.root, {
      clientCert: { cert: expired.pem, key: await keyPem(expired.keys) }
    })
    expect(old.report.verdict).toBe('no-verdict')
    expect(old.report.headline).toMatchObject({
      code: 'client-cert-expired',
      severity: 'error',
      params: { subject: 'CN=alice' }
    })
    expect(old.report.reasons.map((r) => r.code)).toContain('client-cert-rejected')
    const serverOnly = await makeCert({
      subject: 'CN=alice',
      issuer: clientCa,
      eku: [oids.serverAuth]
    })
    const wrong = await check(s, h.root, {
      clientCert: { cert: serverOnly.pem, key: await keyPem(serverOnly.keys) }
    })
    expect(wrong.report.headline?.code).toBe('client-cert-not-for-client')
  })

  it.each(['TLSv1.2', 'TLSv1.3'] as const)('explains a rejected certificate (%s)', async (v) => {
    const s = await serve({
      chain: [h.leaf, h.intermediate],
      key: h.leaf.keys,
      requestCert: true,
      clientCa: [h.root.pem],
      maxVersion: v
    })
    const { report } = await check(s, h.root, {
      clientCert: { cert: client.pem, key: clientKey }
    })
    expect(report.verdict).toBe('no-verdict')
    expect(report.headline?.code).toBe('client-cert-rejected')
  })

  it('reports a key that does not match the certificate', async () => {
    const s = await serve({ chain: [h.leaf, h.intermediate], key: h.leaf.keys })
    const other = await keyPem(h.leaf.keys)
    const { report } = await check(s, h.root, { clientCert: { cert: client.pem, key: other } })
    expect(report.verdict).toBe('no-verdict')
    expect(report.headline?.code).toBe('client-cert-key-mismatch')
  })
})

describe('exceptions', () => {
  it('accepts exactly the shown leaf, then flags a changed certificate loudly', async () => {
    const store = new ExceptionStore(join(dir, 'exceptions.json'))
    const self = await makeCert({
      subject: 'CN=localhost',
      sans: [{ type: 'dns', value: 'localhost' }]
    })
    const s = await serve({ chain: [self], key: self.keys })
    const first = (await check(s, null, {}, store)).report
    expect(first.verdict).toBe('untrusted')
    const fp = first.sentChain[0]!.sha256
    await expect(
      store.accept({
        host: '127.0.0.1',
        port: s.port,
        sha256: `${fp.startsWith('00') ? 'FF' : '00'}${fp.slice(2)}`
      })
    ).rejects.toMatchObject({ code: 'fingerprint-mismatch' })
    await store.accept({ host: '127.0.0.1', port: s.port, sha256: fp, confirm: true })
    const second = await check(s, null, {}, store)
    expect(second.report.verdict).toBe('trusted-by-exception')
    expect(second.report.exception?.sha256).toBe(fp)
    expect(second.socket).toBeDefined()

    // Same host:port, another certificate: certificate-changed, an error.
    const other = await makeCert({
      subject: 'CN=localhost',
      sans: [{ type: 'dns', value: 'localhost' }]
    })
    await s.close()
    const s2 = await startTlsServer({ chain: [other], key: other.keys })
    cleanups.push(() => s2.close())
    const reopened = new ExceptionStore(join(dir, 'exceptions.json'))
    const moved = { ...second.report, port: s2.port, sentChain: first.sentChain }
    reopened.offer(moved)
    await reopened.accept({ host: '127.0.0.1', port: s2.port, sha256: fp })
    const changed = (await check(s2, null, {}, reopened)).report
    expect(changed.verdict).toBe('untrusted')
    // The changed pin is what the user must hear first, not "self-signed" as on a first visit.
    expect(changed.headline).toMatchObject({
      code: 'certificate-changed',
      params: { acceptedSha256: fp, presentedSha256: changed.sentChain[0]!.sha256 }
    })

    // Now the server switches to a CA-issued certificate: the exception is only stale.
    const s3 = await serve({ chain: [h.leaf, h.intermediate], key: h.leaf.keys })
    reopened.offer({ ...moved, port: s3.port })
    await reopened.accept({ host: '127.0.0.1', port: s3.port, sha256: fp })
    const caIssued = (await check(s3, h.root, {}, reopened)).report
    expect(caIssued.verdict).toBe('trusted')
    expect(caIssued.reasons.find((r) => r.code === 'certificate-changed')?.severity).toBe('warning')

    expect(await reopened.revoke('127.0.0.1', s2.port)).toBe(true)
    expect((await reopened.list()).map((e) => e.port)).not.toContain(s2.port)
  })
})

describe('policy and exceptions in the decision', () => {
  async function selfSignedServer() {
    const self = await makeCert({
      subject: 'CN=localhost',
      sans: [{ type: 'dns', value: 'localhost' }]
    })
    return await serve({ chain: [self], key: self.keys })
  }

  async function storeWithException(name: string, s: Running) {
    const store = new ExceptionStore(join(dir, name))
    const shown = (await check(s, null, {}, store)).report
    expect(shown.exceptionOffer).toBe('available')
    await store.accept({ host: '127.0.0.1', port: s.port, sha256: shown.sentChain[0]!.sha256 })
    return store
  }

  it('ignores a stored exception while policy forbids exceptions: refused, nothing open', async () => {
    const s = await selfSignedServer()
    const store = await storeWithException('forbidden.json', s)
    let allowed = false
    const service = createTrustService({
      platformAnchors: false,
      revocation: 'off',
      exceptions: store,
      exceptionPolicy: () => ({ allowed, lockedBy: '/etc/trustline/policy.json' })
    })
    const req = { host: '127.0.0.1', port: s.port, servername: 'localhost' }
    const refused = await service.checkServer(req)
    expect(refused.socket).toBeUndefined()
    expect(refused.report.verdict).toBe('untrusted')
    expect(refused.report.exception).toBeNull()
    expect(refused.report.headline).toMatchObject({
      code: 'exception-forbidden',
      params: { lockedBy: '/etc/trustline/policy.json' }
    })
    expect(refused.report.exceptionOffer).toBe('forbidden-by-policy')
    allowed = true
    const ok = await service.checkServer(req)
    cleanups.push(() => {
      ok.socket?.destroy()
    })
    expect(ok.report.verdict).toBe('trusted-by-exception')
    expect(ok.socket).toBeDefined()
  })

  it("drops a connection trusted through the account's own CA once the policy locks such CAs", async () => {
    const s = await serve({ chain: [h.leaf, h.intermediate], key: h.leaf.keys })
    let allowed = true
    const service = createTrustService({
      platformAnchors: false,
      revocation: 'off',
      accountCaPolicy: () => ({ allowed, lockedBy: '/etc/trustline/policy.json' })
    })
    const { report, socket, redecide } = await service.checkServer({
      host: '127.0.0.1',
      port: s.port,
      servername: 'localhost',
      extraCas: [Buffer.from(h.root.pem)]
    })
    cleanups.push(() => {
      socket?.destroy()
    })
    expect(report.verdict).toBe('trusted')
    expect(report.anchor?.source).toBe('account')
    allowed = false
    const again = await redecide()
    expect(again.attemptId).toBe(report.attemptId)
    expect(again.verdict).toBe('untrusted')
    expect(again.headline?.code).toBe('account-ca-forbidden')
  })

  it('decides the same attempt again after the exception is revoked', async () => {
    const s = await selfSignedServer()
    const store = await storeWithException('redecide.json', s)
    const { report, socket, redecide } = await check(s, null, {}, store)
    expect(report.verdict).toBe('trusted-by-exception')
    expect(socket).toBeDefined()
    await store.revoke('127.0.0.1', s.port)
    const again = await redecide()
    expect(again.attemptId).toBe(report.attemptId)
    expect(again.verdict).toBe('untrusted')
    expect(again.headline?.code).toBe('self-signed')
  })
})

describe('caches', () => {
  /** A trust service whose only anchor is the test root, in a policy CA file it reads. */
  function policyService(name: string) {
    const file = join(dir, name)
    writeFileSync(file, h.root.pem)
    const contexts = new SecureContextCache()
    const service = createTrustService({
      platformAnchors: false,
      policyCaFiles: [file],
      revocation: 'off',
      secureContexts: contexts,
      timeoutMs: 5000
    })
    return { file, contexts, service }
  }

  it('preloads the anchors and the TLS context the first connection then uses', async () => {
    const { contexts, service } = policyService('preload-ca.pem')
    const bundle = await service.preload()
    expect(bundle?.anchors.map((a) => a.source)).toEqual(['policy'])
    expect(contexts.size).toBe(1)
    const s = await serve({ chain: [h.leaf, h.intermediate], key: h.leaf.keys })
    const { report } = await service.checkServer({
      host: '127.0.0.1',
      port: s.port,
      servername: 'localhost',
      keepOpen: false
    })
    expect(report.verdict).toBe('trusted')
    expect(contexts.size).toBe(1)
    // A missing CA file is not an error at start-up: the sign-in reports it.
    const broken = createTrustService({
      platformAnchors: false,
      policyCaFiles: [join(dir, 'missing.pem')],
      secureContexts: contexts
    })
    expect(await broken.preload()).toBeNull()
  })

  it('follows an edited policy CA file: new anchors, and a new TLS context for Node', async () => {
    const { file, contexts, service } = policyService('policy-ca.pem')
    const s = await serve({ chain: [h.leaf, h.intermediate], key: h.leaf.keys })
    const req = { host: '127.0.0.1', port: s.port, servername: 'localhost', keepOpen: false }
    for (let i = 0; i < 2; i++) {
      const { report } = await service.checkServer(req)
      expect(report.verdict).toBe('trusted')
      expect(report.anchor?.source).toBe('policy')
    }
    expect(contexts.size).toBe(1)
    const other = await makeHierarchy('other', { root: { subject: 'CN=Another Root' } })
    writeFileSync(file, other.root.pem)
    const { report } = await service.checkServer(req)
    expect(report.verdict).toBe('untrusted')
    expect(codes(report)).toContain('unknown-issuer')
    // OpenSSL judged with the new anchors too, so its context was rebuilt, not reused.
    expect(report.node?.authorized).toBe(false)
    expect(contexts.size).toBe(2)
  })
})

describe('early revocation query', () => {
  async function ocspLeaf(issuer: IssuedCert, url: string) {
    return await makeCert({
      subject: 'CN=localhost',
      issuer,
      sans: [{ type: 'dns', value: 'localhost' }],
      extensions: [
        new x509.AuthorityInfoAccessExtension({ ocsp: [new x509.GeneralName('url', url)] })
      ]
    })
  }

  it('asks the responder once, and only for a chain OpenSSL verified', async () => {
    const routes: Record<string, Buffer> = {}
    const http = await startHttpServer(routes)
    cleanups.push(() => http.close())
    const service = createTrustService({
      platformAnchors: false,
      revocation: 'soft-fail',
      revocationCache: null,
      timeoutMs: 5000
    })
    const ask = async (server: Running) =>
      (
        await service.checkServer({
          host: '127.0.0.1',
          port: server.port,
          servername: 'localhost',
          extraCas: [Buffer.from(h.root.pem)],
          keepOpen: false
        })
      ).report
    // The responder answers 404: soft-fail, a warning; the verdict waited for it.
    const good = await ocspLeaf(h.intermediate, `${http.url}/ocsp-a`)
    const s1 = await serve({ chain: [good, h.intermediate], key: good.keys })
    const r1 = await ask(s1)
    expect(r1.verdict).toBe('trusted')
    expect(r1.revocation.status).toBe('unknown')
    expect(r1.revocation.detail).toMatch(/ocsp-a: HTTP 404/)
    expect(http.hits.filter((p) => p === '/ocsp-a')).toHaveLength(1)

    // A chain to a CA we do not trust never makes us contact the URL it names.
    const stranger = await makeHierarchy('localhost', { root: { subject: 'CN=Stranger Root' } })
    const bad = await ocspLeaf(stranger.intermediate, `${http.url}/ocsp-b`)
    const s2 = await serve({ chain: [bad, stranger.intermediate], key: bad.keys })
    const r2 = await ask(s2)
    expect(r2.verdict).toBe('untrusted')
    expect(r2.revocation.status).toBe('not-checked')
    expect(http.hits).not.toContain('/ocsp-b')
  })
})
