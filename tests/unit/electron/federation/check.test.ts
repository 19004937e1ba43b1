// The federation check against small node:tls partners, for what the Kamailio partner lab does
// not show: a CertificateRequest without CA names (TLS 1.2: empty list; TLS 1.3: no extension),
// no CertificateRequest at all, a partner that hangs up after OPTIONS, a refused port.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FederationChecker } from '../../../../electron/main/federation/check'
import { federationSentences } from '../../../../shared/federation/wording'
import { makeCert, makeHierarchy, oids, type IssuedCert } from '../../../fixtures/pki'
import { keyPem, pemBundle } from '../../../fixtures/tls-lab'
import { fakeResolver } from '../sip/fake-dns'

let dir: string
let h: Awaited<ReturnType<typeof makeHierarchy>>
let edge: IssuedCert
let edgeKey: string
const closers: (() => void)[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustline-fedcheck-'))
  h = await makeHierarchy('localhost', { leaf: { eku: [oids.serverAuth, oids.clientAuth] } })
  edge = await makeCert({
    subject: 'CN=sip.corp.example',
    issuer: h.intermediate,
    eku: [oids.serverAuth, oids.clientAuth],
    sans: [{ type: 'uri', value: 'sip:corp.example' }]
  })
  edgeKey = await keyPem(edge.keys)
  writeFileSync(join(dir, 'root.pem'), h.root.pem)
})

afterAll(() => {
  for (const c of closers) c()
  rmSync(dir, { recursive: true, force: true })
})

type Sip = 'ok' | 'hang-up'

/** A partner edge: asks (or not) for a certificate without naming CAs, answers OPTIONS. */
async function partner(o: { maxVersion: tls.SecureVersion; requestCert: boolean; sip?: Sip }) {
  const server = tls.createServer(
    {
      cert: pemBundle([h.leaf, h.intermediate]),
      key: await keyPem(h.leaf.keys),
      maxVersion: o.maxVersion,
      requestCert: o.requestCert,
      rejectUnauthorized: false
    },
    (s) => {
      s.on('error', () => undefined)
      s.on('data', (d: Buffer) => {
        if (o.sip === 'hang-up') {
          s.destroy()
          return
        }
        const callId = /^Call-ID: (.*)\r$/m.exec(d.toString('latin1'))?.[1] ?? ''
        s.write(
          `SIP/2.0 200 OK\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`
        )
      })
    }
  )
  server.on('tlsClientError', () => undefined)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  closers.push(() => server.close())
  return (server.address() as AddressInfo).port
}

function check(port: number) {
  return new FederationChecker({
    resolver: fakeResolver({ a: { localhost: ['127.0.0.1'] } }),
    platformAnchors: false,
    policyCaFiles: [join(dir, 'root.pem')],
    revocation: 'off',
    optionsTimeoutMs: 2000
  }).check({
    partnerDomain: 'partner.example',
    identity: { cert: pemBundle([edge, h.intermediate]), key: edgeKey },
    server: { host: 'localhost', port }
  })
}

const codes = (r: { findings: { code: string }[] }) => r.findings.map((f) => f.code)

describe('FederationChecker with small partners', () => {
  it('says plainly that TLS 1.3 hid the CA names, and is still ready', async () => {
    const r = await check(await partner({ maxVersion: 'TLSv1.3', requestCert: true }))
    expect(r.tls).toMatchObject({ protocol: 'TLSv1.3', caNamesStatus: 'hidden', caNames: [] })
    expect(codes(r)).toContain('ca-names-hidden')
    expect([r.verdict, r.headline.code]).toEqual(['ready', 'federation-ready'])
    const hidden = r.findings.find((f) => f.code === 'ca-names-hidden')!
    expect(federationSentences(hidden, 'en').summary).toMatch(
      /With TLSv1\.3 the partner does not have to list the CAs it accepts, and it did not/
    )
    expect(r.ourDomain).toBe('corp.example')
    expect(r.options).toMatchObject({ outcome: 'answered', status: 200 })
  })

  it('tells an empty TLS 1.2 list apart (any CA the partner trusts)', async () => {
    const r = await check(await partner({ maxVersion: 'TLSv1.2', requestCert: true }))
    expect(r.tls).toMatchObject({ protocol: 'TLSv1.2', caNamesStatus: 'empty' })
    expect(codes(r)).not.toContain('ca-names-hidden')
    expect(codes(r)).not.toContain('our-ca-not-listed')
  })

  it('warns when the partner does not ask for a certificate at all', async () => {
    const r = await check(await partner({ maxVersion: 'TLSv1.3', requestCert: false }))
    expect(r.tls).toMatchObject({ clientCertRequested: false, caNamesStatus: 'not-requested' })
    expect([r.verdict, r.headline.code]).toEqual(['ready', 'certificate-not-requested'])
  })

  it('explains a partner that hangs up on OPTIONS', async () => {
    const r = await check(
      await partner({ maxVersion: 'TLSv1.3', requestCert: true, sip: 'hang-up' })
    )
    expect([r.verdict, r.headline.code, r.options.outcome]).toEqual([
      'not-ready',
      'options-closed',
      'closed'
    ])
  })

  it('explains a refused port, and sends nothing', async () => {
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as AddressInfo).port
    await new Promise((r) => closed.close(r))
    const r = await check(port)
    expect([r.verdict, r.headline.code]).toEqual(['not-ready', 'connect-failed'])
    expect(r.headline.params).toMatchObject({ host: 'localhost', port, reason: 'refused' })
    expect(r.tls.handshake).toBe('failed')
    expect(r.partnerChain).toBeNull()
    expect(r.options).toMatchObject({ outcome: 'not-sent', notSentBecause: 'refused' })
  })
})
